"""Restart safety of ``factbot run``, a real subprocess against the fake Bot API.

SIGTERM in the middle of the daily broadcast: the sends in flight finish and are logged, the
rest is left to the next start, which posts it; nobody gets two posts. SIGKILL at random
points while admins subscribe and unsubscribe, users vote and posts go out: nothing the bot
confirmed to a user is lost (``bench/restart.py`` runs the same with 20 kills).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import restart
from bot.storage import Storage
from tests.fake_telegram import FakeTelegram

CHATS = [-1002500000000 - n for n in range(150)]


def daily_posts(fake: FakeTelegram) -> list[int]:
    """The chats each daily post went to, one entry per post."""
    return [
        m["chat"]["id"] for m in fake.sent_messages() if m.get("text", "").startswith(restart.DAILY)
    ]


def wait_until(condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sigterm_during_a_broadcast_hands_the_rest_to_the_next_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = data / "factbot.sqlite3"
    with FakeTelegram(latency=0.05) as fake:
        with Storage(db, now=lambda: datetime.now(UTC) - timedelta(days=1)) as storage:
            for chat in CHATS:  # subscribed yesterday: today's post is due at the start
                fake.add_chat(chat, "supergroup", title=f"群 {chat}")
                storage.subscribe(chat, chat_type="supergroup", title=None, post_time="00:00")
        bot = restart.BotProcess(fake, data)
        bot.start()
        wait_until(lambda: len(daily_posts(fake)) >= 20, timeout=30)
        assert bot.terminate(timeout=20) == 0
        stopped_at = time.time()
        before = Counter(daily_posts(fake))
        with Storage(db) as storage:
            rows = {p.chat_id: p for p in storage.posts()}
        assert 20 <= len(rows) < len(CHATS)  # stopped half-way indeed
        # The sends in flight were finished and logged, nothing is left pending, and no chat
        # the run had not begun has a row: those are the next start's.
        assert {p.status for p in rows.values()} == {"sent"}
        assert set(before) == set(rows) and max(before.values()) == 1

        bot.start()
        wait_until(lambda: len(Counter(daily_posts(fake))) >= len(CHATS), timeout=60)
        assert bot.terminate(timeout=20) == 0

    per_chat = Counter(daily_posts(fake))
    assert set(per_chat) == set(CHATS) and max(per_chat.values()) == 1
    resent = {
        c.params["chat_id"]
        for c in fake.calls_of("sendMessage")
        if c.time > stopped_at and c.params["chat_id"] in rows
    }
    assert not resent  # what the first run had begun was not begun again
    with Storage(db) as storage:
        final = {p.chat_id: p.status for p in storage.posts()}
    assert set(final) == set(CHATS)
    assert set(final.values()) <= {"sent", "uncertain"}


def test_sigkill_at_random_points_loses_nothing_that_was_confirmed(tmp_path: Path) -> None:
    report = restart.run(rounds=2, seed=3, groups=6, users=6, chats=60, workdir=tmp_path)
    assert report.problems == []
    assert report.confirmed["subscribe"] > 0 and report.confirmed["vote"] > 0
    assert report.posts["sent"] > 0
