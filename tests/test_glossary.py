"""The English -> Chinese glossary (knowledge/glossary.yaml): its inflections, its checks (each
error at its file and line), and what it does to English and mixed questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.glossary import inflections, load_glossary, plural, verb_forms
from tests.conftest import KNOWLEDGE


@pytest.mark.parametrize(
    ("word", "expected"),
    [("policy", "policies"), ("switch", "switches"), ("chip", "chips"), ("day", "days")],
)
def test_plurals(word: str, expected: str) -> None:
    assert plural(word) == expected


@pytest.mark.parametrize(
    ("verb", "forms"),
    [
        ("release", {"releases", "released", "releasing"}),
        ("switch", {"switches", "switched", "switching"}),
        ("study", {"studies", "studied", "studying"}),
        ("plan", {"planned", "planning", "plans"}),
        ("develop", {"develops", "developed", "developing"}),
    ],
)
def test_verb_forms(verb: str, forms: set[str]) -> None:
    assert forms <= verb_forms(verb)


def test_phrases_inflect_their_head() -> None:
    assert inflections("clinical trial", "words") == {"clinical trials"}
    assert "relied on" in inflections("rely on", "verbs")
    assert inflections("hong kong", "names") == set()


def _load(tmp_path: Path, text: str, meanings: dict[str, str] | None = None):
    path = tmp_path / "glossary.yaml"
    path.write_text(text, encoding="utf-8")
    glossary, errors = load_glossary(path, meanings)
    return path, glossary, [str(e) for e in errors]


def test_forms_and_their_inflections_map_to_the_chinese_word(tmp_path: Path) -> None:
    text = "words:\n  政策: [policy]\nverbs:\n  发布: [release]\nnames:\n  上海: [shanghai]\n"
    _path, glossary, errors = _load(tmp_path, text)
    assert errors == []
    assert glossary.forms["policies"] == "政策"
    assert glossary.forms["released"] == "发布"
    assert glossary.names == frozenset({"shanghai"})


def test_a_form_listed_twice_is_an_error_at_its_line(tmp_path: Path) -> None:
    path, _glossary, errors = _load(tmp_path, "words:\n  机器: [machine]\n  机床: [machine]\n")
    assert errors == [
        f"{path}:3: 'machine' is listed under '机器' (line 2) and '机床'"
        " (an English form can mean only one thing)"
    ]


def test_a_form_the_synonyms_give_another_meaning_is_an_error(tmp_path: Path) -> None:
    path, _glossary, errors = _load(
        tmp_path, "words:\n  作家: [writer]\n", meanings={"writer": "作者"}
    )
    assert errors and errors[0].startswith(f"{path}:2: 'writer' already means '作者'")


def test_the_same_meaning_as_the_synonyms_is_no_error(tmp_path: Path) -> None:
    _path, glossary, errors = _load(
        tmp_path, "words:\n  大学: [university]\n", meanings={"university": "高校", "大学": "高校"}
    )
    assert errors == [] and "university" not in glossary.forms  # (the synonyms fold it)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("word:\n  政策: [policy]\n", "unknown section 'word'"),
        ("words:\n  policy: [policy]\n", "the word translated to must be Chinese"),
        ("words:\n  政策: policy\n", "must map to a list of English words"),
        ("words:\n  政策: [Policy]\n", "English forms are lower case"),
    ],
)
def test_malformed_entries_are_errors_at_their_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    path, _glossary, errors = _load(tmp_path, text)
    assert len(errors) == 1 and problem in errors[0]
    assert errors[0].startswith(f"{path}:")


def test_the_committed_glossary_is_a_general_one() -> None:
    """Several hundred words of news about science, industry, medicine and policy."""
    from bot.kb.store import load_knowledge

    glossary = load_knowledge(KNOWLEDGE).glossary
    base = {f for f in glossary.forms if " " not in f}
    assert len(base) > 800
    for word in ("event", "switch", "machine", "policy", "price", "population", "weather"):
        assert word in glossary.forms, word


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("Vidu生成的视频里镜头是怎么switch的？", "有序切换"),
        ("Vidu生成的视频里镜头是怎么切换的？", "有序切换"),  # (the same, in Chinese)
        ("天坛医院那台surgery robot目前做了多少case", "近200例"),  # a case counted is 例
        ("2024中关村论坛首次设的那个theme day叫什么", "人工智能主题日"),  # the name around
        # the English is not folded twice (2024中关村论坛年会)
    ],
)
def test_a_mixed_question_is_read_in_chinese(engine, question: str, quoted: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer"
    assert quoted in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "Vidu的price是多少",  # like Vidu的价格是多少: the article gives no price
        "Vidu的价格是多少",
        "北京的population有多少",
        "明天北京的weather怎么样",
        "shanghai有多少所高校",  # another place: not Beijing's figure
        "What is the capital of France?",
        "Vidu的fps是多少",  # an English word in no glossary is a word the knowledge never
        "北京有多少家starbucks",  # uses, as an unknown Chinese word would be
        "Tesla在北京有多少家工厂",
        "How many universities are there in Shanghai?",
    ],
)
def test_what_the_article_does_not_say_is_declined_in_either_language(
    engine, question: str
) -> None:
    assert engine.ask(question).kind != "answer"


def test_english_words_put_into_chinese_are_read_as_one_chinese_phrase(engine) -> None:
    """"surgery robot" becomes 手术机器人, written without a space, so it is read as the name
    the knowledge folds it to, as when typed in Chinese."""
    index = engine.index
    folded = index.analyzer.fold("那个surgery robot做了多少例手术", fuzzy=True)
    assert "血管介入手术机器人" in folded


def test_the_synonyms_english_is_inflected_too(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text("words:\n  政策: [policy]\n", encoding="utf-8")
    meanings = {"inspect": "检测", "检测": "检测", "inspection": "检测"}
    glossary, errors = load_glossary(path, meanings, {"检测": ["inspect", "inspection"]})
    assert errors == []
    assert glossary.forms["inspected"] == "检测"
    assert "inspect" not in glossary.forms  # (synonyms.yaml folds it itself)


def test_chat_in_english_around_a_chinese_question(engine) -> None:
    for question in ("btw 北京有多少所高校", "pls 告诉我北京有多少所高校", "hi 北京有多少所高校"):
        reply = engine.ask(question)
        assert reply.kind == "answer" and "92所高校" in reply.text, question
