"""Description -> entity (describe.py): a name question that describes its referent is
answered with the name the matching sentence gives, and a sentence that never names the
thing described is still no answer."""

from __future__ import annotations

import pytest

from bot.engine.describe import _beside
from bot.engine.describing import of_kind


@pytest.mark.parametrize(
    ("text", "name", "kind", "expected"),
    [
        ("在“揭榜挂帅”机制的促成下", "揭榜挂帅", "机制", True),  # the name right before the kind
        ("一个关键核心部件必不可少——RV减速机。", "RV减速机", "部件", True),  # set off after it
        ("研究所联合科技企业自主研发的“北脑二号”", "北脑二号", "企业", False),  # elsewhere
        ("清华大学联合一家科技企业共同发布视频大模型——Vidu", "Vidu", "企业", False),
    ],
)
def test_a_name_beside_the_kind_word(text: str, name: str, kind: str, expected: bool) -> None:
    assert _beside(text, name, kind) is expected


def test_a_name_of_the_kind_asked() -> None:
    assert of_kind("预聘—长聘制", "制度")  # a 制 is a 制度
    assert of_kind("微小卫星创新研究院", "研究院")
    assert not of_kind("北脑二号", "企业")


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("机器人里那个直径十五厘米的黑色盒子部件叫什么？", "RV减速机"),
        ("那个给青年人才五到六年稳定支持期的制度叫啥", "预聘—长聘制"),
        ("纪姝婷团队是在什么机制下和企业合作的，那个机制叫什么", "揭榜挂帅"),
        ("建设泰山锂谷的那个县级城市是哪个？", "肥城"),  # the article: 肥城这个县级城市
        ("中关村机器人在唐山搞的那个平台叫啥名", "机器人与智能制造成果转化公共服务平台"),
        # the description's words the article words otherwise weigh less than its head
        ("那个名字里带版本号的超大规模智能模型叫什么", "悟道3.0"),
        ("论坛上那种不用司机的巴士怎么称呼", "无人驾驶摆渡巴士"),  # 怎么称呼 asks the name
    ],
)
def test_described_things_are_named(engine, question: str, name: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer"
    assert name in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "和纪姝婷团队合作的亦庄那家企业叫什么名字",  # the article never names it
        "朱军团队2022年提出的那个核心架构叫什么名字",  # Vidu is built on it, it is not Vidu
        "今年5月要推广手术机器人的河北那家医院叫什么",  # 天坛医院 is another 医院
        "北京是哪个县级城市？",  # the article never says 北京 is one
        "上海那个量子计算云平台叫什么",  # a place the thing is at is no word of a description
        "在上海建的那个量子计算云平台叫什么",
    ],
)
def test_unnamed_things_are_still_declined(engine, question: str) -> None:
    assert engine.ask(question).kind != "answer"


def test_a_description_whose_head_names_the_kind_of_the_name(engine) -> None:
    # 聘用制度: 预聘—长聘制 is a 制度, though the article never writes 制度
    reply = engine.ask("让搞科研的能安心坐冷板凳 不用老被短期考核折腾的那种聘用制度叫啥")
    assert reply.kind == "answer" and "长聘" in reply.text


def test_which_school_is_answered_by_the_body_named(engine) -> None:
    reply = engine.ask("请了图灵奖得主当院长的那个新学院是哪个学校的")
    assert reply.kind == "answer" and "清华大学" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "那个用追太阳的神话人物命名的量子计算云平台叫什么",
        "那个量子计算云平台，名字跟神话里追太阳的巨人一样，叫啥",
    ],
)
def test_what_a_name_means_weighs_little_beside_a_head_the_article_curates(
    engine, question: str
) -> None:
    # the head (量子计算云平台) says which thing; the myth its name comes from is not in the
    # article, and must not veto the answer
    reply = engine.ask(question)
    assert reply.kind == "answer" and "夸父" in reply.text


def test_a_body_pointed_at_by_its_place_as_the_article_introduced_it(engine) -> None:
    # 亦庄那家企业: the article says 北京亦庄一家科技企业, then 企业相关负责人刘泽鹏
    reply = engine.ask("亦庄那家企业里说成本降了三分之二的负责人叫什么")
    assert reply.kind == "answer" and "刘泽鹏" in reply.text


def test_a_person_described_by_what_they_said(engine) -> None:
    reply = engine.ask("说京津冀从单向疏解变成双向互通的那位部里的负责人是谁")
    assert reply.kind == "answer" and "解敏" in reply.text


def test_a_count_inside_a_description_is_not_what_is_asked(engine) -> None:
    # 几个部门联合印发的那个文件叫啥名 asks the document's name, not how many departments
    reply = engine.ask("今年1月几个部门联合印发的那个关于未来产业的文件，叫啥名？")
    assert reply.kind == "answer" and "实施意见" in reply.text


def test_two_candidates_giving_the_same_name_of_the_kind_described_answer(engine) -> None:
    reply = engine.ask("那种先给年轻人几年稳定期、考察通过再给长期岗位的制度叫什么")
    assert reply.kind == "answer" and "长聘" in reply.text


def test_the_thing_pointed_at_ends_in_the_head(engine) -> None:
    reply = engine.ask("最近挺火的那个国产视频生成模型，清华参与搞的，叫什么名字来着？")
    assert reply.kind == "answer" and "Vidu" in reply.text


def test_a_generic_head_like_tool_is_weighed_not_required(engine) -> None:
    # 那个线上工具: the article calls it a map (京津冀科技创新服务平台地图), not a tool
    reply = engine.ask("能查京津冀哪里有创新平台、哪里有创业服务的那个线上工具叫什么")
    assert reply.kind == "answer" and "京津冀科技创新服务平台地图" in reply.text
