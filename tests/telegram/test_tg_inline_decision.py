"""Inline mode goes through the same decision as a private chat: what the article does not
answer gets no inline result, and an answer offered inline is the private chat's answer."""

from __future__ import annotations

from bot.engine.engine import Engine
from bot.evaluate import load_items
from tests.telegram.support import ALICE, KNOWLEDGE, BotHarness, answer_html

# Out-of-scope questions from sets the engine declines in full (far and near misses alike).
DECLINED_SETS = ("dev.yaml", "tune.yaml", "tune2.yaml")


def out_of_scope() -> list[str]:
    questions = ["What is the capital of France?", "法国的首都是哪里？"]
    for name in DECLINED_SETS:
        questions += [i.question for i in load_items(KNOWLEDGE / "eval" / name) if i.kind == "oos"]
    return questions


async def test_out_of_scope_questions_get_no_inline_answer(
    bot: BotHarness, engine: Engine
) -> None:
    questions = out_of_scope()
    assert len(questions) > 50
    offered = {}
    for question in questions:
        [call] = await bot.exchange(bot.fake.inline_query_update(ALICE, question))
        assert call.method == "answerInlineQuery" and call.ok, call.description
        if call.params["results"]:
            offered[question] = [r["title"] for r in call.params["results"]]
        else:
            assert call.params["button"]["text"] == "文章里没有找到答案，点这里私聊提问"
    assert offered == {}


async def test_an_inline_answer_is_the_private_chat_answer(
    bot: BotHarness, engine: Engine
) -> None:
    question = "Vidu能生成多长的视频？"
    private = await bot.private(ALICE, question)
    [call] = await bot.exchange(bot.fake.inline_query_update(ALICE, question))
    [result] = call.params["results"]  # one answer: the decision's
    assert result["input_message_content"]["message_text"] == private.params["text"]
    assert private.params["text"] == answer_html(engine.ask(question))
