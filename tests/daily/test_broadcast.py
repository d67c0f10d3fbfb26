"""The daily broadcast end to end: rotation, once a day, catch-up, time zones and faults.

Every post goes through the real Application's bot over HTTP to the fake Bot API; faults are
injected there (``fail_next``) exactly as Telegram would produce them.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.daily.broadcaster import Outcome
from bot.engine.engine import Engine
from bot.storage import Storage
from tests.daily.conftest import (
    ADMIN,
    GROUP,
    GROUP2,
    READER,
    READER2,
    Clock,
    build_app,
    posts_in,
    running,
    subscribe_group,
)
from tests.fake_telegram import Call, FakeTelegram

DAY = "2024-05-01"


def intent_of(message: dict[str, Any]) -> str:
    url = message["reply_markup"]["inline_keyboard"][0][0]["url"]
    prefix = "https://t.me/factbot_bot?start="
    assert url.startswith(prefix)
    return url.removeprefix(prefix)


def sends_to(fake: FakeTelegram, chat_id: int) -> list[Call]:
    return [c for c in fake.calls_of("sendMessage") if c.params.get("chat_id") == chat_id]


def day(offset: int, at: str = "08:00") -> str:
    return f"{date(2024, 5, 1) + timedelta(days=offset)} {at}"


# --- the post and the rotation ------------------------------------------------------------------


async def test_rotation_walks_every_postable_fact_once_per_cycle(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, READER)
    subscribe_group(fake, storage, READER2, "08:00")
    daily = sorted(i.id for i in engine.daily_intents())
    async with running(build_app(settings, engine, storage, clock)) as service:
        for offset in range(len(daily) + 1):
            clock.set_local(day(offset))
            await service.run_due()
            clock.advance(minutes=1)
            await service.run_due()  # the next minute's check posts nothing more
    first = [intent_of(m) for m in posts_in(fake, READER)]
    second = [intent_of(m) for m in posts_in(fake, READER2)]
    assert len(first) == len(second) == len(daily) + 1
    assert sorted(first[: len(daily)]) == daily  # a full cycle, no repeats
    assert sorted(second[: len(daily)]) == daily
    assert first != second  # each chat has its own order
    assert first[len(daily)] != first[len(daily) - 1]  # no repeat across the cycle boundary
    rows = storage.posts(READER)
    assert [r.fact_id for r in rows] == first
    assert {r.status for r in rows} == {"sent"}
    assert [r.message_id for r in rows] == [m["message_id"] for m in posts_in(fake, READER)]


async def test_a_post_reads_headline_fact_quote_source_and_deep_link(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, READER)
    for intent in engine.daily_intents():  # leave one fact in this cycle, to know the post
        if intent.id != "beijing_universities":
            storage.mark_fact_posted(READER, intent.id)
    clock.set_local(day(0))
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
    (post,) = posts_in(fake, READER)
    assert post["text"] == (
        "📌 每日一事实｜北京的高校数量\n\n北京拥有92所高校。\n\n"
        "北京市拥有92所高校、1000余所科研院所，国家实验室、大科学装置数量均位居全国首位，"
        "开展基础研究具有天然优势。\n"
        "来源：《感悟高质量发展的“第一动力”》· 1个月实现自主研发新突破 · 第7段"
    )
    entities = {e["type"]: e for e in post["entities"]}
    assert entities["bold"]["offset"] == 0
    assert entities["blockquote"]["length"] == len(
        "北京市拥有92所高校、1000余所科研院所，国家实验室、大科学装置数量均位居全国首位，"
        "开展基础研究具有天然优势。"
    )
    assert post["reply_markup"] == {
        "inline_keyboard": [
            [
                {
                    "text": "💬 私聊机器人，继续提问",
                    "url": "https://t.me/factbot_bot?start=beijing_universities",
                }
            ]
        ]
    }


async def test_a_new_daily_fact_joins_the_running_cycle(
    fake: FakeTelegram,
    settings: Settings,
    storage: Storage,
    clock: Clock,
    engine: Engine,
    knowledge_copy: Path,
) -> None:
    intents = knowledge_copy / "intents.yaml"
    text = intents.read_text(encoding="utf-8")
    assert "- id: beijing_institutes\n" in text
    intents.write_text(
        text.replace("- id: beijing_institutes\n", "- id: beijing_institutes\n  daily: true\n"),
        encoding="utf-8",
    )
    richer = Engine.load(knowledge_copy)
    old = sorted(i.id for i in engine.daily_intents())
    new = sorted(i.id for i in richer.daily_intents())
    assert set(new) - set(old) == {"beijing_institutes"}

    subscribe_group(fake, storage, READER)
    async with running(build_app(settings, engine, storage, clock)) as service:
        for offset in range(10):
            clock.set_local(day(offset))
            await service.run_due()
    async with running(build_app(settings, richer, storage, clock)) as service:  # redeployed
        for offset in range(10, len(new)):
            clock.set_local(day(offset))
            await service.run_due()
    posted = [intent_of(m) for m in posts_in(fake, READER)]
    assert sorted(posted) == new  # the cycle was not restarted: no repeat, nothing left out
    assert storage.rotation(READER).cycle == 1


# --- once a day ---------------------------------------------------------------------------------


async def test_exactly_one_post_per_day_across_a_restart(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    clock.set_local(day(0))
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
    assert len(posts_in(fake, GROUP)) == 1

    clock.set_local(day(0, "08:05"))  # restarted the same morning: a new process, same file
    with Storage(settings.db_path, now=clock.now) as reopened:
        async with running(build_app(settings, engine, reopened, clock)) as service:
            await service.run_due()  # also waits for the startup check
            assert len(posts_in(fake, GROUP)) == 1
            clock.set_local(day(1))
            await service.run_due()
    assert len(posts_in(fake, GROUP)) == 2
    assert [p.local_date for p in storage.posts(GROUP)] == ["2024-05-01", "2024-05-02"]


async def test_startup_catches_up_the_same_day(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    clock.set_local(day(0, "10:30"))  # the bot was down at 08:00
    async with running(build_app(settings, engine, storage, clock)):
        # No run_due() here: the job's first run, at startup, must post by itself.
        call = await fake.async_wait_for(
            lambda c: c.method == "sendMessage" and c.params.get("chat_id") == GROUP
        )
    assert call.ok
    assert len(posts_in(fake, GROUP)) == 1
    assert storage.post_on(GROUP, DAY).status == "sent"


async def test_a_day_missed_entirely_is_not_caught_up_the_next_day(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    clock.set_local(day(1, "07:00"))  # down for all of May 1st
    async with running(build_app(settings, engine, storage, clock)) as service:
        report = await service.run_due()
        assert report.results == []
        assert posts_in(fake, GROUP) == []
        clock.set_local(day(1, "08:00"))
        await service.run_due()
    assert len(posts_in(fake, GROUP)) == 1
    assert [p.local_date for p in storage.posts(GROUP)] == ["2024-05-02"]


async def test_subscribing_after_todays_time_starts_tomorrow(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    clock.set_local(day(0, "09:00"))
    subscribe_group(fake, storage, GROUP, "08:00")  # as an admin would at 09:00
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
        assert posts_in(fake, GROUP) == []
        clock.set_local(day(1, "08:00"))
        await service.run_due()
    assert len(posts_in(fake, GROUP)) == 1


# --- time zones ---------------------------------------------------------------------------------


def new_york(settings: Settings) -> tuple[Settings, Clock]:
    return dataclasses.replace(settings, timezone="America/New_York"), Clock("America/New_York")


async def test_new_york_spring_forward_posts_when_the_clocks_jump(
    fake: FakeTelegram, settings: Settings, engine: Engine
) -> None:
    ny, clock = new_york(settings)
    fake.add_chat(GROUP, "supergroup", title="纽约读者")
    fake.user(ADMIN, "Ada")
    fake.set_member(GROUP, ADMIN, "administrator")
    clock.set_local("2024-03-09 12:00")
    with Storage(ny.db_path, now=clock.now) as storage:
        async with running(build_app(ny, engine, storage, clock)) as service:
            fake.push_update(fake.message_update(GROUP, ADMIN, "/subscribe 02:30"))
            reply = await fake.async_wait_for("sendMessage")
            # 02:30 does not exist on 2024-03-10: the clocks jump from 02:00 to 03:00 EDT.
            assert reply.result["text"].startswith(
                "已订阅：每天 02:30（America/New_York）发送一条文章里的事实。"
                "下一条：明天（3月10日）03:00。"
            )
            clock.set_local("2024-03-10 01:59")  # EST, a minute before the jump
            await service.run_due()
            assert posts_in(fake, GROUP) == []
            clock.advance(minutes=1)  # 03:00 EDT = 07:00 UTC
            assert clock.now().hour == 7
            await service.run_due()
            assert len(posts_in(fake, GROUP)) == 1
            clock.set_local("2024-03-10 23:59")
            await service.run_due()
            clock.set_local("2024-03-11 02:30")  # an ordinary day again
            await service.run_due()
        assert [p.local_date for p in storage.posts(GROUP)] == ["2024-03-10", "2024-03-11"]
    assert len(posts_in(fake, GROUP)) == 2


async def test_new_york_fall_back_posts_once_although_the_time_happens_twice(
    fake: FakeTelegram, settings: Settings, engine: Engine
) -> None:
    ny, clock = new_york(settings)
    clock.set_local("2024-11-02 12:00")
    with Storage(ny.db_path, now=clock.now) as storage:
        subscribe_group(fake, storage, GROUP, "01:30")
        async with running(build_app(ny, engine, storage, clock)) as service:
            clock.set_local("2024-11-03 01:29")  # EDT
            await service.run_due()
            assert posts_in(fake, GROUP) == []
            clock.advance(minutes=1)  # the first 01:30 (EDT, 05:30 UTC)
            assert clock.now().hour == 5
            await service.run_due()
            clock.advance(hours=1)  # the second 01:30 (EST, 06:30 UTC)
            await service.run_due()
        assert [p.local_date for p in storage.posts(GROUP)] == ["2024-11-03"]
    assert len(posts_in(fake, GROUP)) == 1


# --- faults -------------------------------------------------------------------------------------


async def test_flood_wait_is_honoured_and_the_post_delivered(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    subscribe_group(fake, storage, GROUP2)
    clock.set_local(day(0))
    fake.fail_next("sendMessage", chat_id=GROUP, retry_after=1)
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
    flood, delivered = sends_to(fake, GROUP)
    assert (flood.http_status, delivered.http_status) == (429, 200)
    assert delivered.time - flood.time >= 1.0  # waited retry_after
    assert len(posts_in(fake, GROUP)) == len(posts_in(fake, GROUP2)) == 1
    assert storage.post_on(GROUP, DAY).status == "sent"


async def test_server_errors_and_resets_are_retried_with_backoff(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    subscribe_group(fake, storage, GROUP2)
    clock.set_local(day(0))
    fake.fail_next("sendMessage", chat_id=GROUP, error_code=502, times=2)
    fake.fail_next("sendMessage", chat_id=GROUP2, kind="reset")
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
    assert [c.http_status for c in sends_to(fake, GROUP)] == [502, 502, 200]
    assert [c.http_status for c in sends_to(fake, GROUP2)] == [None, 200]
    assert len(posts_in(fake, GROUP)) == len(posts_in(fake, GROUP2)) == 1
    assert (storage.post_on(GROUP, DAY).status, storage.post_on(GROUP, DAY).attempts) == (
        "sent",
        3,
    )
    assert storage.post_on(GROUP2, DAY).status == "sent"


async def test_persistent_server_errors_give_up_then_the_next_start_delivers(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    clock.set_local(day(0, "07:59"))
    fake.fail_next("sendMessage", chat_id=GROUP, error_code=500, times=4)
    async with running(build_app(settings, engine, storage, clock)) as service:
        clock.set_local(day(0))
        report = await service.run_due()
        assert [r.outcome for r in report.results] == [Outcome.FAILED]
        row = storage.post_on(GROUP, DAY)
        assert (row.status, row.attempts) == ("failed", 4)
        assert row.error == "network: Internal Server Error"
        clock.advance(minutes=10)
        await service.run_due()  # not hammered every minute
        assert len(sends_to(fake, GROUP)) == 4
    assert posts_in(fake, GROUP) == []

    clock.advance(minutes=5)  # restarted the same day
    with Storage(settings.db_path, now=clock.now) as reopened:
        async with running(build_app(settings, engine, reopened, clock)) as service:
            await service.run_due()
        assert reopened.post_on(GROUP, DAY).status == "sent"
    assert len(posts_in(fake, GROUP)) == 1


async def test_a_failed_post_is_retried_later_the_same_day_without_a_restart(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    clock.set_local(day(0))
    fake.fail_next("sendMessage", chat_id=GROUP, error_code=503, times=4)
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
        clock.advance(minutes=31)
        await service.run_due()
    assert len(posts_in(fake, GROUP)) == 1
    assert storage.post_on(GROUP, DAY).attempts == 5


async def test_a_chat_held_back_today_gets_tomorrows_post_and_no_hold_is_kept(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    """A post Telegram refused (no right to post) is not retried that day; the hold is for
    that day only, and it is dropped once the day is over, even for a chat that is never
    looked at again (it unsubscribed), so holds do not pile up over the days."""
    subscribe_group(fake, storage, GROUP)
    subscribe_group(fake, storage, GROUP2)
    clock.set_local(day(0))
    for chat in (GROUP, GROUP2):
        fake.fail_next("sendMessage", chat_id=chat, error_code=400,
                       description="Bad Request: not enough rights to send text messages")
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
        clock.advance(minutes=45)
        await service.run_due()
        assert posts_in(fake, GROUP) == posts_in(fake, GROUP2) == []
        storage.unsubscribe(GROUP2)
        clock.set_local(day(1))
        await service.run_due()
        assert len(posts_in(fake, GROUP)) == 1 and posts_in(fake, GROUP2) == []
        assert len(service.broadcaster.holds) == 0


async def test_read_timeout_is_logged_uncertain_and_never_repeated(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    """Telegram got the request but answered too late: it may have posted, so no retry."""
    subscribe_group(fake, storage, GROUP)
    clock.set_local(day(0, "07:59"))
    fake.fail_next("sendMessage", chat_id=GROUP, kind="timeout", delay=1.5)  # read_timeout 1 s
    async with running(build_app(settings, engine, storage, clock)) as service:
        clock.set_local(day(0))
        report = await service.run_due()
        assert [r.outcome for r in report.results] == [Outcome.UNCERTAIN]
        late = await fake.async_wait_for(lambda c: c.method == "sendMessage" and c.ok)
        assert late.params["chat_id"] == GROUP  # it was delivered after all
        clock.advance(minutes=45)
        await service.run_due()
    with Storage(settings.db_path, now=clock.now) as reopened:  # and a restart does not resend
        async with running(build_app(settings, engine, reopened, clock)) as service:
            await service.run_due()
    assert len(sends_to(fake, GROUP)) == 1
    assert len(posts_in(fake, GROUP)) == 1
    row = storage.post_on(GROUP, DAY)
    assert row.status == "uncertain"
    assert row.error.startswith("no answer in time")


async def test_forbidden_deactivates_the_subscription(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    subscribe_group(fake, storage, GROUP)
    subscribe_group(fake, storage, GROUP2)
    fake.block(GROUP)  # the bot was kicked without us seeing the update
    clock.set_local(day(0, "07:59"))
    async with running(build_app(settings, engine, storage, clock)) as service:
        clock.set_local(day(0))
        report = await service.run_due()
        clock.set_local(day(1))
        await service.run_due()
    assert {r.chat_id: r.outcome for r in report.results}[GROUP] is Outcome.DEACTIVATED
    sub = storage.get_subscription(GROUP)
    assert not sub.active
    assert sub.deactivated_reason == "forbidden: bot was kicked from the supergroup chat"
    assert len(sends_to(fake, GROUP)) == 1  # not tried again the next day
    assert len(posts_in(fake, GROUP2)) == 2


async def test_migrated_group_gets_its_post_in_the_supergroup_once(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    old = -4001
    subscribe_group(fake, storage, old, chat_type="group", title="小组")
    new = fake.upgrade_to_supergroup(old)
    clock.set_local(day(0, "07:59"))
    async with running(build_app(settings, engine, storage, clock)) as service:
        clock.set_local(day(0))
        report = await service.run_due()
        clock.set_local(day(1))
        await service.run_due()
    (result,) = report.results
    assert (result.chat_id, result.migrated_from, result.outcome) == (new, old, Outcome.SENT)
    assert [c.http_status for c in sends_to(fake, old)] == [400]
    assert len(posts_in(fake, new)) == 2
    assert storage.get_subscription(old) is None
    assert storage.get_subscription(new).active
    assert [(p.chat_id, p.status) for p in storage.posts()] == [(new, "sent"), (new, "sent")]


async def test_chat_not_found_deactivates(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    gone = -1009999
    storage.subscribe(gone, chat_type="supergroup", title="已删除", post_time="08:00")
    clock.set_local(day(0, "07:59"))
    async with running(build_app(settings, engine, storage, clock)) as service:
        clock.set_local(day(0))
        report = await service.run_due()
    assert [r.outcome for r in report.results] == [Outcome.DEACTIVATED]
    sub = storage.get_subscription(gone)
    assert (sub.active, sub.deactivated_reason) == (False, "chat not found")
    assert storage.post_on(gone, DAY).status == "failed"


async def test_one_slow_chat_does_not_hold_up_the_others(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    chats = [GROUP - n for n in range(6)]
    for chat in chats:
        subscribe_group(fake, storage, chat)
    fake.fail_next("sendMessage", chat_id=chats[0], kind="delay", delay=0.6)
    clock.set_local(day(0))
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
    finished = [c.params["chat_id"] for c in fake.calls_of("sendMessage") if c.ok]
    assert sorted(finished) == sorted(chats)
    assert finished[-1] == chats[0]  # the slow one finished last; nobody waited for it


async def test_a_timeout_before_the_request_left_is_retried(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine: Engine
) -> None:
    """Waiting for a free connection timed out: Telegram never saw it, so retrying is safe."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.daily.broadcaster import Broadcaster

    subscribe_group(fake, storage, GROUP)
    subscribe_group(fake, storage, GROUP2)
    fake.fail_next("sendMessage", chat_id=GROUP2, kind="delay", delay=0.6)  # holds the line
    clock.set_local(day(0))
    one_connection = HTTPXRequest(connection_pool_size=1, pool_timeout=0.2)
    async with Bot(fake.token, base_url=fake.base_url, request=one_connection) as bot:
        broadcaster = Broadcaster(
            bot, storage, settings, clock=clock.now, backoff=0.05, read_timeout=2.0
        )
        report = await broadcaster.run_due(engine)
    assert {r.chat_id: r.outcome for r in report.results} == {
        GROUP: Outcome.SENT,
        GROUP2: Outcome.SENT,
    }
    assert len(sends_to(fake, GROUP)) == 1  # the timed-out tries never reached the fake
    assert storage.post_on(GROUP, DAY).attempts >= 2
    assert len(posts_in(fake, GROUP)) == len(posts_in(fake, GROUP2)) == 1


async def test_knowledge_text_is_escaped_in_the_post(
    fake: FakeTelegram,
    settings: Settings,
    storage: Storage,
    clock: Clock,
    knowledge_copy: Path,
) -> None:
    """Article text with <, > or & must reach readers as typed (the fake rejects bad HTML)."""
    intents = knowledge_copy / "intents.yaml"
    text = intents.read_text(encoding="utf-8")
    old = "  title: 北京的高校数量\n  answer: 北京拥有92所高校。\n"
    assert old in text
    intents.write_text(
        text.replace(old, "  title: 高校 & <院所>\n  answer: 北京拥有92所高校 <b>&amp;</b>。\n"),
        encoding="utf-8",
    )
    engine = Engine.load(knowledge_copy)
    subscribe_group(fake, storage, READER)
    for intent in engine.daily_intents():
        if intent.id != "beijing_universities":
            storage.mark_fact_posted(READER, intent.id)
    clock.set_local(day(0))
    async with running(build_app(settings, engine, storage, clock)) as service:
        await service.run_due()
    (post,) = posts_in(fake, READER)
    assert post["text"].startswith(
        "📌 每日一事实｜高校 & <院所>\n\n北京拥有92所高校 <b>&amp;</b>。\n\n北京市拥有92所高校"
    )
