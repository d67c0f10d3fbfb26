"""English words typed with one slip are read as the word they are one edit from."""

from __future__ import annotations

import pytest

from bot.engine.spelling import correct, edits

VOCABULARY = {"research", "university", "lower", "policy", "polish"}


def _correct(text: str, spelled: frozenset[str] = frozenset()) -> str:
    return correct(text, VOCABULARY, VOCABULARY | spelled, lambda _word: False)


def test_edits_are_one_step_away() -> None:
    near = edits("reserch")
    assert "research" in near and "reserch" not in near


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("how many reserch institutes", "how many research institutes"),
        ("北京有多少所univercity", "北京有多少所university"),
        ("power", "power"),  # too short to tell from another word: lower is another word
        ("polisy", "polisy"),  # one edit from both policy and polish: left as typed
        ("shuting", "shuting"),  # no neighbour
    ],
)
def test_a_word_one_slip_from_exactly_one_known_word_is_corrected(typed: str, read: str) -> None:
    assert _correct(typed) == read


def test_a_word_spelled_right_or_used_by_the_knowledge_is_kept() -> None:
    assert _correct("reseach", spelled=frozenset({"reseach"})) == "reseach"
    assert correct("reserch", VOCABULARY, VOCABULARY, lambda w: w == "reserch") == "reserch"


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("how many reserch institutes does beijing have", "1000余所"),
        ("北京有多少所univercity", "92所"),
        ("who is ji shuting", "纪姝婷"),  # a word of a name is no typo
    ],
)
def test_mistyped_english_is_answered(engine, question: str, quoted: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and quoted in reply.text


def test_a_mistyped_question_about_elsewhere_is_still_declined(engine) -> None:
    assert engine.ask("How many univercities does Shanghai have?").kind != "answer"
