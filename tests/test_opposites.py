"""Opposites (language.yaml `opposites:`): a claim that uses a word the article's word is
against is answered 不对 with what the article says, and a bad list is an error at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.store import load_language


@pytest.mark.parametrize(
    "question",
    [
        "肥城给企业用的研发空间是收费的吧",  # 免费使用
        "企业用肥城园区的研发空间得交钱吗",
        "中关村论坛上的摆渡巴士是有司机开的吧",  # 无人驾驶
    ],
)
def test_a_claim_against_the_articles_word_is_corrected(engine, question: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and reply.verdict == "no"
    assert reply.lead.startswith("不对，文章")


def test_the_articles_own_word_confirms(engine) -> None:
    reply = engine.ask("肥城的研发空间企业可以免费用吧")
    assert reply.verdict == "yes"


def test_an_opposite_is_no_way_into_an_unrelated_question(engine) -> None:
    assert engine.ask("北京的出租车司机有多少").kind != "answer"


@pytest.mark.parametrize(
    ("opposites", "line", "problem"),
    [
        ("opposites:\n  免费: 收费\n", 4, "opposites '免费': must be a list of words"),
        ("opposites:\n  免费: [免费]\n", 4, "a word is not its own opposite"),
        ("opposites:\n  免费: [花钱]\n  便宜: [花钱]\n", 5, "'花钱' is against '免费' and '便宜'"),
        ("opposites: [免费]\n", 3, "opposites: must map a word"),
    ],
)
def test_a_bad_opposites_list_is_an_error_at_its_line(
    tmp_path: Path, opposites: str, line: int, problem: str
) -> None:
    path = tmp_path / "language.yaml"
    path.write_text("stopwords: [的]\nframe_words: [数量]\n" + opposites, encoding="utf-8")
    _language, errors = load_language(path)
    [error] = [str(e) for e in errors if "opposites" in e.message]
    assert error.startswith(f"{path}:{line}: ") and problem in error
