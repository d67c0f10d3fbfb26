"""No storage call of the running bot happens on the event loop.

The bot is the production Application over the fake Bot API with a real SQLite file; the
storage is the real one, only watched: every transaction notes the thread it ran on. Commands,
a question the article cannot answer, a vote, a membership change and a broadcast all go
through; each transaction they caused must have run on the storage thread, not on the loop
(where a commit's fsync, or the lock held by another thread, would stop every chat).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.config import Settings
from bot.engine.engine import Engine
from bot.storage import Storage
from tests.daily.conftest import ADMIN, GROUP, USER, Clock, build_app, posts_in, running
from tests.fake_telegram import Call, FakeTelegram

UNANSWERABLE = "上海有多少所高校？"


class WatchedStorage(Storage):
    """The real storage, noting which thread each of its transactions ran on."""

    watching = False
    threads: list[str]

    @contextmanager
    def _tx(self, **options: Any) -> Iterator[Any]:
        if self.watching:
            self.threads.append(threading.current_thread().name)
        with super()._tx(**options) as conn:
            yield conn


async def reply_to(fake: FakeTelegram, update: dict[str, Any], method: str) -> Call:
    count = len(fake.calls_of(method)) + 1
    fake.push_update(update)
    return await fake.async_wait_for(method, count=count)


async def test_handlers_and_broadcaster_use_the_storage_thread(
    fake: FakeTelegram, settings: Settings, clock: Clock, engine: Engine
) -> None:
    fake.add_chat(GROUP, "supergroup", title="高校讨论组")
    fake.user(ADMIN, "Ada")
    fake.set_member(GROUP, ADMIN, "administrator")
    fake.user(USER, "Lin")
    with WatchedStorage(settings.db_path, now=clock.now) as storage:
        storage.threads = []
        app = build_app(settings, engine, storage, clock)
        storage.watching = True
        async with running(app) as service:
            subscribed = await reply_to(
                fake, fake.message_update(GROUP, ADMIN, "/subscribe 08:00"), "sendMessage"
            )
            shown = await reply_to(
                fake, fake.message_update(GROUP, ADMIN, "/subscription"), "sendMessage"
            )
            answer = await reply_to(
                fake, fake.message_update(USER, USER, UNANSWERABLE), "sendMessage"
            )
            intent = engine.ask("北京有多少所高校？").intent
            asked = await reply_to(
                fake, fake.message_update(USER, USER, "北京有多少所高校？"), "sendMessage"
            )
            voted = await reply_to(
                fake,
                fake.callback_query_update(USER, USER, asked.result["message_id"], f"u:{intent}"),
                "answerCallbackQuery",
            )
            private = fake.message_update(USER, USER, "/subscribe 09:00")
            await reply_to(fake, private, "sendMessage")
            clock.set_local("2024-05-01 08:00")
            report = await service.run_due()
            fake.push_update(fake.my_chat_member_update(USER, "kicked", user=USER))  # blocked
            for _ in range(200):
                lin = await storage.aio.get_subscription(USER)
                if not lin.active:
                    break
                await asyncio.sleep(0.01)
            unanswered = await storage.aio.unanswered()
        storage.watching = False
        assert lin.deactivated_reason == "blocked by the user"
        assert subscribed.result["text"].startswith("已订阅：每天 08:00")
        assert shown.result["text"].startswith("每日事实：每天 08:00")
        assert answer.params["chat_id"] == USER
        assert voted.params["text"] == "谢谢！已记下：这个回答有帮助。"
        assert [r.chat_id for r in report.results] == [GROUP] and len(posts_in(fake, GROUP)) == 1
        assert [q.question for q in unanswered] == [UNANSWERABLE]
        assert [v.vote for v in storage.votes(chat_id=USER)] == [1]
        loop_thread = threading.current_thread().name
        assert len(storage.threads) >= 8  # subscribe, show, note, vote, the broadcast's
        assert loop_thread not in storage.threads
        assert set(storage.threads) == {"storage"}
