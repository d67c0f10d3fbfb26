"""The validated settings object with its documented defaults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.specs import _SPECS, _parse, _Source

_MASK = "***"


@dataclass(frozen=True, repr=False)
class Settings:
    """Validated, immutable bot settings; build with `load_settings` or directly in tests."""

    token: str | None = dataclasses.field(default=None, repr=False)
    api_base_url: str = "https://api.telegram.org/bot"
    data_dir: Path = Path("data")
    timezone: str = "Asia/Shanghai"
    default_post_time: str = "08:00"
    owner_ids: tuple[int, ...] = ()
    questions_per_minute: int = 10
    answer_max_chars: int = 1500
    max_question_chars: int = 300
    global_send_rate: float = 30.0
    group_send_rate_per_minute: int = 20
    concurrent_updates: int = 16
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = dataclasses.field(default=None, repr=False)
    retention_days: int = 90
    knowledge_dir: Path | None = None

    def __post_init__(self) -> None:
        # Direct construction (tests, other modules) gets the same checks and normal forms.
        for key, spec in _SPECS.items():
            value = getattr(self, key)
            object.__setattr__(self, key, _parse(key, spec, value, _Source("Settings")))

    @property
    def db_path(self) -> Path:
        """The SQLite database file."""
        return self.data_dir / "factbot.sqlite3"

    @property
    def heartbeat_path(self) -> Path:
        """The file the running bot refreshes, for `factbot health`."""
        return self.data_dir / "heartbeat.json"

    @property
    def tz(self) -> ZoneInfo:
        """`timezone` as a tzinfo."""
        return ZoneInfo(self.timezone)

    @property
    def post_time(self) -> time:
        """`default_post_time` as an aware time, ready for a daily job."""
        hour, minute = map(int, self.default_post_time.split(":"))
        return time(hour, minute, tzinfo=self.tz)

    def redacted(self) -> dict[str, Any]:
        """All settings as a dict with secrets masked, for logging the effective config."""
        return {
            key: _MASK if _SPECS[key].secret and value is not None else value
            for key, value in ((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        }

    def __repr__(self) -> str:
        body = ", ".join(f"{key}={value!r}" for key, value in self.redacted().items())
        return f"Settings({body})"


if set(_SPECS) != {f.name for f in dataclasses.fields(Settings)}:  # pragma: no cover
    raise AssertionError("bot.config: _SPECS and Settings fields disagree")
