"""The engine's facade (engine.py) end to end: any text gets a bounded reply; inline answers,
related questions and paragraphs by key."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.normalize import MAX_QUESTION_CHARS

KINDS = {"answer", "clarify", "smalltalk", "fallback"}


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   \n\t ",
        "😀😀😀",
        "？？？！！！",
        "\x00\x01\x1b[31m",
        "\u200b\u200c\u200d",
        "<b>你好</b><script>alert(1)</script>",
        "**粗体** [链接](http://x)",
        "是什么",
    ],
)
def test_bad_input_gets_a_sensible_reply(engine, question: str) -> None:
    reply = engine.ask(question)
    assert reply.kind in {"fallback", "smalltalk"}
    assert reply.text and len(reply.text) < 1000


def test_huge_input_is_capped_before_matching(engine) -> None:
    long_question = "北京有多少所高校" + "啊" * 10_000
    reply = engine.ask(long_question, explain=True)
    assert len(reply.explanation["normalised"]) <= MAX_QUESTION_CHARS
    assert reply.kind == "answer" and "92" in reply.text


def test_inline_answers_are_the_decisions_answers(engine) -> None:
    question = "刀具是加工什么零件的？效率提升了多少？"
    replies = engine.answers(question, limit=5)
    assert replies[0] == engine.ask(question)  # the merged answer, then each part's own
    assert [r.keys for r in replies[1:]] == [(k,) for k in replies[0].keys]
    assert engine.answers(question, limit=1) == replies[:1]
    assert engine.answers("Vidu能生成多长的视频？") == [engine.ask("Vidu能生成多长的视频？")]
    for declined in ("What is the capital of France?", "你好", "上海有多少所高校？", ""):
        assert engine.answers(declined) == []


def test_one_length_cap_the_engine_applies(engine) -> None:
    from bot.engine.engine import Engine

    short = Engine(engine.knowledge, max_question_chars=20)
    reply = short.ask("北京有多少所高校" + "啊" * 30 + "上海", explain=True)
    assert reply.explanation["normalised"] == "北京有多少所高校啊"
    assert reply.kind == "answer"


def test_related_and_paragraph(engine) -> None:
    reply = engine.ask("北京有多少所高校？")
    related = engine.related(reply.intent)
    assert 1 <= len(related) <= 3
    assert reply.intent not in {r.id for r in related}
    text, where = engine.paragraph_of(reply.sources[0].fact_id)
    assert reply.sources[0].quote in text and where == reply.sources[0].locator
    assert engine.paragraph_of("bj.nope.000000") is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_gets_a_bounded_reply(engine, text: str) -> None:
    reply = engine.ask(text)
    assert reply.kind in KINDS
    assert 0 < len(reply.text) < 4000
    assert len(reply.suggestions) <= 3


def test_the_one_sentence_that_asks_is_answered_when_the_whole_message_is_not(engine) -> None:
    reply = engine.ask(
        "Hi! I'm learning Chinese and reading this piece about Beijing's tech scene. "
        "Who wrote the article?"
    )
    assert reply.kind == "answer" and "于心月" in reply.text


def test_two_clauses_that_ask_are_answered_the_second_as_a_follow_up(engine) -> None:
    # 截至什么时候 leans on the box the first clause asks about
    reply = engine.ask("数说里的数据来源是哪，截至什么时候")
    assert reply.kind == "answer"
    assert "中关村管委会" in reply.text and "2023年底" in reply.text


def test_two_asks_joined_by_and_get_both_answers(engine) -> None:
    reply = engine.ask("How long were Vidu's videos in March, and how long are they now?")
    assert reply.kind == "answer" and "8秒" in reply.text and "16秒" in reply.text
