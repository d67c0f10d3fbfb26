"""The answerability checks (checks.py): what a candidate must give for what is asked."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("卫星生产线那张照片是谁拍的", "张建新"),  # not the body in the picture
        ("数说那张图是谁画的", "王秋爽"),
    ],
)
def test_a_credit_names_a_person(engine, question: str, person: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and person in reply.text


def test_who_made_a_thing_may_be_a_body(engine) -> None:
    reply = engine.ask("北脑二号是谁研发的")
    assert reply.kind == "answer" and "北京脑科学与类脑研究所" in reply.text


def test_a_head_count_counts_people_doing_what_is_asked(engine) -> None:
    reply = engine.ask("深圳农业基因组研究所有几位专家入选了顶尖科学家榜单")
    assert reply.kind == "answer" and "7人" in reply.text


def test_a_head_count_is_no_count_of_everyone(engine) -> None:
    assert engine.ask("深圳农业基因组研究所总共有多少研究人员").kind != "answer"
    assert engine.ask("深圳农业基因组研究所有多少人").kind != "answer"  # 7人 made a list
    reply = engine.ask("深圳农业基因组研究所有多少人进了顶尖科学家榜单")
    assert reply.kind == "answer" and "7人" in reply.text


def test_which_bodies_is_not_answered_by_several_unnamed(engine) -> None:
    # the article says 多部门联合印发 and names none of them
    assert engine.ask("实施意见是由哪几个部门一起发的").kind != "answer"
    reply = engine.ask("实施意见是哪个部门印发的")  # one body asked: "several" is the answer
    assert reply.kind == "answer" and "多部门" in reply.text


def test_an_english_credit_names_a_person(engine) -> None:
    reply = engine.ask("Who photographed the satellite production line?")
    assert reply.kind == "answer" and "张建新" in reply.text


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("RV减速机外观是什么样的", True),  # 黑色圆形盒子
        ("北脑二号长什么样", False),  # the article never says
    ],
)
def test_appearance_needs_words_that_describe_one(engine, question: str, answered: bool) -> None:
    reply = engine.ask(question)
    assert (reply.kind == "answer") is answered
    if answered:
        assert "黑色圆形盒子" in reply.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [("赵弘是哪个机构的负责人？", "中关村创新发展研究院"), ("科技部的负责人是谁", "解敏")],
)
def test_the_head_of_a_body_is_its_fuzeren(engine, question: str, expected: str) -> None:
    # a 院长 is the 负责人 of his 研究院; the ministry's is named 相关负责人
    reply = engine.ask(question)
    assert reply.kind == "answer" and expected in reply.text


def test_a_name_of_the_head_asked_is_the_name_given(engine) -> None:
    # 叫什么谷: 泰山锂谷 ends in the head asked, though the sentence also speaks of 一处…园区
    reply = engine.ask("山东那个县级市想打造的锂电产业叫什么谷")
    assert reply.kind == "answer" and "泰山锂谷" in reply.text


def test_a_crop_the_article_does_not_name_is_declined(engine) -> None:
    assert engine.ask("阮珏研究的是什么作物").kind == "fallback"


@pytest.mark.parametrize("question", ["6G什么时候能用上？", "北脑二号啥时候能给人用上？"])
def test_when_a_thing_will_be_usable_needs_a_time_still_to_come(engine, question: str) -> None:
    # the article dates a plan or a launch, never when these will be in use
    assert engine.ask(question).kind == "fallback"


def test_when_a_thing_is_still_to_come_the_planned_time_answers(engine) -> None:
    reply = engine.ask("手术机器人什么时候能在河北用上")
    assert reply.kind == "answer" and "今年5月" in reply.text
