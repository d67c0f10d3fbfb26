"""What a follow-up asks that the passage leaves unsaid (bot/engine/unsaid.py)."""

from __future__ import annotations

from bot.engine.normalize import normalize
from bot.engine.replies import DONT_KNOW
from bot.engine.unsaid import asks_names_of_counted, asks_part_of_whole, counted
from tests.test_context import answered, talk

NAMES = ("叫什么", "名字")
MEMBERS = ("哪些", "哪家", "是谁")
PASSAGE = "".join(
    [
        "今年5月，该机器人还将在河北一家医院推广应用。",
        "7人入选榜单；包括成果转化、产业创新等300余个平台。",
    ]
)


def test_counted_things_are_found_with_what_follows_them() -> None:
    found = [(c.number, c.classifier, c.tail, c.named) for c in counted(PASSAGE)]
    assert found == [
        ("一", "家", "医院推广应用", False),
        ("7", "人", "入选榜单", False),
        ("300", "个", "平台", True),  # the members are named before the count
    ]
    (part,) = counted("一个关键核心部件必不可少——RV减速机。")
    assert part.named  # its name follows it


def test_names_of_what_is_only_counted_are_not_given() -> None:
    def asks(message: str, *nouns: str) -> bool:
        return asks_names_of_counted(message, list(nouns), PASSAGE, (NAMES, MEMBERS, ("他们",)))

    assert asks("那家医院叫什么", "医院")
    assert asks("那7个人都叫什么名字")
    assert asks("这几位是哪些人")
    assert asks("他们分别是谁") and not asks("他们来自哪些单位", "单位")
    assert not asks("都有哪些平台", "平台")  # 成果转化、产业创新等: the article lists them
    assert asks("这些平台都叫什么名字", "平台")  # but never names one
    assert not asks("医院在哪个城市", "医院", "城市")  # asks no name
    assert not asks("哪个学院的", "学院")  # nothing counted of that kind


def test_a_part_is_not_answered_by_the_whole() -> None:
    quote = "中关村企业在津冀设立分支机构数量突破1万家"
    breakdown = ("其中", "分别")
    assert asks_part_of_whole("其中河北有多少家", ["河北"], breakdown, quote, True)
    assert not asks_part_of_whole("河北有多少家", ["河北"], breakdown, quote, True)  # no 其中
    assert not asks_part_of_whole("其中中关村有多少", ["中关村"], breakdown, quote, True)
    listed = normalize(
        "中关村科学城、怀柔科学城、未来科学城共同组成“三城一区”，2023年承接成果超过270个"
    )
    assert asks_part_of_whole("其中怀柔科学城有多少", ["怀柔科学城"], breakdown, listed, True)
    assert not asks_part_of_whole("其中怀柔科学城在哪", ["怀柔科学城"], breakdown, listed, False)


def test_a_follow_up_asking_names_the_article_never_gives_is_declined(engine) -> None:
    first = "天坛医院的手术机器人接下来去哪推广？"
    (answer, name, again), _ = talk(engine, first, "那家医院叫什么名字", "它做了多少例手术？")
    assert answered(answer, "河北一家医院")
    assert name.kind == "fallback" and name.lead == DONT_KNOW and not name.sources
    assert name.unanswered and name.suggestions  # what it can answer instead
    assert answered(again, "200例")  # the refusal keeps the conversation
    (_, people), _ = talk(engine, "深圳农业基因组研究所有几人入选顶尖科学家榜单？", "这几位是谁？")
    assert people.kind == "fallback"
    (_, named), _ = talk(engine, "清华大学成立了什么学院？", "这个学院叫什么名字")
    assert answered(named, "人工智能学院")  # the article names this one


def test_a_breakdown_of_a_figure_given_for_a_whole_is_declined(engine) -> None:
    first = "中关村企业在津冀设了多少分支机构？"
    (_, part, ellipsis), _ = talk(engine, first, "其中天津有多少家？", "那河北呢")
    assert part.kind == "fallback" and "1万家" not in part.text
    assert ellipsis.kind == "fallback" and "1万家" not in ellipsis.text
    (_, masters), _ = talk(engine, "肥城锂电园区常驻多少博士？", "其中硕士有多少")
    assert answered(masters, "37名硕士")  # a part the quote names is answered


def test_a_which_without_a_noun_asks_of_the_last_question(engine) -> None:
    (_, which), _ = talk(engine, "京津冀国家高新区联盟首批汇聚了几大高新区？", "分别是哪几个")
    assert which.kind == "fallback"  # 9大高新区: never named
    (_, units), _ = talk(engine, "京津冀科技创新服务提供机构目录涵盖多少家单位？", "都有哪些单位")
    assert units.kind == "fallback"
    (_, listed), _ = talk(engine, "京津冀科技创新服务平台地图有多少个平台？", "都有哪些平台")
    assert answered(listed, "成果转化、产业创新、科技服务")  # named with the count


def test_a_part_listed_without_a_figure_of_its_own_is_declined(engine) -> None:
    (_, part), _ = talk(engine, "2023年一区承接了多少成果？", "其中来自怀柔科学城的有多少")
    assert part.kind == "fallback" and "270" not in part.text


def test_a_part_listed_before_a_figure_for_them_all_is_declined(engine) -> None:
    (_, part), _ = talk(engine, "肥城常驻多少博士？", "其中武汉大学来的有几个")
    assert part.kind == "fallback"  # 中国科学院、山东大学、武汉大学等……的26名博士 counts all
    first = "天津滨海—中关村科技园进驻了多少家企业？"
    (_, own), _ = talk(engine, first, "其中国家高新技术企业有多少家")
    assert answered(own, "193家")  # its figure stands before it


def test_the_name_asked_is_of_the_noun_before_the_asking_words(engine) -> None:
    first = "纪姝婷团队和谁达成了协作"
    (_, head), _ = talk(engine, first, "企业的负责人叫什么")
    assert answered(head, "刘泽鹏")  # the 负责人's name, which the article gives
    (_, firm), _ = talk(engine, first, "那家企业叫什么")
    assert firm.kind == "fallback" and firm.lead.startswith(DONT_KNOW[:6])  # only 一家科技企业


def test_a_body_asked_of_what_the_passage_never_says_of_the_counted_one_is_another(
    engine,
) -> None:
    first = "手术机器人做了多少例手术"  # the answer: "……将在河北一家医院推广应用"
    (_, developer), _ = talk(engine, first, "它在哪家医院研发的")
    assert answered(developer, "天坛医院")  # 研发: the one that made it, which is named
    (_, counted_one), _ = talk(engine, first, "那家医院叫什么")
    assert counted_one.kind == "fallback"  # the Hebei hospital, which is not


def test_a_name_asked_of_a_thing_is_not_asked_of_the_people_before_it(engine) -> None:
    first = "深圳农业基因组研究所有几人入选顶尖科学家榜单"
    (_, variety), _ = talk(engine, first, "他们首次培育出的那个概念性品种叫啥")
    assert answered(variety, "优薯1号")  # the 品种's name, which the article gives
    (_, people), _ = talk(engine, first, "他们都叫什么名字")
    assert people.kind == "fallback"  # the 7 people's names, which it does not
