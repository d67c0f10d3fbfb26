"""Groups: silent unless addressed (/ask in all its forms, @mention, reply to the bot);
answers reply to the asker; odd messages never crash anything."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine.engine import Engine
from tests.telegram.support import ALICE, BOB, GROUP, BotHarness, answer_html, answer_keyboard

QUESTION = "北京有多少所高校"
CHANNEL = -1009876543210


def assert_answers(call: Any, engine: Engine, question: str, asker_message_id: int) -> None:
    reply = engine.ask(question)
    assert call.ok, call.description
    assert call.params == {
        "chat_id": GROUP,
        "text": answer_html(reply),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "reply_markup": answer_keyboard(engine, reply.intent),
        "reply_parameters": {"message_id": asker_message_id, "allow_sending_without_reply": True},
    }
    assert call.result["reply_to_message"]["message_id"] == asker_message_id


async def test_chatter_is_ignored(bot: BotHarness) -> None:
    chatter = (QUESTION, "大家好", "/weather", "/start@other_bot", f"/ask@other_bot {QUESTION}",
               "email me at x@factbot_bot.example")
    for text in chatter:
        update = bot.fake.message_update(GROUP, ALICE, text)
        assert await bot.exchange(update) == [], text


@pytest.mark.parametrize(
    "text",
    [f"/ask {QUESTION}", f"/ask{QUESTION}", f"/ask@factbot_bot {QUESTION}",
     f"/ask@factbot_bot{QUESTION}", f"/ASK  {QUESTION}"],
)
async def test_ask_in_every_form_is_answered_as_a_reply(
    bot: BotHarness, engine: Engine, text: str
) -> None:
    update = bot.fake.message_update(GROUP, ALICE, text)
    # Telegram marks "/ask 问题" as a command but "/ask问题" as plain text: both must work.
    call = await bot.one_message(update)
    assert_answers(call, engine, QUESTION, update["message"]["message_id"])


async def test_mention_is_answered_as_a_reply(bot: BotHarness, engine: Engine) -> None:
    for text in (f"@factbot_bot {QUESTION}", f"请问 @factbot_bot，{QUESTION}",
                 f"@FactBot_Bot{QUESTION}"):
        update = bot.fake.message_update(GROUP, ALICE, text)
        call = await bot.one_message(update)
        assert_answers(call, engine, QUESTION, update["message"]["message_id"])


async def test_reply_to_the_bot_is_a_question(bot: BotHarness, engine: Engine) -> None:
    asked = bot.fake.message_update(GROUP, ALICE, f"/ask {QUESTION}")
    answer = await bot.one_message(asked)
    follow_up = "北京有多少科研人员？"
    update = bot.fake.message_update(
        GROUP, BOB, follow_up, reply_to_message_id=answer.result["message_id"]
    )
    call = await bot.one_message(update)
    assert_answers(call, engine, follow_up, update["message"]["message_id"])
    # A reply to somebody else is chatter.
    other = bot.fake.message_update(
        GROUP, ALICE, "是啊", reply_to_message_id=update["message"]["message_id"]
    )
    assert await bot.exchange(other) == []


async def test_empty_ask_and_bare_mention_get_a_usage_hint(bot: BotHarness) -> None:
    example = bot.app.bot_data["services"].renderer.example_question()
    call = await bot.one_message(bot.fake.message_update(GROUP, ALICE, "/ask"))
    assert call.params["text"] == f"请在 /ask 后面写上问题，例如：/ask {example}"
    call = await bot.one_message(bot.fake.message_update(GROUP, ALICE, "@factbot_bot"))
    assert call.params["text"] == (
        f"请在 @factbot_bot 后面写上问题，例如：@factbot_bot {example}"
    )


async def test_our_commands_answer_in_groups_unknown_ones_do_not(bot: BotHarness) -> None:
    update = bot.fake.message_update(GROUP, ALICE, "/help@factbot_bot")
    call = await bot.one_message(update)
    assert call.result["reply_to_message"]["message_id"] == update["message"]["message_id"]
    assert "/ask" in call.result["text"]
    start = await bot.one_message(bot.fake.message_update(GROUP, ALICE, "/start"))
    assert "在群里请用 /ask" in start.result["text"]
    assert await bot.exchange(bot.fake.message_update(GROUP, ALICE, "/weather@factbot_bot")) == []


async def test_anonymous_admin_and_channel_identity_can_ask(
    bot: BotHarness, engine: Engine
) -> None:
    update = bot.fake.message_update(GROUP, None, f"/ask {QUESTION}", sender_chat=GROUP)
    call = await bot.one_message(update)
    assert_answers(call, engine, QUESTION, update["message"]["message_id"])
    update = bot.fake.message_update(GROUP, None, f"@factbot_bot {QUESTION}", sender_chat=CHANNEL)
    call = await bot.one_message(update)
    assert_answers(call, engine, QUESTION, update["message"]["message_id"])


async def test_caption_question_in_a_group(bot: BotHarness, engine: Engine) -> None:
    update = bot.fake.message_update(GROUP, ALICE, caption=f"@factbot_bot {QUESTION}")
    call = await bot.one_message(update)
    assert_answers(call, engine, QUESTION, update["message"]["message_id"])
    uncaptioned = bot.fake.message_update(GROUP, ALICE, photo=True)
    assert await bot.exchange(uncaptioned) == []


async def test_forum_topic_answer_stays_in_the_topic(bot: BotHarness) -> None:
    forum = -1005550001
    bot.fake.add_chat(forum, "supergroup", title="话题群", is_forum=True)
    update = bot.fake.message_update(forum, ALICE, f"/ask {QUESTION}", message_thread_id=7)
    call = await bot.one_message(update)
    assert call.params["message_thread_id"] == 7
    assert call.result["message_thread_id"] == 7


def _without_text(update: dict[str, Any], **content: Any) -> dict[str, Any]:
    message = update["message"]
    message.pop("text", None)
    message.pop("entities", None)
    message.update(content)
    return update


async def test_things_that_are_not_questions_get_nothing(bot: BotHarness) -> None:
    fake = bot.fake
    bob = fake.user(BOB, "Bob")
    voice = {"file_id": "v1", "file_unique_id": "uv1", "duration": 2, "mime_type": "audio/ogg"}
    updates = [
        fake.message_update(ALICE, ALICE, sticker=True),
        fake.message_update(GROUP, ALICE, sticker=True),
        _without_text(fake.message_update(ALICE, ALICE, "x"), voice=voice),
        _without_text(fake.message_update(GROUP, ALICE, "x"), new_chat_members=[bob]),
        _without_text(fake.message_update(GROUP, ALICE, "x"), left_chat_member=bob),
        _without_text(fake.message_update(GROUP, ALICE, "x"), new_chat_title="新名字"),
        fake.message_update(ALICE, ALICE, QUESTION, forward=True),
        fake.message_update(GROUP, ALICE, f"@factbot_bot {QUESTION}", forward=True),
        # The discussion-group copy of a linked channel's post.
        fake.message_update(GROUP, None, f"/ask {QUESTION}", sender_chat=CHANNEL,
                            is_automatic_forward=True),
        fake.channel_post_update(CHANNEL, QUESTION),
        fake.channel_post_update(CHANNEL, f"@factbot_bot {QUESTION}"),
        fake.my_chat_member_update(-1007770001, "member", title="新群"),
    ]
    for update in updates:
        calls = await bot.exchange(update)
        assert [c for c in calls if c.method.startswith(("send", "edit"))] == [], update
    # ...and the bot is still fine.
    call = await bot.private(ALICE, QUESTION)
    assert call.ok
