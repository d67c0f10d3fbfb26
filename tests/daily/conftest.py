"""Fixtures for daily posts: the fake Bot API, a movable clock, real SQLite, the real bot.

The Application is the production one (``bot.telegram.app.build_application``, which calls
``install``), talking HTTP to ``tests/fake_telegram.py``; only the clock is ours, so no test
sleeps until 08:00.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.daily.telegram import DailyService
from bot.engine.engine import Engine
from bot.storage import Storage
from bot.telegram.app import build_application
from tests.fake_telegram import FakeTelegram

GROUP = -1001000000001
GROUP2 = -1001000000002
CHANNEL = -1001000000099
ADMIN = 5001
MEMBER = 5002
USER = 7001  # a private chat user
# Private chats for tests that post many days in a row within a second of real time: the bot
# (rightly) keeps to Telegram's 20 messages a minute into one group.
READER = 7101
READER2 = 7102


class Clock:
    """The time the bot believes it is; tests set and move it."""

    def __init__(self, tz: str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(tz)
        self.current = datetime(2024, 4, 30, 4, 0, tzinfo=UTC)  # noon the day before, Shanghai

    def now(self) -> datetime:
        return self.current

    def set_local(self, text: str) -> datetime:
        """E.g. ``"2024-05-01 08:00"`` in the clock's timezone (first occurrence in a fold)."""
        local = datetime.fromisoformat(text).replace(tzinfo=self.tz)
        self.current = local.astimezone(UTC)
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, fake: FakeTelegram) -> Settings:
    return Settings(
        token=fake.token,
        api_base_url=fake.base_url,
        data_dir=tmp_path / "data",
        timezone="Asia/Shanghai",
    )


@pytest.fixture
def storage(settings: Settings, clock: Clock) -> Iterator[Storage]:
    with Storage(settings.db_path, now=clock.now) as db:
        yield db


def build_app(
    settings: Settings, engine: Engine, storage: Storage, clock: Clock, **options: Any
) -> Application:
    """The bot exactly as `factbot run` builds it, with our clock and short retry waits."""
    options.setdefault("backoff", 0.05)
    options.setdefault("read_timeout", 1.0)
    app = build_application(settings, engine=engine, storage=storage)
    service: DailyService = app.bot_data["daily"]
    service.clock = clock.now
    service.broadcaster_options.update(options)
    return app


@contextlib.asynccontextmanager
async def running(app: Application) -> AsyncIterator[DailyService]:
    """Starts the bot (polling the fake) and stops it again, like `factbot run` would; yields
    once the startup check (recovery, same-day catch-up) is done."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        service: DailyService = app.bot_data["daily"]
        await asyncio.wait_for(service.started.wait(), timeout=10)  # the startup check ran
        try:
            yield service
        finally:
            await app.updater.stop()
            await app.stop()


def subscribe_group(
    fake: FakeTelegram,
    storage: Storage,
    chat_id: int,
    post_time: str = "08:00",
    *,
    chat_type: str | None = None,
    title: str | None = None,
) -> None:
    """A chat the fake knows, subscribed (as an admin, or the user, would have done)."""
    chat_type = chat_type or ("private" if chat_id > 0 else "supergroup")
    title = title or f"Chat {chat_id}"
    if chat_type == "private":
        fake.add_chat(chat_id, "private", first_name=title)
    else:
        fake.add_chat(chat_id, chat_type, title=title)
    storage.subscribe(chat_id, chat_type=chat_type, title=title, post_time=post_time)


def posts_in(fake: FakeTelegram, chat_id: int) -> list[dict[str, Any]]:
    """The daily posts (messages with the deep-link button) the bot sent into a chat."""
    return [
        m for m in fake.sent_messages(chat_id) if m.get("text", "").startswith("📌 每日一事实")
    ]
