"""Fact ids that survive edits: a rebuilt fact keeps the id of the sentence it was before.

A fresh fact's id is a hash of its text, so fixing one character of a sentence would change its
id and silently cut every intent that quotes it. `carry_ids` gives each newly built fact the id
it had in the previous facts.yaml: the same text in the same section keeps its id; an edited
sentence keeps the id of the most similar old sentence of the same paragraph, when they are
similar enough to be the same sentence edited. Old facts nothing was matched to are retired:
facts.yaml keeps them (text and all) while an intent still names them, so `check` can say which
sentence an intent lost.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.kb.facts import Fact

SAME_SENTENCE = 0.6  # similarity (0-1) at which an edited sentence is the old one edited


@dataclass(frozen=True)
class Carried:
    """The facts with their ids settled, and what happened to the old ones."""

    facts: list[Fact]
    edited: list[tuple[Fact, Fact]]  # (old, new) pairs matched by similarity
    retired: list[Fact]  # old facts no new fact stands for


def similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100


def _section(fact: Fact) -> tuple[str, str]:
    return fact.article, fact.section


def carry_ids(built: list[Fact], previous: Iterable[Fact]) -> Carried:
    """`built` (fresh ids) with the ids of `previous` carried over where they stand for the
    same sentence; deterministic, so building twice gives the same file."""
    unused: dict[tuple[str, str], list[Fact]] = {}
    for fact in previous:
        unused.setdefault(_section(fact), []).append(fact)
    ids: list[str | None] = [None] * len(built)
    for index, fact in enumerate(built):  # the same sentence: keep its id
        pool = unused.get(_section(fact), [])
        same = [old for old in pool if old.text == fact.text]
        if same:
            best = min(same, key=lambda old: old.paragraph != fact.paragraph)
            pool.remove(best)
            ids[index] = best.id
    pairs = []  # an edited sentence: the nearest old one of its paragraph
    for index, fact in enumerate(built):
        if ids[index] is None:
            for old in unused.get(_section(fact), []):
                if old.paragraph == fact.paragraph:
                    score = similarity(old.text, fact.text)
                    if score >= SAME_SENTENCE:
                        pairs.append((-score, index, old.id, old))
    edited: list[tuple[Fact, Fact]] = []
    taken: set[str] = set()
    for _, index, _, old in sorted(pairs, key=lambda p: p[:3]):
        if ids[index] is None and old.id not in taken:
            ids[index] = old.id
            taken.add(old.id)
            edited.append((old, built[index]))
    retired = [old for pool in unused.values() for old in pool if old.id not in taken]
    facts = _settle(built, ids)
    return Carried(facts, edited, retired)


def _settle(built: list[Fact], ids: list[str | None]) -> list[Fact]:
    """Carried ids, and fresh ones made unique against them."""
    used = {fact_id for fact_id in ids if fact_id}
    facts = []
    for fact, carried in zip(built, ids, strict=True):
        fact_id = carried
        if fact_id is None:
            fact_id = fact.id
            suffix = 0
            while fact_id in used:  # a fresh id that an old sentence's id already took
                suffix += 1
                fact_id = f"{fact.id}{suffix}"
            used.add(fact_id)
        facts.append(fact if fact_id == fact.id else dataclasses.replace(fact, id=fact_id))
    return facts


_TYPO = 0.9  # an unknown id this close to a real one is a typo of it


class LostFacts:
    """What to tell a curator about an intent's fact id that names no fact: the sentence it
    stood for, if facts.yaml kept it as retired, and the sentence that stands there now."""

    def __init__(self, facts: Iterable[Fact], retired: Iterable[Fact] = ()) -> None:
        self.facts = list(facts)
        self.retired = {fact.id: fact for fact in retired}

    def explain(self, intent_id: str, fact_id: str) -> tuple[str, str]:
        old = self.retired.get(fact_id)
        if old is None:
            return f"{intent_id}: unknown fact id {fact_id!r}", self._typo(fact_id)
        message = (
            f"{intent_id} lost its fact {fact_id}: the article no longer says “{old.text}” "
            f"({old.where})"
        )
        nearest = self._nearest(old)
        if nearest is None:
            return message, "remove it from the intent, or restore the sentence in the article"
        score, fact = nearest
        return message, (
            f"the nearest sentence there now is {fact.id} “{fact.text}” (similarity "
            f"{score:.2f}): name it instead if it says what the intent answers"
        )

    def _nearest(self, old: Fact) -> tuple[float, Fact] | None:
        here = [f for f in self.facts if (f.article, f.section) == (old.article, old.section)]
        scored = [(similarity(old.text, f.text), f) for f in here]
        return max(scored, key=lambda pair: pair[0], default=None)

    def _typo(self, fact_id: str) -> str:
        best = max(self.facts, key=lambda f: fuzz.ratio(fact_id, f.id), default=None)
        if best is not None and fuzz.ratio(fact_id, best.id) / 100 >= _TYPO:
            return f"did you mean {best.id} “{best.text}”?"
        return "no fact has this id; pick one from knowledge/facts.yaml"
