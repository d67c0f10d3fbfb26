"""What a question asks (features.py): the thing asked about, a count, a unit, a post, a name."""

from __future__ import annotations

import pytest

from bot.engine.question import read


def features(engine, text: str):
    found = read(engine.index, text).features
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("question", "asked", "count"),
    [
        ("北京有多少所高校？", "高校", True),  # the classifier is skipped
        ("北京的人口是多少", "人口", True),  # the thing before the question word
        ("哪家企业研发了北脑二号", "企业", False),
        ("卫星那张照片谁拍的", None, False),  # who did it, not a thing called 拍
        ("Vidu可以生成多少秒的视频？", None, False),  # a length: the unit check decides
        ("肥城的硕士有多少人？", "硕士", True),  # 37名硕士: the 硕士 are counted, 人 measures
        ("研究所有多少人入选榜单", "人", True),  # the institute's people, not institutes
    ],
)
def test_the_thing_asked_about(engine, question: str, asked: str | None, count: bool) -> None:
    found = features(engine, question)
    assert (found.asked.text if found.asked else None, found.count) == (asked, count)


@pytest.mark.parametrize(
    ("question", "unit"), [("北京建了多少年", "年"), ("北京有多少所高校", None)]
)
def test_a_count_in_a_unit_of_time(engine, question: str, unit: str | None) -> None:
    assert features(engine, question).unit == unit


def test_yes_no_posts_names_and_figures(engine) -> None:
    assert features(engine, "北脑二号上市了吗").yes_no
    assert not features(engine, "北脑二号是什么").yes_no
    assert features(engine, "清华大学人工智能研究院的院长是谁？").role == "院长"
    which = features(engine, "哪家企业研发了北脑二号")
    assert which.named == ("org",) and which.body == "企业"
    assert features(engine, "河北雄安中关村科技园二期的入驻率有多高？").ordinals == (("2", "期"),)
    assert features(engine, "悟道2.0是什么？").versions == ("2.0",)
    assert features(engine, "Vidu今年5月能生成多长的视频？").months == ("5",)
    assert features(engine, "Vidu明年能生成多长的视频？").other_years == ("明年",)


def test_lead_in_words_weigh_less(engine) -> None:
    from bot.engine.features import LEAD_IN_WEIGHT
    from bot.engine.words import content_weight

    text = "我对京津冀很感兴趣，科技部有位负责人谈到了协同创新，具体是从什么关系转向什么关系？"
    question = read(engine.index, text)
    assert question.lead_in and question.features is not None
    for token, weight in zip(question.content, question.features.weights, strict=True):
        full = content_weight(engine.index, token)
        assert weight == (full * LEAD_IN_WEIGHT if token.text in question.lead_in else full)


def test_english_attribute_words_are_whole_words(engine) -> None:
    price = features(engine, "What is the price of the RV reducer?")
    assert [word for word, _ in price.attributes] == ["price"]
    assert features(engine, "What does the image on the page show?").attributes == ()  # no "age"


def test_the_head_of_a_description_asked_by_name_is_a_kind(engine) -> None:
    # 刀具 is the 工具 the description asks about: the answer gives an instance of the kind.
    reply = engine.ask("纪姝婷团队做的那个加工摆线齿轮的工具是什么")
    assert reply.kind == "answer" and "刀具" in reply.text


def test_which_body_asks_for_one_of_that_kind(engine) -> None:
    # 新华社 is a 通讯社, though the article never uses that word.
    reply = engine.ask("配图是哪家通讯社的记者拍的")
    assert reply.kind == "answer" and "新华社" in reply.text


def test_a_count_of_x_de_y_counts_y(engine) -> None:
    # 几家中关村的服务机构: the bodies counted are service bodies, not 中关村
    reply = engine.ask("雄安中关村科技园进了几家中关村的service机构")
    assert reply.kind == "answer" and "11家" in reply.text


def test_a_classifier_alone_after_how_many_is_the_unit_asked(engine) -> None:
    # 做了多少例: only the sentence with a figure in 例 answers, not the one naming its makers
    reply = engine.ask("天坛医院的手术机器人做了多少例了")
    assert reply.kind == "answer" and "近200例" in reply.text
