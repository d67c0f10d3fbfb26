"""``factbot health``: is the bot running and is its database usable?

The running bot rewrites a small heartbeat file in its data folder every
``HEARTBEAT_SECONDS`` from a job on its event loop, so a heartbeat that stops means the loop
is stuck or the process is gone, and it marks the file "stopped" when it shuts down cleanly.
The check only reads: the heartbeat, and the database opened read-only.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.storage import SCHEMA_VERSION, Storage, unusable_reason

HEARTBEAT_SECONDS = 30.0
# Three missed beats and a margin: a busy loop may run a job late, never this late.
STALE_AFTER_SECONDS = 120.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


def write_heartbeat(
    path: Path, *, started: datetime, state: str = "running", now: datetime | None = None
) -> None:
    """Atomically replaces the heartbeat (a reader never sees half a file)."""
    beat = {
        "state": state,
        "pid": os.getpid(),
        "started": started.isoformat(timespec="seconds"),
        "at": (now or _utc_now()).isoformat(timespec="seconds"),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(beat) + "\n", encoding="utf-8")
    os.replace(partial, path)


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str  # one line


def _heartbeat(path: Path, now: datetime) -> Health:
    try:
        beat = json.loads(path.read_text(encoding="utf-8"))
        at = datetime.fromisoformat(beat["at"])
        state, pid = str(beat["state"]), int(beat["pid"])
    except FileNotFoundError:
        return Health(False, f"no heartbeat at {path}: the bot is not running (or still starting)")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Health(False, f"the heartbeat {path} is unreadable ({exc})")
    if state == "stopped":
        return Health(False, f"the bot (pid {pid}) stopped at {at:%Y-%m-%d %H:%M:%S} UTC")
    age = (now - at).total_seconds()
    if age > STALE_AFTER_SECONDS:
        return Health(
            False,
            f"the last heartbeat is {age:.0f} s old (pid {pid}, at {at:%Y-%m-%d %H:%M:%S} UTC): "
            "the bot is stuck or gone",
        )
    return Health(True, f"heartbeat {max(age, 0):.0f} s ago from pid {pid}")


def _database(path: Path) -> Health:
    if not path.is_file():
        return Health(False, f"no database at {path}")
    try:
        with Storage(path, readonly=True) as storage:
            version = storage.schema_version
            verdict = storage.quick_check()
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        return Health(False, unusable_reason(path, exc))
    if verdict != "ok":
        return Health(False, f"the database {path} is damaged ({verdict})")
    if version != SCHEMA_VERSION:
        return Health(False, f"the database {path} is at schema {version}, not {SCHEMA_VERSION}")
    return Health(True, f"database OK (schema {version})")


def check(settings: Settings, now: datetime | None = None) -> Health:
    """Healthy when the heartbeat is fresh and the database opens and passes a quick check."""
    beat = _heartbeat(settings.heartbeat_path, now or _utc_now())
    if not beat.ok:
        return beat
    database = _database(settings.db_path)
    if not database.ok:
        return database
    return Health(True, f"healthy: {beat.reason}, {database.reason}")
