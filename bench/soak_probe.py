"""What the soak reads off the running bot: resident memory from /proc, the database's size,
and (through a hook loaded into the bot's own process) how full each of its bounded tables is.

The hook is a ``sitecustomize`` module on the bot's PYTHONPATH. It keeps a reference to the
Application ``build_application`` returns and, when the bench touches ``warm`` and then
``end`` in its folder, writes the size of every bounded table (``census-warm.json``,
``census-end.json``): reading a few ``len()`` costs the bot nothing. With ``--trace`` it also
runs tracemalloc and writes what was allocated between the two (``trace.txt``).
"""

from __future__ import annotations

import inspect
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.restart import ROOT
from bot.telegram.asker import Asker
from bot.telegram.flood import FloodGuard
from bot.telegram.render import RENDERED_KEPT
from bot.telegram.services import LAST_FACTS_KEPT, AnswerMemory, Conversations

SAMPLE_EVERY = 5.0  # seconds


@dataclass
class Sample:
    at: float  # seconds since the start
    rss: int  # bytes, the bot's process tree
    main: int  # bytes, the bot's own process (the rest: its engine workers)
    db: int  # bytes, database file with its WAL


def rss(pid: int) -> int:
    """Resident bytes of one process (Linux /proc; 0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            match = re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M)
    except OSError:
        return 0
    return int(match.group(1)) * 1024 if match else 0


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        total += rss(current)
    return total


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


def sample(pid: int, db: Path, at: float) -> Sample:
    return Sample(at, tree_rss(pid), rss(pid), db_bytes(db))


def bounds() -> dict[str, int]:
    """The caps of the bot's bounded tables as it builds them by default (the census names)."""

    def default(cls: Callable[..., object], name: str) -> int:
        return int(inspect.signature(cls).parameters[name].default)

    answers, talks = default(AnswerMemory, "size"), default(Conversations, "size")
    return {
        "answers by question": answers,
        "answers by answer": answers,
        "conversation contexts": talks,
        "contexts of answers": talks,
        "answer cache": default(Asker, "cache_size"),
        "rendered replies": RENDERED_KEPT,
        "last /fact per chat": LAST_FACTS_KEPT,
        "flood senders": default(FloodGuard, "max_senders"),
        "inline flood senders": default(FloodGuard, "max_senders"),
    }


# Loaded in the bot's own process (not its engine workers: they never build an Application).
HOOK = r"""
import json, os, threading, time

folder = os.environ.get("SOAK_PROBE")
if folder and os.environ.pop("SOAK_PROBE_MAIN", None) == "1":
    tracing = os.environ.get("SOAK_TRACE") == "1"
    if tracing:
        import collections, gc, tracemalloc
        tracemalloc.start(4)
    import bot.telegram.app as _app
    held, state = {}, {}
    _build = _app.build_application

    def build_application(*args, **kwargs):
        held["app"] = application = _build(*args, **kwargs)
        return application

    _app.build_application = build_application

    def census():
        app = held.get("app")
        if app is None:
            return {}
        s = app.bot_data["services"]
        daily = app.bot_data.get("daily")
        caster = getattr(daily, "_broadcaster", None)
        limiter = app.bot.rate_limiter
        return {
            "answers by question": len(s.memory._by_question),
            "answers by answer": len(s.memory._by_answer),
            "conversation contexts": len(s.conversations._contexts),
            "contexts of answers": len(s.conversations._answers),
            "answer cache": len(s.asker._cache),
            "rendered replies": len(s.renderer._rendered),
            "last /fact per chat": len(s.last_fact),
            "flood senders": s.flood.held,
            "inline flood senders": s.inline_flood.held if s.inline_flood else 0,
            "PTB chat_data / user_data": len(app.chat_data) + len(app.user_data),
            "PTB chats and users noted for persistence":
                len(app._chat_ids_to_be_updated_in_persistence)
                + len(app._user_ids_to_be_updated_in_persistence),
            "PTB per-group rate limiters": len(getattr(limiter, "_group_limiters", ())),
            "request times (rate meter)": getattr(limiter, "held", 0),
            "broadcast per-group windows": caster.windows.held if caster else 0,
            "broadcast holds": len(caster.holds) if caster else 0,
        }

    def types():
        gc.collect()
        return collections.Counter(type(o).__qualname__ for o in gc.get_objects())

    def write(name, text):
        with open(os.path.join(folder, name + ".part"), "w") as f:
            f.write(text)
        os.replace(os.path.join(folder, name + ".part"), os.path.join(folder, name))

    def trace_report(snap, kinds):
        diff = snap.compare_to(state["snap"], "traceback")
        lines = [f"traced {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MB, "
                 f"{sum(d.size_diff for d in diff) / 2**20:+.1f} MB since warm-up"]
        for stat in diff[:12]:
            lines.append(f"{stat.size_diff / 1024:+8.0f} KB {stat.count_diff:+7d} blocks  "
                         + " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno}"
                                       for f in reversed(stat.traceback)))
        before = state["types"]
        grown = sorted(kinds, key=lambda k: kinds[k] - before.get(k, 0), reverse=True)
        lines += [f"objects {k}: {before.get(k, 0)} -> {kinds[k]}" for k in grown[:12]]
        return "\n".join(lines) + "\n"

    def watch():
        for mark in ("warm", "end"):
            while not os.path.exists(os.path.join(folder, mark)):
                time.sleep(0.5)
            write(f"census-{mark}.json", json.dumps(census()))
            if tracing and mark == "warm":
                state["snap"], state["types"] = tracemalloc.take_snapshot(), types()
            elif tracing:
                write("trace.txt", trace_report(tracemalloc.take_snapshot(), types()))

    threading.Thread(target=watch, daemon=True).start()
"""


def probe_env(folder: Path, *, trace: bool) -> dict[str, str]:
    """Environment that makes the bot's process load HOOK from ``folder``."""
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(HOOK)
    return {
        "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}",
        "SOAK_PROBE_MAIN": "1",
        "SOAK_PROBE": str(folder),
        "SOAK_TRACE": "1" if trace else "0",
    }


def census(folder: Path, mark: str) -> dict[str, int]:
    """The table sizes the hook wrote at ``mark`` ("warm" or "end"), {} if none."""
    path = folder / f"census-{mark}.json"
    return json.loads(path.read_text()) if path.exists() else {}
