"""/subscribe, /unsubscribe, /subscription and membership changes, end to end.

Updates go through the fake Bot API's getUpdates into the real Application; what is checked is
the reply a user sees (text, chat, the message it answers) and what ends up in SQLite.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.config import Settings
from bot.schedule import USER_MESSAGE
from bot.storage import Storage
from tests.daily.conftest import (
    ADMIN,
    CHANNEL,
    GROUP,
    MEMBER,
    USER,
    Clock,
    build_app,
    posts_in,
    running,
)
from tests.fake_telegram import Call, FakeTelegram

HOW_TO_CHANGE = "改时间：/subscribe HH:MM　退订：/unsubscribe"


def setup_group(fake: FakeTelegram) -> None:
    fake.add_chat(GROUP, "supergroup", title="高校讨论组")
    fake.user(ADMIN, "Ada")
    fake.user(MEMBER, "Mo")
    fake.set_member(GROUP, ADMIN, "administrator")
    fake.set_member(GROUP, MEMBER, "member")


async def send(fake: FakeTelegram, update: dict[str, Any]) -> Call:
    """Pushes an update and returns the bot's one reply to it."""
    count = len(fake.calls_of("sendMessage")) + 1
    fake.push_update(update)
    return await fake.async_wait_for("sendMessage", count=count)


def message_id(update: dict[str, Any]) -> int:
    body = update.get("message") or update.get("channel_post")
    assert body is not None
    return body["message_id"]


async def test_admin_subscribes_group_with_default_time(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    setup_group(fake)
    async with running(build_app(settings, engine, storage, clock)):
        update = fake.message_update(GROUP, ADMIN, "/subscribe")
        reply = await send(fake, update)
    assert reply.ok
    assert reply.params["chat_id"] == GROUP
    assert reply.params["reply_parameters"]["message_id"] == message_id(update)
    assert reply.result["text"] == (
        "已订阅：每天 08:00（Asia/Shanghai）发送一条文章里的事实。下一条：明天（5月1日）08:00。\n"
        + HOW_TO_CHANGE
    )
    sub = storage.get_subscription(GROUP)
    assert sub is not None
    assert (sub.active, sub.chat_type, sub.title, sub.post_time) == (
        True,
        "supergroup",
        "高校讨论组",
        "08:00",
    )


async def test_creator_sets_a_time_and_command_may_name_the_bot(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    setup_group(fake)
    fake.set_member(GROUP, ADMIN, "creator")
    async with running(build_app(settings, engine, storage, clock)):
        first = await send(fake, fake.message_update(GROUP, ADMIN, "/subscribe 9:30"))
        named = fake.message_update(GROUP, ADMIN, "/subscribe@factbot_bot 21：30")
        second = await send(fake, named)
    # 12:00 now: 09:30 has passed today, 21:30 (typed with a full-width colon) has not.
    assert first.result["text"].startswith("已订阅：每天 09:30（Asia/Shanghai）")
    assert "下一条：明天（5月1日）09:30。" in first.result["text"]
    assert second.result["text"].startswith("已订阅：每天 21:30（Asia/Shanghai）")
    assert "下一条：今天（4月30日）21:30。" in second.result["text"]
    assert storage.get_subscription(GROUP).post_time == "21:30"


async def test_non_admin_can_neither_subscribe_nor_unsubscribe(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    setup_group(fake)
    async with running(build_app(settings, engine, storage, clock)):
        refused = await send(fake, fake.message_update(GROUP, MEMBER, "/subscribe 07:00"))
        assert storage.get_subscription(GROUP) is None
        await send(fake, fake.message_update(GROUP, ADMIN, "/subscribe"))
        refused_too = await send(fake, fake.message_update(GROUP, MEMBER, "/unsubscribe"))
    assert refused.result["text"] == "只有群管理员可以订阅。"
    assert refused.params["reply_parameters"]["message_id"] > 0
    assert refused_too.result["text"] == "只有群管理员可以退订。"
    assert storage.get_subscription(GROUP).active


async def test_anonymous_admin_counts_as_admin_but_another_channel_does_not(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    setup_group(fake)
    fake.add_chat(CHANNEL, "channel", title="某频道")
    async with running(build_app(settings, engine, storage, clock)):
        as_channel = await send(
            fake, fake.message_update(GROUP, None, "/subscribe", sender_chat=CHANNEL)
        )
        assert storage.get_subscription(GROUP) is None
        anonymous = await send(
            fake, fake.message_update(GROUP, None, "/subscribe 10:00", sender_chat=GROUP)
        )
    assert as_channel.result["text"] == "只有群管理员可以订阅。"
    assert anonymous.result["text"].startswith("已订阅：每天 10:00（Asia/Shanghai）")
    assert not any(c.method == "getChatMember" for c in fake.calls)
    assert storage.get_subscription(GROUP).active


async def test_invalid_time_shows_the_expected_form_and_keeps_the_old_time(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    setup_group(fake)
    async with running(build_app(settings, engine, storage, clock)):
        await send(fake, fake.message_update(GROUP, ADMIN, "/subscribe 07:45"))
        replies = [
            await send(fake, fake.message_update(GROUP, ADMIN, f"/subscribe {bad}"))
            for bad in ("25:00", "8点", "0800", "08:00 明天")
        ]
    assert USER_MESSAGE == "时间格式不对，请用 HH:MM（24 小时制），例如 08:00 或 21:30。"
    assert [r.result["text"] for r in replies] == [USER_MESSAGE] * 4
    assert storage.get_subscription(GROUP).post_time == "07:45"


async def test_private_chat_self_subscription_gets_its_post(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    user = fake.user(USER, "Lin")
    app = build_app(settings, engine, storage, clock)
    async with running(app) as service:
        reply = await send(fake, fake.message_update(USER, user, "/subscribe 07:15"))
        clock.set_local("2024-05-01 07:15")
        await service.run_due()
    assert reply.params["chat_id"] == USER
    assert reply.result["text"] == (
        "已订阅：每天 07:15（Asia/Shanghai）发送一条文章里的事实。下一条：明天（5月1日）07:15。\n"
        + HOW_TO_CHANGE
    )
    sub = storage.get_subscription(USER)
    assert (sub.chat_type, sub.title) == ("private", "Lin")
    assert len(posts_in(fake, USER)) == 1


async def test_channel_post_subscribes_the_channel(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    fake.add_chat(CHANNEL, "channel", title="每日科技")
    async with running(build_app(settings, engine, storage, clock)):
        update = fake.channel_post_update(CHANNEL, "/subscribe 18:00")
        reply = await send(fake, update)
        listing = await send(fake, fake.channel_post_update(CHANNEL, "/subscription"))
    assert reply.params["chat_id"] == CHANNEL
    assert reply.params["reply_parameters"]["message_id"] == message_id(update)
    assert reply.result["text"].startswith("已订阅：每天 18:00（Asia/Shanghai）")
    assert listing.result["text"] == (
        "每日事实：每天 18:00（Asia/Shanghai）。下一条：今天（4月30日）18:00。\n" + HOW_TO_CHANGE
    )
    sub = storage.get_subscription(CHANNEL)
    assert (sub.chat_type, sub.title, sub.active) == ("channel", "每日科技", True)


async def test_subscription_shows_state_time_zone_and_next_post(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    setup_group(fake)
    async with running(build_app(settings, engine, storage, clock)):
        before = await send(fake, fake.message_update(GROUP, MEMBER, "/subscription"))
        await send(fake, fake.message_update(GROUP, ADMIN, "/subscribe 08:30"))
        active = await send(fake, fake.message_update(GROUP, MEMBER, "/subscription"))
        gone = await send(fake, fake.message_update(GROUP, ADMIN, "/unsubscribe"))
        after = await send(fake, fake.message_update(GROUP, MEMBER, "/subscription"))
        again = await send(fake, fake.message_update(GROUP, ADMIN, "/unsubscribe"))
    assert before.result["text"] == (
        "这个聊天还没有订阅每日事实。管理员发送 /subscribe 即可订阅"
        "（默认每天 08:00，也可以指定时间，例如 /subscribe 09:30）。"
    )
    assert active.result["text"] == (
        "每日事实：每天 08:30（Asia/Shanghai）。下一条：明天（5月1日）08:30。\n" + HOW_TO_CHANGE
    )
    assert gone.result["text"] == "已退订：不再发送每日事实。想恢复时发送 /subscribe。"
    assert after.result["text"] == (
        "每日事实已退订（原为每天 08:30）。管理员发送 /subscribe 即可重新订阅。"
    )
    assert again.result["text"] == "这个聊天没有订阅每日事实。发送 /subscribe 即可订阅。"
    sub = storage.get_subscription(GROUP)
    assert (sub.active, sub.deactivated_reason) == (False, "unsubscribed")


async def test_admin_check_failure_gets_a_clear_message(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    setup_group(fake)
    async with running(build_app(settings, engine, storage, clock)):
        fake.fail_next("getChatMember", error_code=500, times=3)  # every attempt
        reply = await send(fake, fake.message_update(GROUP, ADMIN, "/subscribe"))
    assert reply.result["text"] == "暂时无法确认你是不是群管理员，请稍后再试。"
    assert storage.get_subscription(GROUP) is None


async def test_only_one_reply_to_a_subscription_command(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    """The question handlers must not also answer /subscribe (or a private "/subscribe")."""
    setup_group(fake)
    user = fake.user(USER, "Lin")
    async with running(build_app(settings, engine, storage, clock)):
        await send(fake, fake.message_update(GROUP, ADMIN, "/subscribe"))
        await send(fake, fake.message_update(USER, user, "/subscribe"))
        await send(fake, fake.message_update(USER, user, "/subscription"))
        await asyncio.sleep(0.3)  # let any second handler have its go
    assert len(fake.sent_messages(GROUP)) == 1
    assert len(fake.sent_messages(USER)) == 2


async def test_removal_deactivates_and_readding_needs_a_new_subscribe(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    setup_group(fake)
    app = build_app(settings, engine, storage, clock)
    async with running(app) as service:
        await send(fake, fake.message_update(GROUP, ADMIN, "/subscribe"))
        fake.push_update(fake.my_chat_member_update(GROUP, "kicked", user=ADMIN))
        await _until(lambda: not storage.get_subscription(GROUP).active)
        sub = storage.get_subscription(GROUP)
        assert sub.deactivated_reason == "removed from the chat"

        welcome = await send(fake, fake.my_chat_member_update(GROUP, "member", user=ADMIN))
        assert welcome.params["chat_id"] == GROUP
        assert welcome.result["text"] == (
            "欢迎回来！这里之前订阅的每日事实（每天 08:00）已暂停，管理员发送 /subscribe 即可恢复。"
        )
        clock.set_local("2024-05-01 08:00")
        await service.run_due()
        assert posts_in(fake, GROUP) == []  # re-added is not re-subscribed

        fake.set_member(GROUP, ADMIN, "administrator")
        reply = await send(fake, fake.message_update(GROUP, ADMIN, "/subscribe 08:00"))
        assert reply.result["text"].startswith("已订阅：每天 08:00")
        assert storage.get_subscription(GROUP).active
        clock.set_local("2024-05-02 08:00")
        await service.run_due()
    assert len(posts_in(fake, GROUP)) == 1


async def test_blocking_in_private_deactivates(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    user = fake.user(USER, "Lin")
    async with running(build_app(settings, engine, storage, clock)):
        await send(fake, fake.message_update(USER, user, "/subscribe"))
        fake.push_update(fake.my_chat_member_update(USER, "kicked", user=user))
        await _until(lambda: not storage.get_subscription(USER).active)
    assert storage.get_subscription(USER).deactivated_reason == "blocked by the user"


async def test_group_upgrade_moves_the_subscription(
    fake: FakeTelegram, settings: Settings, storage: Storage, clock: Clock, engine
) -> None:
    old = -4001
    fake.add_chat(old, "group", title="小组")
    fake.user(ADMIN, "Ada")
    fake.set_member(old, ADMIN, "creator")
    async with running(build_app(settings, engine, storage, clock)):
        await send(fake, fake.message_update(old, ADMIN, "/subscribe 09:00"))
        new = -1004001
        # The service message Telegram leaves in the old group ("upgraded to a supergroup").
        service_message = fake.message_update(old, ADMIN, "x")
        service_message["message"].pop("text")
        service_message["message"]["migrate_to_chat_id"] = new
        fake.upgrade_to_supergroup(old, new)
        fake.push_update(service_message)
        await _until(lambda: storage.get_subscription(new) is not None)
    assert storage.get_subscription(old) is None
    assert storage.get_subscription(new).post_time == "09:00"


async def _until(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.02)
