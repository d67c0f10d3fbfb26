"""Ellipses (bot/engine/ellipses.py): "X呢" read in the last frame, or alone when it may be."""

from __future__ import annotations

from bot.engine.ellipses import part_for_part
from tests.test_context import answered, talk


def test_an_ellipsis_of_a_thing_the_article_often_names_is_not_read_alone(engine) -> None:
    first = "深圳农业基因组研究所有几人入选顶尖科学家榜单？"
    (_, other), _ = talk(engine, first, "清华呢")
    assert other.kind == "fallback"  # not one of several sentences naming 清华大学
    (_, rare), _ = talk(engine, "保定·中关村创新中心注册了多少家企业？", "雄安的呢？")
    assert answered(rare, "11家")  # what the article says of the one thing it names so


def test_an_ellipsis_asking_a_thing_of_its_own_is_read_alone(engine) -> None:
    (_, goal), _ = talk(engine, "肥城的产业园给企业免费用多大的研发空间", "那肥城的战略目标呢")
    assert answered(goal, "泰山锂谷")  # 肥城 is in the last frame, but 战略目标 is new
    (_, shanghai), _ = talk(engine, "北京有多少所高校？", "上海的高校呢")
    assert shanghai.kind == "fallback"
    first = "深圳农业基因组研究所有几人入选顶尖科学家"
    (_, scientists), _ = talk(engine, first, "那北京的科学家呢")
    assert scientists.kind == "fallback"  # 科学家 was asked before: only the place is new
    (_, others), _ = talk(engine, "Vidu是什么", "那清华的其他成果呢")
    assert others.kind != "answer"  # other things than the last answer's are never read alone


def test_an_ellipsis_of_a_name_after_a_list_item_is_the_item_naming_it(engine) -> None:
    turns = ("雄安中关村科技园一期入驻率是多少", "那天津呢", "保定那边呢", "石家庄呢")
    (_, tianjin, baoding, shijiazhuang), _ = talk(engine, *turns)
    assert answered(tianjin, "193家", "天津滨海")  # the next item of the data box's list
    assert answered(baoding, "362家")  # (not the robot's move to 保定 in the running text)
    assert shijiazhuang.kind == "fallback"  # no item of the list names it


def test_only_a_bare_name_is_taken_for_a_list_item(engine) -> None:
    first = "保定·中关村创新中心注册了几家企业"
    (_, phase), _ = talk(engine, first, "那雄安中关村科技园二期入驻率呢")
    assert phase.kind != "answer"  # a thing of its own (二期) that no item gives
    (_, after_text), _ = talk(engine, "北京研发的手术机器人在哪里转化", "天津呢")
    assert after_text.kind == "fallback"  # the last answer was no list item
    (_, beijing), _ = talk(engine, "京津冀科技创新服务提供机构目录涵盖多少家单位", "北京呢")
    assert beijing.kind != "answer"  # the next item only mentions 北京: it is about no body there


def test_the_noun_an_ellipsis_put_in_the_slot_is_the_one_asked_next(engine) -> None:
    turns = ("北京有几所大学", "科研院所呢", "科研人员呢？一共多少")
    (_, institutes, researchers), context = talk(engine, *turns)
    assert answered(institutes, "1000余所")
    assert answered(researchers, "55万")  # 科研人员 in 科研院所's place, not in 高校's
    assert context.asked == "科研人员"


def test_an_ellipsis_clause_then_the_same_kind_of_question_is_one_ellipsis(engine) -> None:
    (_, _, count), _ = talk(engine, "北京有几所大学", "科研院所呢", "科研人员呢，大概多少人")
    assert answered(count, "55万")
    (_, _, which), _ = talk(engine, "北京有几所大学", "科研院所呢", "科研人员呢，都是哪些人")
    assert which.kind != "answer"  # who they are is not how many again
    (_, _, shanghai), _ = talk(engine, "北京有几所大学", "科研院所呢", "那上海呢，有多少")
    assert shanghai.kind == "fallback"  # a place of its own: never Beijing's figure


def test_an_ellipsis_of_the_other_part_of_a_whole_asks_the_same_of_that_part(engine) -> None:
    assert part_for_part("北京的3城一区 3城是哪3个", "3城一区", "一区") == [
        "北京的3城一区 一区是哪3个"
    ]
    assert part_for_part("北京有几所高校", "高校", "科研院所") == []  # (no part of it)
    (_, zone), _ = talk(engine, "北京的三城一区中，三城指的是哪些", "那一区呢")
    assert answered(zone, "创新型产业集群示范区")  # not the 一区's count of 270 results
