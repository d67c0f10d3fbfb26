"""Questions that ask for the members of a counted set (lists.py): a sentence that only counts
them does not answer which ones they are."""

from __future__ import annotations

import pytest

from bot.engine.lists import Listed, enumerates, listed_set


@pytest.mark.parametrize(
    ("question", "count", "noun"),
    [
        ("京津冀那9大高新区都是哪几个", 9, "高新"),
        ("入选全球2%顶尖科学家榜单的那7个人都叫什么", 7, "人"),
        ("10项重大科技成果除了北脑2号还有哪些", 10, "重大"),
        ("经开区产业园那300多家企业具体有哪些", 300, "企业"),
    ],
)
def test_a_counted_set_whose_members_are_asked(question: str, count: int, noun: str) -> None:
    listed = listed_set(question)
    assert listed is not None and (listed.count, listed.noun) == (count, noun)


def test_a_plain_count_question_asks_for_no_members() -> None:
    assert listed_set("北京有多少所高校") is None
    assert listed_set("中关村企业设立了1万家分支机构吗") is None


def test_counting_is_not_listing_and_a_few_kinds_do_not_list_hundreds() -> None:
    assert enumerates(Listed(9, "高新"), "区域内9大高新区鲜明标示") is False
    some = "园区内，高性能芯片、基础软件、整机终端、新型计算等300余家企业汇聚于此。"
    assert enumerates(Listed(300, "企业"), some) is False
    assert enumerates(Listed(300, "企业", kinds=True), some) is True  # 都是哪些类型的
    assert enumerates(Listed(3, "城"), "甲城、乙城和丙城共3城") is True
    assert enumerates(Listed(5, "高校"), "北京市拥有92所高校") is None  # not this set at all


def test_the_engine_declines_a_list_the_article_does_not_give(engine) -> None:
    assert engine.ask("2024中关村论坛发布的10项重大科技成果都有哪些？").kind != "answer"
    assert engine.ask("京津冀那9大高新区都是哪几个？").kind != "answer"


def test_a_count_inside_a_description_asks_for_no_members() -> None:
    # What is asked is the name of the thing that has them, not the members themselves.
    assert listed_set("那个把300多个平台都标在上面的地图叫什么") is None
    assert listed_set("那300多个平台都是哪些") is not None


@pytest.mark.parametrize("question", ["新两翼是指哪两翼", "文中提到的“新两翼”具体指哪两个地方"])
def test_which_n_of_a_set_the_article_only_names_is_declined(engine, question: str) -> None:
    # the article names 新两翼 but never says which two they are
    assert engine.ask(question).kind == "fallback"


def test_which_n_of_a_set_the_article_lists_is_answered(engine) -> None:
    reply = engine.ask("三城是哪三个")
    assert reply.kind == "answer" and "怀柔科学城" in reply.text
