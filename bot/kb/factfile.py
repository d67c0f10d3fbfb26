"""knowledge/facts.yaml: built from the articles by `factbot build`, checked on every load.

The file is generated, but committed so that intents can name facts by id and a reviewer can
read a diff. Loading checks that it is what a build would write now (else it is stale), that
every quote is verbatim in its paragraph, and that no id is there twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.kb.article import Article
from bot.kb.facts import Fact, active_part, build_facts, dump_facts, read_facts
from bot.kb.ids import Carried, carry_ids
from bot.kb.yamlsrc import KnowledgeError, KnowledgeInvalid, Mapping, display_path, load_yaml

if TYPE_CHECKING:
    from bot.kb.store import Term


def _built(articles: list[Article], terms: list[Term], previous: Iterable[Fact]) -> Carried:
    names = [t.term for t in terms] + [a for t in terms for a in t.aliases]
    return carry_ids(build_facts(articles, names), previous)


def facts_text(
    directory: Path, articles: list[Article], terms: list[Term], previous: Iterable[Fact] = ()
) -> str:
    """What facts.yaml must say for the current articles, without its retired facts; ids are
    carried over from `previous`, the facts it had (see bot.kb.ids)."""
    return dump_facts(_built(articles, terms, previous).facts)


@dataclass(frozen=True)
class Built:
    """What `factbot build` did: the file, its number of facts, the edited sentences that kept
    their ids (old, new), and the retired facts each intent still names."""

    path: Path
    count: int
    edited: list[tuple[Fact, Fact]]
    lost: dict[str, list[Fact]]


def build_knowledge(directory: Path) -> Built:
    """Regenerate knowledge/facts.yaml, keeping the ids of the facts it had."""
    from bot.kb.store import load_articles, load_terms

    articles = load_articles(directory)
    terms = load_terms(directory)
    path = directory / "facts.yaml"
    previous: list[Fact] = []
    if path.exists():
        try:
            active, retired = read_facts(path)
            previous = active + retired
        except KnowledgeInvalid:
            previous = []  # unreadable: rebuilt from scratch, with fresh ids
    carried = _built(articles, terms, previous)
    named = _named_facts(directory / "intents.yaml")
    kept = [fact for fact in carried.retired if fact.id in named]
    path.write_text(dump_facts(carried.facts, kept), encoding="utf-8")
    lost: dict[str, list[Fact]] = {}
    for fact in kept:
        for intent_id in named[fact.id]:
            lost.setdefault(intent_id, []).append(fact)
    return Built(path, len(carried.facts), carried.edited, lost)


def _named_facts(path: Path) -> dict[str, list[str]]:
    """fact id -> the intents that name it, read leniently (build comes before check)."""
    try:
        data = load_yaml(path) if path.exists() else []
    except KnowledgeInvalid:
        return {}
    named: dict[str, list[str]] = {}
    for node in data if isinstance(data, list) else []:
        if isinstance(node, Mapping) and isinstance(node.get("facts"), list):
            for fact_id in node["facts"]:
                named.setdefault(str(fact_id), []).append(str(node.get("id")))
    return named


def load_fact_file(
    directory: Path, articles: list[Article], terms: list[Term]
) -> tuple[list[Fact], list[Fact], list[KnowledgeError]]:
    """facts.yaml's facts, its retired facts, and what is wrong with it."""
    path = directory / "facts.yaml"
    shown = display_path(path)
    if not path.exists():
        raise KnowledgeInvalid(
            [KnowledgeError(shown, 0, "facts.yaml missing", "run `factbot build`")]
        )
    facts, retired = read_facts(path)
    errors: list[KnowledgeError] = []
    expected = facts_text(directory, articles, terms, facts + retired)
    if active_part(path.read_text(encoding="utf-8")) != expected:
        errors.append(
            KnowledgeError(
                shown,
                1,
                "facts.yaml is stale: the articles or terms changed since it was built",
                "run `factbot build` and commit the result",
            )
        )
    seen: set[str] = set()
    paragraphs = {p.id: p for a in articles for p in a.paragraphs()}
    for fact in facts:
        if fact.id in seen:
            errors.append(
                KnowledgeError(
                    shown, fact.line, f"duplicate fact id {fact.id}", "run `factbot build`"
                )
            )
        seen.add(fact.id)
        paragraph = paragraphs.get(fact.paragraph)
        if paragraph is None or fact.text not in paragraph.text:
            errors.append(
                KnowledgeError(
                    shown,
                    fact.line,
                    f"fact {fact.id} is not verbatim in {fact.paragraph}",
                    "quotes must be copied from the cleaned article; run `factbot build`",
                )
            )
    return facts, retired, errors
