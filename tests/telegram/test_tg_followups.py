"""Follow-up questions over the Bot API: a private chat keeps one conversation, a group one
per member; a reply that could not be sent does not move the conversation on."""

from __future__ import annotations

from typing import Any

from bot.engine.context import EMPTY, TTL_SECONDS
from bot.engine.engine import Engine
from bot.telegram.services import Conversations
from tests.telegram.support import (
    ALICE,
    BOB,
    GROUP,
    BotHarness,
    ManualClock,
    answer_html,
    answer_keyboard,
    buttons,
)

TOPIC = "北脑二号是什么？"
FOLLOW_UP = "它是谁研发的？"  # alone, the article's likeliest 它 is the surgical robot
MEANT = "北脑二号是谁研发的？"
OTHER_TOPIC = "天坛医院的手术机器人是干什么的？"


def expected(engine: Engine, question: str, chat_id: int, **extra: Any) -> dict[str, Any]:
    reply = engine.ask(question)
    assert reply.kind == "answer" and reply.intent
    return {
        "chat_id": chat_id,
        "text": answer_html(reply),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "reply_markup": answer_keyboard(engine, reply.intent),
        **extra,
    }


def replying_to(update: dict[str, Any]) -> dict[str, Any]:
    message_id = update["message"]["message_id"]
    return {"reply_parameters": {"message_id": message_id, "allow_sending_without_reply": True}}


async def test_a_pronoun_in_a_private_chat_means_the_last_topic(
    bot: BotHarness, engine: Engine
) -> None:
    assert engine.ask(FOLLOW_UP).intent != engine.ask(MEANT).intent  # context decides
    first = await bot.private(ALICE, TOPIC)
    assert first.params == expected(engine, TOPIC, ALICE)
    follow_up = await bot.private(ALICE, FOLLOW_UP)
    assert follow_up.params == expected(engine, MEANT, ALICE)
    assert "北京脑科学与类脑研究所" in follow_up.result["text"]
    # Bob's chat is another conversation: there the message is read alone
    alone = await bot.private(BOB, FOLLOW_UP)
    assert alone.params == expected(engine, FOLLOW_UP, BOB)


async def test_in_a_group_each_member_has_their_own_conversation(
    bot: BotHarness, engine: Engine
) -> None:
    asked = bot.fake.message_update(GROUP, ALICE, f"/ask {TOPIC}")
    await bot.one_message(asked)
    between = bot.fake.message_update(GROUP, BOB, f"@factbot_bot {OTHER_TOPIC}")
    await bot.one_message(between)
    chatter = bot.fake.message_update(GROUP, BOB, "它是谁研发的，大家知道吗")
    assert await bot.exchange(chatter) == []  # not addressed to the bot: not a turn
    follow_up = bot.fake.message_update(GROUP, ALICE, f"@factbot_bot {FOLLOW_UP}")
    call = await bot.one_message(follow_up)
    assert call.params == expected(engine, MEANT, GROUP, **replying_to(follow_up))
    bobs = bot.fake.message_update(GROUP, BOB, f"@factbot_bot {FOLLOW_UP}")
    call = await bot.one_message(bobs)  # Bob's 它 is the robot he asked about
    assert call.params["reply_parameters"] == replying_to(bobs)["reply_parameters"]
    assert "李佑祥教授团队自主研发" in call.params["text"]
    assert "类脑研究所" not in call.params["text"]


async def test_an_unsent_reply_does_not_move_the_conversation_on(
    bot: BotHarness, engine: Engine
) -> None:
    bot.expect_errors = True
    await bot.private(ALICE, TOPIC)
    bot.fake.fail_next("sendMessage", error_code=500)
    lost = await bot.exchange(bot.fake.message_update(ALICE, ALICE, "Vidu是什么？"))
    assert [(c.method, c.http_status) for c in lost] == [
        ("sendMessage", 500),
        ("sendMessage", 200),  # the apology
    ]
    follow_up = await bot.private(ALICE, FOLLOW_UP)
    assert follow_up.params == expected(engine, MEANT, ALICE)


async def test_the_conversation_is_forgotten_after_a_few_minutes(
    bot: BotHarness, engine: Engine
) -> None:
    await bot.private(ALICE, TOPIC)
    bot.clock.advance(TTL_SECONDS + 1)
    late = await bot.private(ALICE, FOLLOW_UP)
    assert late.params == expected(engine, FOLLOW_UP, ALICE)


async def test_more_continues_the_passage_in_a_chat(bot: BotHarness, engine: Engine) -> None:
    first = await bot.private(ALICE, "北京有多少所高校？")
    more = await bot.private(ALICE, "原文怎么说")
    reply = engine.ask("北京有多少所高校？")
    paragraph, where = engine.paragraph_of(reply.sources[0].fact_id) or ("", "")
    assert more.result["text"].startswith(f"原文是这样写的：\n{paragraph}\n来源：{where}")
    assert more.params["text"] != first.params["text"]
    # its buttons stand for the paragraph's first sentence: 原文, 相关 and the votes
    opening = min(
        (f for f in engine.knowledge.facts if f.paragraph == reply.sources[0].paragraph_id),
        key=lambda f: f.sentence,
    )
    assert more.params["reply_markup"] == answer_keyboard(engine, opening.id)


def test_the_conversation_store_is_bounded_and_expiring(engine: Engine) -> None:
    clock = ManualClock()
    store = Conversations(size=2, clock=clock)
    _, context = engine.converse(TOPIC, EMPTY, clock())
    for chat in (1, 2, 3):
        store.put((chat, None), context)
    assert len(store) == 2 and store.get((1, None), clock()) == EMPTY  # the oldest went
    assert store.get((3, None), clock()) == context
    clock.advance(TTL_SECONDS + 1)
    assert store.get((3, None), clock()) == EMPTY and len(store) == 1
    store.put((2, None), EMPTY)  # a dropped context is not kept at all
    assert len(store) == 0


async def test_an_answer_chosen_by_a_button_is_what_a_follow_up_is_about(
    bot: BotHarness, engine: Engine
) -> None:
    refused = await bot.private(ALICE, "北脑二号多少钱？")
    choices = dict(buttons(refused))
    assert choices["北脑二号是什么？"].startswith("s:")
    press = bot.fake.callback_query_update(
        ALICE, ALICE, refused.result["message_id"], choices["北脑二号是什么？"]
    )
    calls = await bot.exchange(press)
    assert [c.method for c in calls] == ["editMessageText", "answerCallbackQuery"]
    follow_up = await bot.private(ALICE, FOLLOW_UP)
    assert follow_up.params == expected(engine, MEANT, ALICE)


async def test_a_reply_to_an_answer_follows_on_from_that_answer(
    bot: BotHarness, engine: Engine
) -> None:
    asked = bot.fake.message_update(GROUP, ALICE, f"/ask {TOPIC}")
    answer = await bot.one_message(asked)
    await bot.one_message(bot.fake.message_update(GROUP, BOB, f"/ask {OTHER_TOPIC}"))
    bot.clock.advance(TTL_SECONDS + 1)  # long after, and Bob's own topic was another
    reply = bot.fake.message_update(
        GROUP, BOB, FOLLOW_UP, reply_to_message_id=answer.result["message_id"]
    )
    call = await bot.one_message(reply)
    assert call.params == expected(engine, MEANT, GROUP, **replying_to(reply))
