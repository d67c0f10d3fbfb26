"""Inline mode and per-user flood protection."""

from __future__ import annotations

from bot.engine.engine import Engine
from bot.telegram.callbacks import KeyCodec
from tests.telegram.support import ALICE, BOB, GROUP, BotHarness, MakeBot, answer_html

SLOW_DOWN = "你问得太快了，请稍等一分钟再问。"


async def test_inline_query_offers_up_to_five_answers(bot: BotHarness, engine: Engine) -> None:
    query = "刀具是加工什么零件的？效率提升了多少？"  # two questions: both, then each
    expected = engine.answers(query, limit=5)
    assert 1 < len(expected) <= 5
    assert expected[0] == engine.ask(query)
    calls = await bot.exchange(bot.fake.inline_query_update(ALICE, query))
    [call] = calls
    assert call.method == "answerInlineQuery" and call.ok, call.description
    results = call.params["results"]
    assert [r["type"] for r in results] == ["article"] * len(expected)
    assert [r["title"] for r in results] == [r.lead for r in expected]
    assert [r["description"] for r in results] == [r.sources[0].quote for r in expected]
    first = results[0]["input_message_content"]
    assert first == {
        "message_text": answer_html(expected[0]),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    link = results[0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link == f"https://t.me/factbot_bot?start={KeyCodec.payload(expected[0].key)}"
    assert len({r["id"] for r in results}) == len(results)


async def test_inline_query_without_answers_offers_a_private_chat(bot: BotHarness) -> None:
    [empty] = await bot.exchange(bot.fake.inline_query_update(ALICE, ""))
    assert empty.ok and empty.params["results"] == []
    assert empty.params["button"]["start_parameter"] == "inline"
    [none] = await bot.exchange(bot.fake.inline_query_update(ALICE, "谁赢得了去年的欧冠"))
    assert none.ok and none.params["results"] == []
    assert none.params["button"]["text"] == "文章里没有找到答案，点这里私聊提问"


async def test_flood_gets_one_notice_then_silence_until_the_minute_passes(
    make_bot: MakeBot,
) -> None:
    bot = await make_bot(questions_per_minute=3)
    question = "北京有多少所高校"
    for _ in range(3):
        assert (await bot.private(ALICE, question)).params["text"] != SLOW_DOWN
    assert (await bot.private(ALICE, question)).params["text"] == SLOW_DOWN
    for _ in range(3):  # silence, however often Alice tries
        assert await bot.exchange(bot.fake.message_update(ALICE, ALICE, question)) == []
    # Bob is not affected; nor is Alice in a group she is asked nothing in.
    assert (await bot.private(BOB, question)).params["text"] != SLOW_DOWN
    bot.clock.advance(60.5)
    assert (await bot.private(ALICE, question)).params["text"] != SLOW_DOWN


async def test_flood_notice_in_a_group_replies_to_the_asker(make_bot: MakeBot) -> None:
    bot = await make_bot(questions_per_minute=1)
    await bot.one_message(bot.fake.message_update(GROUP, ALICE, "/ask 北京有多少所高校"))
    update = bot.fake.message_update(GROUP, ALICE, "/ask 北京有多少科研人员")
    call = await bot.one_message(update)
    assert call.params["text"] == SLOW_DOWN
    assert call.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    # Chatter does not count: only questions do.
    bot.clock.advance(61)
    for _ in range(5):
        assert await bot.exchange(bot.fake.message_update(GROUP, ALICE, "哈哈")) == []
    assert (await bot.one_message(bot.fake.message_update(GROUP, ALICE, "/ask 北京"))).ok


async def test_button_flood_is_told_in_the_button_notice(make_bot: MakeBot, engine: Engine) -> None:
    bot = await make_bot(questions_per_minute=1)
    answer = await bot.private(ALICE, "北京有多少所高校")
    key = engine.ask("北京有多少所高校").intent
    update = bot.fake.callback_query_update(ALICE, ALICE, answer.result["message_id"], f"o:{key}")
    calls = await bot.exchange(update)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == SLOW_DOWN
