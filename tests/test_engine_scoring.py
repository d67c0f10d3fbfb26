"""Scoring (scoring.py, coverage.py, checks.py): resemblance and coverage, and the vetoes that
decline a candidate whatever its score, each with the label the explanation shows."""

from __future__ import annotations

import pytest

from bot.engine.analysis import Token
from bot.engine.coverage import covers, deputy_only
from bot.engine.question import read
from bot.engine.scoring import rank


def top(engine, text: str):
    ranked = rank(engine.index, read(engine.index, text))
    assert ranked, text
    return ranked[0]


def test_the_best_candidate_resembles_and_covers(engine) -> None:
    best = top(engine, "北京有多少所高校？")
    assert best.candidate.key == "intent:beijing_universities"
    assert best.admissible and best.coverage == 1.0 and best.resemblance > 0.9


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("上海有多少所高校？", "上海"),  # a place the candidate does not cover
        ("清华大学人工智能研究院的院长是谁？", "院长"),  # only its deputy is named
        ("河北雄安中关村科技园二期的入驻率有多高？", "2期"),  # only 一期 is stated
        ("悟道2.0是什么？", "2.0"),  # another version
        ("哪家企业研发了北脑二号", "名称"),  # "联合科技企业": never named
        ("北京有多少个国家实验室？", "国家实验室的数目"),  # named, never counted
        ("Vidu今年5月能生成多长的视频？", "5月"),
    ],
)
def test_vetoes_name_what_the_candidate_lacks(engine, question: str, label: str) -> None:
    best = top(engine, question)
    assert label in best.blocking, best.blocking
    assert not best.admissible


def test_a_one_character_typo_is_covered_unless_it_is_a_word_of_the_article(engine) -> None:
    index = engine.index
    typo = Token("科研人原", "n", "word", False)  # no word at all: read as a typo
    assert covers(index, "首都汇聚科研人员55万", typo) == 0.9
    assert covers(index, "首都汇聚科研人员55万", Token("科研人员", "n", "word", True)) == 1.0
    known = Token("学生", "n", "word", True)  # a real word the article uses: no typo of 学院
    assert covers(index, "人工智能学院", known) == 0.0


def test_a_deputy_is_not_the_post() -> None:
    assert deputy_only("院长", "朱军是副院长", "院长是谁")
    assert not deputy_only("院长", "朱军是副院长", "副院长是谁")
    assert not deputy_only("院长", "姚期智任院长，朱军是副院长", "院长是谁")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # words of a description of the thing whose name is asked are weighed, not vetoes
        ("只要输入文字就能出16秒高清视频的那个模型叫什么", "Vidu"),
        # the writer's people and pointing words are no vetoes
        ("我媳妇问肥城那边常驻了多少硕士", "37名硕士"),
        ("我老婆问北京有多少所高校", "92所"),  # they count neither for nor against
    ],
)
def test_words_that_describe_or_chat_do_not_veto(engine, question: str, expected: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and expected in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "中关村企业在河北设了多少家分支机构",  # the article gives the 津冀 total only
        "北京脑科学与类脑研究所副所长叫什么",  # it names the 所长 only
        "今年5月手术机器人要去河北哪家医院推广",  # 河北一家医院: it names none
    ],
)
def test_what_the_article_gives_only_for_the_whole_or_unnamed_is_declined(
    engine, question: str
) -> None:
    assert engine.ask(question).kind != "answer"


def test_the_whole_region_named_part_by_part_is_answered(engine) -> None:
    reply = engine.ask("中关村企业在天津和河北一共设了多少家分支机构")
    assert reply.kind == "answer" and "1万家" in reply.text
