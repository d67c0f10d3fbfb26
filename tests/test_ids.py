"""Fact ids survive edits: `factbot build` gives an edited sentence the id it had, and when a
sentence is gone, `factbot check` names the intents that lost it and what it said."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kb.facts import RETIRED_MARK
from bot.kb.ids import carry_ids
from tests.conftest import run_cli

OLD = (
    "北京市拥有92所高校、1000余所科研院所，国家实验室、大科学装置数量均位居全国首位，"
    "开展基础研究具有天然优势。"
)
FACT = "bj.s1.3839af"  # OLD's id in the shipped facts.yaml


def _correct(knowledge: Path, old: str, new: str) -> None:
    """A corrected article: the raw text and the cleaned article changed alike."""
    for path in (
        knowledge / "sources" / "bj" / "raw.txt",
        knowledge / "sources" / "bj" / "article.yaml",
    ):
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _cli(knowledge: Path, *args: str):
    return run_cli("--knowledge", str(knowledge), *args)


def test_an_edited_sentence_keeps_its_id(knowledge_copy: Path) -> None:
    new = OLD.replace("国家实验室、大科学装置", "国家实验室和大科学装置")
    _correct(knowledge_copy, OLD, new)
    built = _cli(knowledge_copy, "build")
    assert built.returncode == 0, built.stderr
    assert f"  {FACT} kept its id: “{OLD}” is now “{new}”" in built.stdout.splitlines()
    facts = (knowledge_copy / "facts.yaml").read_text(encoding="utf-8")
    assert f"- id: {FACT}\n  paragraph: bj.s1.p7\n  sentence: 1\n" in facts
    assert RETIRED_MARK not in facts

    checked = _cli(knowledge_copy, "check")
    assert checked.returncode == 0, checked.stderr
    answer = _cli(knowledge_copy, "ask", "北京有多少所高校？")
    assert "国家实验室和大科学装置" in answer.stdout


def test_an_intent_that_lost_its_sentence_is_told_what_it_said(knowledge_copy: Path) -> None:
    new = "北京的高校和科研院所数量在全国名列前茅。"
    _correct(knowledge_copy, OLD, new)
    built = _cli(knowledge_copy, "build")
    assert built.returncode == 0, built.stderr
    assert f"  beijing_universities lost its fact {FACT}: the article no longer says “{OLD}”" in (
        built.stderr
    )
    facts_path = knowledge_copy / "facts.yaml"
    after_one = facts_path.read_text(encoding="utf-8")
    assert _cli(knowledge_copy, "build").returncode == 0
    assert facts_path.read_text(encoding="utf-8") == after_one  # a build of a build: the same

    checked = _cli(knowledge_copy, "check")
    assert checked.returncode == 1
    lost = [line for line in checked.stderr.splitlines() if "lost its fact" in line]
    assert [line.split(": ")[1].split(" lost")[0] for line in lost] == [
        "beijing_universities",
        "beijing_institutes",
        "beijing_labs_first",
    ]
    assert (
        f"beijing_universities lost its fact {FACT}: the article no longer says “{OLD}” "
        "(《感悟高质量发展的“第一动力”》· 1个月实现自主研发新突破 · 第7段) (the nearest sentence "
        "there now is bj.s1."
    ) in lost[0]
    assert f"“{new}” (similarity" in lost[0]
    assert "did you mean" not in checked.stderr

    # The curator takes the lost id out of the intents: the next build forgets it.
    intents = knowledge_copy / "intents.yaml"
    text = intents.read_text(encoding="utf-8")
    intents.write_text(text.replace(f"{FACT}, ", "").replace(f", {FACT}", ""), encoding="utf-8")
    assert _cli(knowledge_copy, "build").returncode == 0
    assert RETIRED_MARK not in facts_path.read_text(encoding="utf-8")


def test_a_mistyped_id_is_told_the_fact_it_is_close_to(knowledge_copy: Path) -> None:
    intents = knowledge_copy / "intents.yaml"
    text = intents.read_text(encoding="utf-8")
    intents.write_text(text.replace(f"\n  facts: [{FACT}", "\n  facts: [bj.s1.3839ae", 1), "utf-8")
    checked = _cli(knowledge_copy, "check")
    assert checked.returncode == 1
    assert (
        f"beijing_universities: unknown fact id 'bj.s1.3839ae' (did you mean {FACT} “{OLD}”?)"
    ) in checked.stderr


@functools.cache
def _real_facts() -> tuple:
    """The shipped article's facts, as a build makes them."""
    from bot.kb.factfile import _built
    from bot.kb.store import load_articles, load_terms
    from tests.conftest import KNOWLEDGE

    articles, terms = load_articles(KNOWLEDGE), load_terms(KNOWLEDGE)
    return tuple(_built(articles, terms, ()).facts)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_one_small_edit_keeps_every_id_and_a_rebuild_changes_nothing(data) -> None:
    """One character changed in any sentence of four characters or more (a 2-character
    heading changed by one is not the same heading)."""
    facts = list(_real_facts())
    index = data.draw(st.sampled_from([i for i, f in enumerate(facts) if len(f.text) >= 4]))
    fact = facts[index]
    at = data.draw(st.integers(0, len(fact.text) - 1))
    char = data.draw(st.sampled_from("的了和在是有一二三四"))
    edited_text = fact.text[:at] + char + fact.text[at + 1 :]
    edited = dataclasses.replace(fact, id=f"{fact.id}x", text=edited_text)  # a fresh id
    built = [*facts[:index], edited, *facts[index + 1 :]]
    carried = carry_ids(built, facts)
    assert [f.id for f in carried.facts] == [f.id for f in facts]
    assert carried.retired == []
    again = carry_ids(built, carried.facts)
    assert again.facts == carried.facts and again.edited == [] and again.retired == []
