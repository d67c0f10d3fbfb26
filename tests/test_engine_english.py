"""English and mixed questions: English words reach the article's terms through the glossary
(knowledge/synonyms.yaml, terms.yaml aliases, language.yaml attribute words), and what the
article does not say is declined in English too."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("How many surgeries has the Tiantan robot done so far?", "近200例"),  # Tiantan: a name
        ("How many pieces of scientific equipment are open for sharing?", "1.43万台套"),
        ("Which county-level city in Shandong is building a lithium valley?", "肥城"),
        ("肥城锂电园区有多少masters", "37名硕士"),
        ("When did the surgical robot go on the market?", "去年3月"),
        ("天津滨海那个park进驻了多少家high-tech企业", "193家"),  # the data box's parks
        ("How many times faster is production with the new cutting tool?", "2至3倍"),
        ("Where does the data box get its data from?", "中关村管委会"),
        ("Baoding Zhongguancun Innovation Center有多少家企业注册", "362家"),  # the data box's
        ("How many organizations are in the service provider directory?", "1155家"),  # names
        ("雄安中关村科技园一期的occupancy rate是多少", "90%"),
    ],
)
def test_english_words_reach_the_article(engine, question: str, quoted: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer"
    assert quoted in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "What is the price of the RV reducer?",  # a price: the article gives only a share of cost
        "How much does the RV reducer weigh?",
        "Who is the mayor of Feicheng?",
        "How many universities does Shanghai have?",
    ],
)
def test_what_the_article_does_not_say_is_declined(engine, question: str) -> None:
    assert engine.ask(question).kind != "answer"


def test_the_source_of_the_data_box(engine) -> None:
    reply = engine.ask("source of the data box?")
    assert reply.kind == "answer" and "中关村管委会" in reply.text


def test_a_robot_arm_and_lol(engine) -> None:
    reply = engine.ask("what did the monkey grab with the robot arm lol")
    assert reply.kind == "answer" and "草莓" in reply.text


def test_an_english_verb_before_yixia_is_a_request_not_a_word_asked(engine) -> None:
    reply = engine.ask("三城一区具体是哪几个 list一下")
    assert reply.kind == "answer" and "怀柔科学城" in reply.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("RV减速机的cost占整台robot多少", "三分之一"),
        ("Tsinghua的AI学院有哪两个key direction", "人工智能+X"),
    ],
)
def test_mixed_questions(engine, question: str, expected: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and expected in reply.text


def test_growth_is_an_increase(engine) -> None:
    reply = engine.ask("2023年一区承接的成果比2022年growth了多少")
    assert reply.kind == "answer" and "翻了一番" in reply.text


def test_an_english_yes_no_question_the_article_leaves_open(engine) -> None:
    reply = engine.ask("Is Vidu free to use?")
    assert reply.kind == "fallback" and reply.verdict == "unstated"
    assert "Vidu" in reply.sources[0].quote


def test_tenure_track_and_young_scientists(engine) -> None:
    reply = engine.ask(
        "How long is the stable support period for young scientists under the tenure-track "
        "system at the Shenzhen genome institute?"
    )
    assert reply.kind == "answer" and "5至6年" in reply.text
