"""Retrieval (candidates.py): the short list holds the candidate that answers, typos included,
and never more than SHORTLIST candidates however common the words."""

from __future__ import annotations

from bot.engine.candidates import SHORTLIST, shortlist
from bot.engine.question import read


def keys(engine, text: str) -> set[str]:
    return {c.key for c in shortlist(engine.index, read(engine.index, text))}


def test_the_answering_candidate_is_short_listed(engine) -> None:
    assert "intent:beijing_universities" in keys(engine, "北京有多少所高校？")


def test_a_typo_reaches_its_candidate_through_character_pairs(engine) -> None:
    assert "intent:beijing_researchers" in keys(engine, "北京有多少科研人原")


def test_the_list_is_bounded(engine) -> None:
    common = "北京的科技创新企业和高校有多少科研人员和成果"
    assert len(keys(engine, common)) == SHORTLIST


def test_words_no_candidate_has_reach_nothing(engine) -> None:
    assert keys(engine, "比特币") == set()
