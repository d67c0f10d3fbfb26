"""Buttons: 原文, 相关, examples, suggestions answered in place, votes, stale data."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine
from tests.fake_telegram import Call
from tests.telegram.support import (
    ALICE,
    BOB,
    GROUP,
    BotHarness,
    MakeBot,
    answer_html,
    answer_keyboard,
    buttons,
    esc,
    question_of_kind,
)

QUESTION = "北京有多少所高校？"
STALE = "这个按钮已过期，请重新提问。"


def press(bot: BotHarness, chat_id: int, user: int, message_id: int, data: str) -> dict:
    return bot.fake.callback_query_update(chat_id, user, message_id, data)


def callback_answer(calls: list[Call]) -> Call:
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.ok, answer.description
    return answer


async def test_original_sends_the_whole_paragraphs(bot: BotHarness, engine: Engine) -> None:
    reply = engine.ask(QUESTION)
    answer = await bot.private(ALICE, QUESTION)
    calls = await bot.exchange(press(bot, ALICE, ALICE, answer.result["message_id"],
                                     f"o:{reply.intent}"))
    [sent] = [c for c in calls if c.method == "sendMessage"]
    expected = ["<b>原文</b>"]
    seen = set()
    for source in reply.sources:
        if source.paragraph_id in seen:
            continue
        seen.add(source.paragraph_id)
        found = engine.paragraph_of(source.fact_id)
        assert found is not None
        expected += [f"<blockquote>{esc(found[0])}</blockquote>", f"来源：{esc(found[1])}"]
    assert sent.params["text"] == "\n".join(expected)
    assert sent.params["parse_mode"] == "HTML"
    assert "text" not in callback_answer(calls).params  # just stops the spinner


async def test_related_lists_facts_whose_buttons_answer(bot: BotHarness, engine: Engine) -> None:
    reply = engine.ask(QUESTION)
    related = engine.related(reply.intent, limit=3)
    assert related, "the test question needs related facts"
    answer = await bot.private(ALICE, QUESTION)
    calls = await bot.exchange(press(bot, ALICE, ALICE, answer.result["message_id"],
                                     f"r:{reply.intent}"))
    [sent] = [c for c in calls if c.method == "sendMessage"]
    assert sent.params["text"] == "\n".join(
        ["<b>相关内容</b>"] + [f"· {esc(i.title)}：{esc(i.answer)}" for i in related]
    )
    assert buttons(sent) == [(i.title, f"a:{i.id}") for i in related]
    callback_answer(calls)

    first = related[0]
    calls = await bot.exchange(press(bot, ALICE, ALICE, sent.result["message_id"], f"a:{first.id}"))
    [full] = [c for c in calls if c.method == "sendMessage"]
    expected = engine.reply_for(first.id)
    assert expected is not None
    assert full.params["text"] == answer_html(expected)
    assert full.params["reply_markup"] == answer_keyboard(engine, first.id)


async def test_example_button_from_start_answers(bot: BotHarness, engine: Engine) -> None:
    welcome = await bot.private(ALICE, "/start")
    _label, data = buttons(welcome)[0]
    calls = await bot.exchange(press(bot, ALICE, ALICE, welcome.result["message_id"], data))
    [sent] = [c for c in calls if c.method == "sendMessage"]
    expected = engine.reply_for(data[2:])
    assert expected is not None
    assert sent.params["text"] == answer_html(expected)
    callback_answer(calls)


@pytest.mark.parametrize("kind", ["fallback", "clarify"])
async def test_suggestion_is_answered_in_place_and_votes_keep_the_question(
    bot: BotHarness, engine: Engine, kind: str
) -> None:
    question = question_of_kind(engine, kind)
    asked = await bot.private(ALICE, question)
    _label, data = buttons(asked)[0]
    message_id = asked.result["message_id"]
    calls = await bot.exchange(press(bot, ALICE, ALICE, message_id, data))
    assert [c.method for c in calls] == ["editMessageText", "answerCallbackQuery"]
    key = data[2:]
    expected = engine.reply_for(key)
    assert expected is not None
    assert calls[0].params["message_id"] == message_id
    assert calls[0].params["text"] == answer_html(expected)
    assert calls[0].params["reply_markup"] == answer_keyboard(engine, key)
    shown = bot.fake.get_message(ALICE, message_id)
    assert shown is not None and shown["text"].startswith(expected.lead)

    await bot.exchange(press(bot, ALICE, ALICE, message_id, f"u:{key}"))
    [vote] = bot.storage.votes()
    assert (vote.question, vote.fact_id, vote.vote) == (question, expected.sources[0].fact_id, 1)


async def test_votes_are_stored_with_the_question(bot: BotHarness, engine: Engine) -> None:
    reply = engine.ask(QUESTION)
    answer = await bot.private(ALICE, QUESTION)
    message_id = answer.result["message_id"]
    calls = await bot.exchange(press(bot, ALICE, ALICE, message_id, f"u:{reply.intent}"))
    assert callback_answer(calls).params["text"] == "谢谢！已记下：这个回答有帮助。"
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    calls = await bot.exchange(press(bot, ALICE, ALICE, message_id, f"d:{reply.intent}"))
    assert callback_answer(calls).params["text"] == "谢谢反馈！已记下：这个回答不够好。"
    [vote] = bot.storage.votes()  # Alice changed her mind: one vote, now -1
    assert (vote.chat_id, vote.message_id, vote.user_id) == (ALICE, message_id, ALICE)
    assert (vote.question, vote.fact_id, vote.vote) == (QUESTION, reply.sources[0].fact_id, -1)


async def test_group_vote_after_a_restart_still_finds_the_question(
    make_bot: MakeBot, engine: Engine
) -> None:
    first = await make_bot()
    reply = engine.ask(QUESTION)
    answer = await first.one_message(first.fake.message_update(GROUP, ALICE, f"/ask {QUESTION}"))
    assert first.app.updater is not None
    await first.app.updater.stop()
    await first.app.stop()
    second = await make_bot()  # a fresh process: nothing remembered but the database
    update = press(second, GROUP, BOB, answer.result["message_id"], f"u:{reply.intent}")
    await second.exchange(update)
    [vote] = second.storage.votes()
    assert (vote.user_id, vote.question, vote.vote) == (BOB, QUESTION, 1)


async def test_group_buttons_reply_to_the_answer(bot: BotHarness, engine: Engine) -> None:
    reply = engine.ask(QUESTION)
    asked = bot.fake.message_update(GROUP, ALICE, f"@factbot_bot {QUESTION}")
    answer = await bot.one_message(asked)
    calls = await bot.exchange(press(bot, GROUP, BOB, answer.result["message_id"],
                                     f"o:{reply.intent}"))
    [sent] = [c for c in calls if c.method == "sendMessage"]
    assert sent.params["reply_parameters"]["message_id"] == answer.result["message_id"]


@pytest.mark.parametrize(
    "data",
    ["o:no_such_intent", "z:beijing_universities", "garbage", "u:", "a:~0123456789ab",
     "s:../../etc", "o:beijing_universities:extra", "r:" + "x" * 60],
)
async def test_stale_or_forged_buttons_get_a_short_notice(bot: BotHarness, data: str) -> None:
    answer = await bot.private(ALICE, QUESTION)
    calls = await bot.exchange(press(bot, ALICE, ALICE, answer.result["message_id"], data))
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == STALE
    assert bot.storage.votes() == []


async def test_button_on_a_message_telegram_no_longer_has(bot: BotHarness, engine: Engine) -> None:
    reply = engine.ask(QUESTION)
    calls = await bot.exchange(press(bot, ALICE, ALICE, 999, f"o:{reply.intent}"))
    assert [c.method for c in calls] == ["sendMessage", "answerCallbackQuery"]


async def test_pressing_a_suggestion_again_sends_no_edit_that_changes_nothing(
    bot: BotHarness, engine: Engine
) -> None:
    question = question_of_kind(engine, "clarify")
    asked = await bot.private(ALICE, question)
    _label, data = buttons(asked)[0]
    message_id = asked.result["message_id"]
    first = await bot.exchange(press(bot, ALICE, ALICE, message_id, data))
    assert [(c.method, c.http_status) for c in first] == [
        ("editMessageText", 200), ("answerCallbackQuery", 200)]
    shown = bot.fake.get_message(ALICE, message_id)
    # A second tap (a slow client, a double tap) on the message that already shows it.
    again = await bot.exchange(press(bot, ALICE, ALICE, message_id, data))
    assert [(c.method, c.http_status) for c in again] == [("answerCallbackQuery", 200)]
    assert "text" not in again[0].params
    assert bot.fake.get_message(ALICE, message_id) == shown


async def test_an_edited_question_with_the_same_answer_sends_no_edit(
    bot: BotHarness, engine: Engine
) -> None:
    asked = bot.fake.message_update(ALICE, ALICE, QUESTION)
    answer = await bot.one_message(asked)
    reworded = QUESTION.rstrip("？")
    assert engine.ask(reworded) == engine.ask(QUESTION)
    edit = bot.fake.message_update(
        ALICE, ALICE, reworded, edited=True, message_id=asked["message"]["message_id"]
    )
    assert await bot.exchange(edit) == []
    stored = bot.fake.get_message(ALICE, answer.result["message_id"])
    assert stored is not None and "edit_date" not in stored


async def test_not_modified_from_telegram_is_harmless(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "clarify")
    asked = await bot.private(ALICE, question)
    _label, data = buttons(asked)[0]
    bot.fake.fail_next("editMessageText", error_code=400,
                       description="Bad Request: message is not modified")
    calls = await bot.exchange(press(bot, ALICE, ALICE, asked.result["message_id"], data))
    assert [(c.method, c.http_status) for c in calls] == [
        ("editMessageText", 400), ("answerCallbackQuery", 200)]
    assert "text" not in calls[1].params  # no apology, no second message


async def test_a_suggestion_on_a_message_telegram_no_longer_has_is_sent_anew(
    bot: BotHarness, engine: Engine
) -> None:
    reply = engine.ask(QUESTION)
    calls = await bot.exchange(press(bot, ALICE, ALICE, 999, f"s:{reply.intent}"))
    assert [(c.method, c.http_status) for c in calls] == [
        ("sendMessage", 200), ("answerCallbackQuery", 200)]
    assert calls[0].params["text"] == answer_html(reply)
