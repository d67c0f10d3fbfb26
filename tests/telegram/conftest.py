"""The production bot, built by ``build_application``, polling a fake Bot API over real HTTP.

``make_bot``/``bot`` start FakeTelegram, build the Application exactly as ``factbot run``
does (settings pointing at the fake, a real SQLite file in tmp_path), run ``post_init`` as
``run_polling`` would, and poll with ``start_polling``. Tests push updates through the fake
and read what the bot sent from the fake's call record.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.config import Settings
from bot.engine.engine import Engine
from bot.storage import Storage
from bot.telegram.app import ALLOWED_UPDATES, build_application
from tests.fake_telegram import FakeTelegram
from tests.telegram.support import (
    ALICE,
    BOB,
    GROUP,
    OBSERVER_GROUP,
    BotHarness,
    MakeBot,
    ManualClock,
)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.user(ALICE, "Alice", "alice_cn")
        server.user(BOB, "Bob")
        server.add_chat(GROUP, "supergroup", title="高校讨论组")
        yield server


@pytest.fixture
async def make_bot(
    fake: FakeTelegram, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[MakeBot]:
    """``await make_bot(**settings)`` starts the production bot against ``fake``.

    The error handler swallows exceptions (it logs them), so a test fails afterwards if
    anything was logged at ERROR it did not expect.
    """
    started: list[tuple[BotHarness, Storage]] = []

    async def start(
        engine_processes: int = 0, read_timeout: float = 5.0, **overrides: Any
    ) -> BotHarness:
        values: dict[str, Any] = {
            "token": fake.token,
            "api_base_url": fake.base_url,
            "data_dir": tmp_path / "data",
        }
        values.update(overrides)
        settings = Settings(**values)
        storage = Storage(settings.db_path)
        clock = ManualClock()
        app = build_application(
            settings, engine=engine, storage=storage, clock=clock,
            engine_processes=engine_processes, read_timeout=read_timeout,
        )
        harness = BotHarness(fake, app, engine, storage, settings, clock)
        app.add_handler(TypeHandler(Update, harness.observe), group=OBSERVER_GROUP)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0,
            timeout=1,
            allowed_updates=ALLOWED_UPDATES,
            # As run_polling does: polling failures go to the application's error handler.
            error_callback=lambda exc: app.create_task(app.process_error(None, exc)),
        )
        started.append((harness, storage))
        return harness

    yield start
    for harness, storage in started:
        app = harness.app
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        storage.close()
    if not any(h.expect_errors for h, _ in started):
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, [r.getMessage() for r in errors]


@pytest.fixture
async def bot(make_bot: MakeBot) -> BotHarness:
    return await make_bot()


@pytest.fixture
async def bot_with_owner(make_bot: MakeBot) -> BotHarness:
    return await make_bot(owner_ids=[ALICE])
