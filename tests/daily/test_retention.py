"""The running bot's retention purge and the daily post log: old rows go, and the rows that
keep delivery at most once a day stay, so a broadcast after the purge doubles nothing."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.config import Settings
from bot.engine.engine import Engine
from bot.storage import Storage
from tests.daily.conftest import GROUP, READER, Clock, build_app, posts_in, running, subscribe_group


def seed(storage: Storage, chat_id: int, days: list[str]) -> None:
    """Post log rows of days gone by, as earlier broadcasts left them."""
    for day in days:
        post = storage.begin_post(chat_id, day, "f")
        assert post is not None
        storage.finish_post(post, status="sent", message_id=1)


async def test_a_broadcast_after_the_purge_posts_once_to_each_chat(
    fake, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    subscribe_group(fake, storage, READER)
    old = ["2024-04-27", "2024-04-28", "2024-04-29"]
    seed(storage, GROUP, [*old, "2024-04-30", "2024-05-01"])  # today's post went out already
    seed(storage, READER, [*old, "2024-04-30"])  # today's is still to come
    clock.set_local("2024-05-01 08:30")
    # The shortest retention there is: only today and yesterday are kept.
    app = build_app(dataclasses.replace(settings, retention_days=1), engine, storage, clock)
    async with running(app) as service:
        for _ in range(200):  # the purge at start runs beside the startup check
            if len(storage.posts()) <= 4:
                break
            await asyncio.sleep(0.02)
        for _ in range(2):
            await service.run_due()
            clock.advance(minutes=1)
    assert posts_in(fake, GROUP) == []
    assert len(posts_in(fake, READER)) == 1
    kept = {(p.chat_id, p.local_date, p.status) for p in storage.posts()}
    assert kept == {
        (GROUP, "2024-04-30", "sent"),
        (GROUP, "2024-05-01", "sent"),
        (READER, "2024-04-30", "sent"),
        (READER, "2024-05-01", "sent"),
    }
