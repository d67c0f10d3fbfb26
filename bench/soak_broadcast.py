"""The soak's daily broadcasts: groups subscribed beforehand, made due during the run.

Every group is subscribed "yesterday" (so today's slot counts) and left inactive while the
bot starts and warms up, as the warm-up's length is not known in advance. When the measured
window begins, each broadcast's groups are switched on with a post time inside it, in one
write the bot's next minutely check reads. A chat gets one post a day, so a second broadcast
in one run goes to groups of its own.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.soak_crowd import Run
from bot.storage import Storage
from tests.fake_telegram import FakeTelegram

CHAT_BASE = -1005000000000


def chats_of(number: int, chats: int) -> range:
    """The chat ids of broadcast ``number`` (0-based), ``chats`` groups each."""
    return range(CHAT_BASE - number * chats, CHAT_BASE - (number + 1) * chats, -1)


def prepare(db: Path, fake: FakeTelegram, sets: int, chats: int) -> None:
    """Subscribes ``sets`` x ``chats`` groups yesterday at the fake and in the database,
    inactive for now."""
    with Storage(db, now=lambda: datetime.now(UTC) - timedelta(days=1)) as storage:
        for number in range(sets):
            for n, chat in enumerate(chats_of(number, chats)):
                fake.add_chat(chat, "supergroup", title=f"订阅群 {number}-{n}")
                storage.subscribe(chat, chat_type="supergroup", title=None, post_time="00:00")
    _write(db, "UPDATE subscriptions SET active = 0 WHERE chat_id <= ?", (CHAT_BASE,))


def due_at(when: datetime, tz: str) -> str:
    """The post time (HH:MM, local) of the first minute that starts at or after ``when``."""
    local = when.astimezone(ZoneInfo(tz))
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return f"{local:%H:%M}"


def schedule(db: Path, sets: int, chats: int, starts: list[datetime], tz: str) -> list[str]:
    """Switches each broadcast's groups on, due at its start; returns the post times."""
    times = [due_at(when, tz) for when in starts[:sets]]
    for number, post_time in enumerate(times):
        ids = chats_of(number, chats)
        _write(
            db,
            "UPDATE subscriptions SET active = 1, post_time = ? WHERE chat_id <= ? AND chat_id > ?",
            (post_time, ids.start, ids.stop),
        )
    return times


def _write(db: Path, sql: str, params: tuple[object, ...]) -> None:
    """One write beside the running bot (WAL: it waits for the bot's lock, if held)."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def windows(run: Run, sets: int, chats: int) -> list[tuple[float, float, int]]:
    """(first post, last post, posts) of each broadcast, told apart by their chat ids."""
    found: list[tuple[float, float, int]] = []
    for number in range(sets):
        ids = chats_of(number, chats)
        times = [at for at, chat in run.posts if ids.stop < chat <= ids.start]
        if times:
            found.append((min(times), max(times), len(times)))
    return found
