"""A demonstrative with a noun (bot/engine/referents.py): the body it points at when no name the
conversation kept fits the noun."""

from __future__ import annotations

from bot.engine.referents import head_noun, passage_names, which_body
from tests.test_context import answered, talk


def test_a_one_character_head_after_a_demonstrative_is_the_name_it_ends(engine) -> None:
    (_, head), _ = talk(engine, "北脑二号是谁做出来的", "这个所的所长叫什么名字")
    assert answered(head, "罗敏")  # 所 is 北京脑科学与类脑研究所, not 北脑二号
    token = engine.index.analyzer.tokens("这个所的所长", fuzzy=True)[1]
    assert head_noun(token, ["北京脑科学与类脑研究所"])
    assert not head_noun(token, ["北脑2号"])


def test_a_body_the_shown_section_names_answers_what_it_is_called(engine) -> None:
    (_, name), context = talk(engine, "那张卫星照片是谁拍的", "这家研究院叫啥")
    assert answered(name, "微小卫星创新研究院")  # named beside the photo, not in its credit
    assert "中关村创新发展研究院" not in name.text  # (the article's other 研究院)
    assert ("微小卫星创新研究院", "org") in context.topic


def test_only_names_that_end_in_the_noun_are_pointed_at(engine) -> None:
    shown = tuple(f.id for f in engine.knowledge.facts if "刀具" in f.text)
    assert passage_names(engine, shown, "技术") == []  # 北京市科学技术委员会 is no 技术
    (_, cost), _ = talk(engine, "纪姝婷团队研制出了什么？", "这项技术让成本降了多少？")
    assert answered(cost, "三分之二")


def test_an_unnamed_body_in_the_quote_is_asked_of_the_last_topic(engine) -> None:
    (_, where), _ = talk(engine, "纪姝婷团队和谁达成了协作", "这家企业在什么地方")
    assert answered(where, "亦庄")  # 一家科技企业 has no name: what the quote says of it


def test_the_name_of_another_thing_is_not_the_body_pointed_at(engine) -> None:
    first = "我国首例机器人辅助全脑血管造影手术在哪做的"
    (_, patient), _ = talk(engine, first, "那台手术的病人叫什么")
    assert patient.kind != "answer"  # the patient's name, which the article never gives


def test_his_institute_is_the_body_the_noun_names_not_the_person(engine) -> None:
    (_, made), _ = talk(engine, "罗敏是谁", "他那个研究所研发了什么")
    assert answered(made, "北脑二号")  # 他那个研究所: 北京脑科学与类脑研究所


def test_the_classifiers_of_bodies_and_places_are_demonstratives(engine) -> None:
    (_, school), _ = talk(engine, "Vidu是谁发布的", "那所大学新成立了什么学院")
    assert answered(school, "人工智能学院")  # 那所大学: 清华大学, not Vidu's release again


def test_which_body_the_quote_left_unnamed_is_the_one_its_section_names(engine) -> None:
    (_, which), _ = talk(engine, "预聘长聘制给青年人才几年稳定支持", "是哪个研究所呀")
    assert answered(which, "深圳农业基因组研究所")  # the quote says only 研究所
    shown = tuple(f.id for f in engine.knowledge.facts if "预聘—长聘制" in f.text)
    assert which_body(engine, "哪个研究所", ["研究所"], shown) == "深圳农业基因组研究所"
    assert which_body(engine, "哪个研究所的所长是谁", ["研究所", "所长"], shown) == ""
    assert which_body(engine, "哪家企业", ["企业"], shown) == ""  # no 企业 in that quote
