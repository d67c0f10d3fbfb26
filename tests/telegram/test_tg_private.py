"""Private chats: every text is a question; commands; deep links; long answers."""

from __future__ import annotations

import re

from bot.engine.engine import Engine
from bot.telegram.callbacks import KeyCodec
from tests.telegram.support import (
    ALICE,
    BOB,
    BotHarness,
    MakeBot,
    answer_html,
    answer_keyboard,
    buttons,
    esc,
    question_of_kind,
)

QUESTION = "北京有多少所高校？"


async def test_question_gets_exact_answer_payload(bot: BotHarness, engine: Engine) -> None:
    reply = engine.ask(QUESTION)
    assert reply.kind == "answer" and reply.intent
    call = await bot.private(ALICE, QUESTION)
    assert call.params == {
        "chat_id": ALICE,
        "text": answer_html(reply),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "reply_markup": answer_keyboard(engine, reply.intent),
    }
    # What Alice sees: the plain text, each quote marked as a blockquote.
    shown = call.result
    assert shown["text"].startswith(reply.lead + "\n" + reply.sources[0].quote)
    assert shown["text"].endswith("来源：" + reply.sources[-1].locator)
    assert [e["type"] for e in shown["entities"]].count("blockquote") == len(reply.sources)
    assert "reply_to_message" not in shown  # private answers do not quote the question


async def test_user_text_and_article_text_are_escaped(bot: BotHarness, engine: Engine) -> None:
    question = "<b>北京</b> & 有多少所高校？"
    reply = engine.ask(question)
    call = await bot.private(ALICE, question)
    assert call.ok
    assert call.params["text"].startswith(esc(reply.lead))
    assert "<b>北京</b>" not in call.params["text"]


async def test_fallback_is_recorded_and_offers_suggestion_buttons(
    bot: BotHarness, engine: Engine
) -> None:
    question = question_of_kind(engine, "fallback")
    reply = engine.ask(question)
    call = await bot.private(ALICE, question)
    assert call.params["text"] == esc(reply.lead)
    assert [label for label, _ in buttons(call)] == list(reply.suggestions)
    assert all(data.startswith("s:") for _, data in buttons(call))
    [recorded] = await bot.storage.aio.unanswered()  # after the queued note
    assert (recorded.question, recorded.kind, recorded.chat_type) == (
        question,
        "fallback",
        "private",
    )


async def test_clarify_is_recorded(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "clarify")
    reply = engine.ask(question)
    call = await bot.private(ALICE, question)
    assert call.params["text"] == esc(reply.lead)
    assert [label for label, _ in buttons(call)] == list(reply.suggestions)
    [recorded] = await bot.storage.aio.unanswered()  # after the queued note
    assert (recorded.question, recorded.kind) == (question, "clarify")


async def test_small_talk_is_answered_and_not_recorded(bot: BotHarness, engine: Engine) -> None:
    reply = engine.ask("你好")
    assert reply.kind == "smalltalk"
    call = await bot.private(ALICE, "你好")
    assert call.params["text"].startswith(esc(reply.lead))
    assert bot.storage.unanswered() == []


async def test_start_welcomes_with_three_example_buttons(bot: BotHarness, engine: Engine) -> None:
    call = await bot.private(ALICE, "/start")
    text = call.result["text"]
    title = engine.knowledge.main_article.title
    assert text.startswith(f"你好，Alice！我能回答关于《{title}》这篇文章的问题。")
    assert f"{len(engine.knowledge.facts)} 条事实" in text
    daily = engine.daily_intents()[:3]
    assert buttons(call) == [(i.examples[0], f"a:{i.id}") for i in daily]


async def test_start_with_deep_link_opens_that_fact(bot: BotHarness, engine: Engine) -> None:
    intent = engine.daily_intents()[0]
    call = await bot.private(ALICE, f"/start {KeyCodec.payload(intent.id)}")
    reply = engine.reply_for(intent.id)
    assert reply is not None
    assert call.params["text"] == answer_html(reply)
    assert call.params["reply_markup"] == answer_keyboard(engine, intent.id)

    fact = engine.knowledge.facts[0]  # fact ids contain dots: the payload encodes them
    payload = KeyCodec.payload(fact.id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    call = await bot.private(BOB, f"/start {payload}")
    fact_reply = engine.reply_for(fact.id)
    assert fact_reply is not None
    assert call.params["text"] == answer_html(fact_reply)


async def test_start_with_unknown_payload_says_so_then_welcomes(bot: BotHarness) -> None:
    call = await bot.private(ALICE, "/start no_such_fact")
    text = call.result["text"]
    assert text.startswith("这个链接指向的内容已经不在了，你可以直接提问。\n\n你好，Alice！")
    assert len(buttons(call)) == 3


async def test_help_about_and_fact(bot: BotHarness, engine: Engine) -> None:
    help_text = (await bot.private(ALICE, "/help")).result["text"]
    assert "@factbot_bot" in help_text and "/ask" in help_text and "原文" in help_text

    about = (await bot.private(ALICE, "/about")).result["text"]
    meta = engine.knowledge.main_article.meta
    assert f"标题：《{engine.knowledge.main_article.title}》" in about
    assert f"栏目：{meta['column']}" in about
    assert "于心月" in about
    assert "我能做什么" in about and "我不能做什么" in about

    call = await bot.private(ALICE, "/fact")
    daily = {i.id: engine.reply_for(i.id) for i in engine.daily_intents()}
    [key] = [k for k, r in daily.items() if r is not None and answer_html(r) == call.params["text"]]
    assert call.params["reply_markup"] == answer_keyboard(engine, key)
    assert "来源：" in call.result["text"]


async def test_unknown_command_gets_a_hint(bot: BotHarness) -> None:
    call = await bot.private(ALICE, "/weather")
    assert call.params["text"] == "我不认识这个命令。发送 /help 看看我能做什么。"
    call = await bot.private(ALICE, "/ask@some_other_bot 北京有多少所高校")
    assert call.params["text"] == "我不认识这个命令。发送 /help 看看我能做什么。"


async def test_ask_command_works_in_private_too(bot: BotHarness, engine: Engine) -> None:
    reply = engine.ask(QUESTION)
    for text in (f"/ask {QUESTION}", f"/ask{QUESTION}"):
        call = await bot.private(ALICE, text)
        assert call.params["text"] == answer_html(reply)


async def test_long_answer_is_trimmed_at_a_sentence_keeping_the_source(
    make_bot: MakeBot, engine: Engine
) -> None:
    bot = await make_bot(answer_max_chars=200)
    reply = engine.ask(QUESTION)
    assert len(reply.text) > 200, "pick a question with a longer answer"
    call = await bot.private(ALICE, QUESTION)
    shown = call.result["text"]
    assert len(shown) <= 200
    assert shown.startswith(reply.lead)
    lines = shown.split("\n")
    assert lines[-1].startswith("来源：")
    assert lines[-1][len("来源：") :] in [s.locator for s in reply.sources]
    assert lines[-2].endswith("……")
    assert lines[-2][-3] in "。！？；…，、：" or len(lines) == 3


async def test_photo_caption_is_a_question(bot: BotHarness, engine: Engine) -> None:
    update = bot.fake.message_update(ALICE, ALICE, caption=QUESTION)
    call = await bot.one_message(update)
    assert call.params["text"] == answer_html(engine.ask(QUESTION))


async def test_edited_question_updates_its_answer_once(bot: BotHarness, engine: Engine) -> None:
    first = bot.fake.message_update(ALICE, ALICE, "北京有多少所高校")
    answer = await bot.one_message(first)
    message_id = first["message"]["message_id"]
    edited_question = "北京有多少科研人员？"
    edit = bot.fake.message_update(
        ALICE, ALICE, edited_question, edited=True, message_id=message_id
    )
    calls = await bot.exchange(edit)
    assert [c.method for c in calls] == ["editMessageText"]
    reply = engine.ask(edited_question)
    assert calls[0].params["text"] == answer_html(reply)
    assert calls[0].params["message_id"] == answer.result["message_id"]
    stored = bot.fake.get_message(ALICE, answer.result["message_id"])
    assert stored is not None and stored["text"].startswith(reply.lead)
    # The same edit again (Telegram resends when e.g. a preview appears): nothing more.
    again = bot.fake.message_update(
        ALICE, ALICE, edited_question, edited=True, message_id=message_id
    )
    assert await bot.exchange(again) == []


async def test_edit_of_an_unanswered_message_is_answered_once(
    bot: BotHarness, engine: Engine
) -> None:
    # Sent while the bot was not running, then edited: one answer, to the edited text.
    update = bot.fake.message_update(ALICE, ALICE, "北京有多少所高校", edited=True)
    call = await bot.one_message(update)
    assert call.params["text"] == answer_html(engine.ask("北京有多少所高校"))


async def test_engine_in_a_worker_process_answers_the_same(
    make_bot: MakeBot, engine: Engine
) -> None:
    bot = await make_bot(engine_processes=1)
    call = await bot.private(ALICE, QUESTION)
    assert call.params["text"] == answer_html(engine.ask(QUESTION))
    [inline] = await bot.exchange(bot.fake.inline_query_update(ALICE, QUESTION))
    assert inline.params["results"][0]["title"] == engine.answers(QUESTION, limit=5)[0].lead


async def test_wordless_messages_are_not_recorded_as_unanswered(
    bot: BotHarness, engine: Engine
) -> None:
    reply = engine.ask("？？")
    call = await bot.private(ALICE, "？？")
    assert call.params["text"] == esc(reply.lead)
    example = bot.app.bot_data["services"].renderer.example_question()
    call = await bot.private(ALICE, "@factbot_bot")
    assert call.params["text"] == f"直接把问题发给我就行，例如：{esc(example)}"
    assert bot.storage.unanswered() == []
