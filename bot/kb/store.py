"""Loading and validating everything in knowledge/: one Knowledge object, or every error found.

The bot and every CLI command load knowledge through `load_knowledge`, so invalid knowledge stops
them all with the same messages `factbot check` prints: file, line, what is wrong, what to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.kb.article import Article
from bot.kb.article_load import article_from_plain_text, load_article
from bot.kb.factfile import load_fact_file
from bot.kb.facts import Fact
from bot.kb.glossary import Glossary, english_meanings, load_glossary
from bot.kb.ids import LostFacts
from bot.kb.intents import Intent, check_answers, load_intents
from bot.kb.language import load_language
from bot.kb.provenance import check_article
from bot.kb.yamlsrc import (
    Collector,
    KnowledgeError,
    KnowledgeInvalid,
    Mapping,
    display_path,
    line_of,
    load_list,
    load_yaml,
)

TERM_TYPES = ("person", "place", "org", "product", "event", "document", "term")


@dataclass(frozen=True)
class Term:
    term: str
    type: str
    aliases: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()  # a region's parts: 京津冀 -> 北京, 天津, 河北


@dataclass(frozen=True)
class SmallTalk:
    id: str
    examples: tuple[str, ...]
    replies: tuple[str, ...]
    line: int = 0
    addressed: bool = False  # only when the question speaks to the bot (你, 您, you)


@dataclass(frozen=True)
class Knowledge:
    articles: tuple[Article, ...]
    facts: tuple[Fact, ...]
    intents: tuple[Intent, ...]
    smalltalk: tuple[SmallTalk, ...]
    terms: tuple[Term, ...]
    synonyms: dict[str, tuple[str, ...]]  # canonical -> variants
    stopwords: frozenset[str]
    frame_words: frozenset[str]
    directory: Path
    attribute_questions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    followups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    clause_words: dict[str, frozenset[str]] = field(default_factory=dict)  # language.yaml clauses
    glossary: Glossary = field(default_factory=Glossary)  # English -> Chinese (glossary.yaml)
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # type -> its kind words
    opposites: dict[str, tuple[str, ...]] = field(default_factory=dict)  # word -> words against it
    _facts_by_id: dict[str, Fact] = field(default_factory=dict, repr=False)

    def fact(self, fact_id: str) -> Fact:
        if not self._facts_by_id:
            self._facts_by_id.update({f.id: f for f in self.facts})
        return self._facts_by_id[fact_id]

    def article(self, article_id: str) -> Article:
        for article in self.articles:
            if article.id == article_id:
                return article
        raise KeyError(article_id)

    @property
    def main_article(self) -> Article:
        return self.articles[0]


# ---------------------------------------------------------------- sources


def load_articles(directory: Path) -> list[Article]:
    """Every article under knowledge/sources/: a folder with article.yaml (cleaned, curated), or
    a folder or file with only raw text (structured automatically). The curated main article,
    bj, comes first; the others follow by name."""
    sources = directory / "sources"
    articles: list[Article] = []
    if not sources.is_dir():
        raise KnowledgeInvalid(
            [KnowledgeError(display_path(sources), 0, "no sources folder", "add the article text")]
        )
    for entry in sorted(sources.iterdir()):
        if entry.is_dir() and (entry / "article.yaml").is_file():
            articles.append(load_article(entry / "article.yaml"))
        elif entry.is_dir() and (entry / "raw.txt").is_file():
            articles.append(article_from_plain_text(entry / "raw.txt", _article_id(entry.name)))
        elif entry.is_file() and entry.suffix == ".txt":
            articles.append(article_from_plain_text(entry, _article_id(entry.stem)))
    if not articles:
        raise KnowledgeInvalid(
            [KnowledgeError(display_path(sources), 0, "no article found", "add an article.yaml")]
        )
    articles.sort(key=lambda a: (a.id != "bj", a.id))
    return articles


def _article_id(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_") or "article"
    return cleaned if cleaned[0].isalpha() else f"a_{cleaned}"


def load_terms(directory: Path) -> list[Term]:
    path = directory / "terms.yaml"
    if not path.exists():  # without it names are not read as names: refusals quietly fail
        hint = "restore it from the repository"
        raise KnowledgeInvalid([KnowledgeError(display_path(path), 0, "file missing", hint)])
    data = load_yaml(path)
    shown = display_path(path)
    errors: list[KnowledgeError] = []
    terms: list[Term] = []
    if not isinstance(data, list):
        raise KnowledgeInvalid([KnowledgeError(shown, 1, "expected a list of terms")])
    for index, node in enumerate(data):
        line = line_of(data, index)
        if not isinstance(node, Mapping) or not isinstance(node.get("term"), str):
            errors.append(KnowledgeError(shown, line, "each entry needs `term:` text"))
            continue
        kind = node.get("type", "term")
        if kind not in TERM_TYPES:
            errors.append(
                KnowledgeError(shown, line, f"unknown type {kind!r}", f"use one of {TERM_TYPES}")
            )
        aliases = node.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            errors.append(KnowledgeError(shown, line, "aliases: must be a list of text"))
            aliases = []
        includes = node.get("includes") or []
        if not isinstance(includes, list) or not all(isinstance(a, str) for a in includes):
            errors.append(KnowledgeError(shown, line, "includes: must be a list of text"))
            includes = []
        terms.append(Term(node["term"], str(kind), tuple(aliases), tuple(includes)))
    if errors:
        raise KnowledgeInvalid(errors)
    return terms


def build(directory: Path) -> tuple[Path, int]:
    """Regenerate knowledge/facts.yaml; returns its path and the number of facts."""
    from bot.kb.factfile import build_knowledge

    built = build_knowledge(directory)
    return built.path, built.count


# ---------------------------------------------------------------- curated files


def load_smalltalk(path: Path) -> tuple[list[SmallTalk], list[KnowledgeError]]:
    data, c = load_list(path)
    items: list[SmallTalk] = []
    for index, node in enumerate(data):
        line = line_of(data, index)
        if not isinstance(node, Mapping) or not isinstance(node.get("id"), str):
            c.error(line, "each small-talk entry needs id, examples and replies")
            continue
        examples = c.texts(node, "examples", node["id"], 2)
        replies = c.texts(node, "replies", node["id"], 1)
        addressed = node.get("addressed", False)
        if not isinstance(addressed, bool):
            c.error(line_of(node, "addressed"), f"{node['id']}: addressed must be true or false")
            addressed = False
        items.append(SmallTalk(node["id"], examples, replies, line, addressed))
    return items, c.errors


def load_synonyms(path: Path) -> tuple[dict[str, tuple[str, ...]], list[KnowledgeError]]:
    c = Collector(path)
    if not path.exists():  # without it "大学" no longer finds 高校: answers quietly get worse
        c.error(0, "file missing", "restore it from the repository")
        return {}, c.errors
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        c.error(1, "expected a mapping: canonical word -> list of variants")
        return {}, c.errors
    synonyms: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for key, value in data.items():
        line = line_of(data, key)
        if (
            not isinstance(key, str)
            or not isinstance(value, list)
            or not all(isinstance(v, str) and v for v in value)
        ):
            c.error(line, f"{key!r}: must map to a list of variants")
            continue
        for variant in value:
            if variant in owner and owner[variant] != key:
                c.error(
                    line,
                    f"variant {variant!r} is listed under {owner[variant]!r} and {key!r}",
                    "a variant can mean only one thing",
                )
            owner[variant] = key
        synonyms[key] = tuple(value)
    return synonyms, c.errors


def load_knowledge(directory: Path, normalise: Callable[[str], str] | None = None) -> Knowledge:
    """Load and validate knowledge/; raise KnowledgeInvalid with every error found."""
    errors: list[KnowledgeError] = []
    articles = load_articles(directory)
    for article in articles:  # what is quoted must be what the raw text says
        errors += check_article(article)
    terms = load_terms(directory)
    facts, retired, fact_errors = load_fact_file(directory, articles, terms)
    errors += fact_errors
    fact_ids = {fact.id for fact in facts}
    intents, intent_errors = load_intents(
        directory / "intents.yaml", fact_ids, normalise, LostFacts(facts, retired)
    )
    errors += intent_errors
    errors += check_answers(directory / "intents.yaml", intents, {f.id: f for f in facts})
    smalltalk, st_errors = load_smalltalk(directory / "smalltalk.yaml")
    errors += st_errors
    synonyms, syn_errors = load_synonyms(directory / "synonyms.yaml")
    errors += syn_errors
    language, lang_errors = load_language(directory / "language.yaml")
    errors += lang_errors
    glossary, glossary_errors = load_glossary(
        directory / "glossary.yaml",
        english_meanings(synonyms, ((t.term, t.aliases) for t in terms)),
        synonyms,
    )
    errors += glossary_errors
    if errors:
        raise KnowledgeInvalid(errors)
    return Knowledge(
        articles=tuple(articles),
        facts=tuple(facts),
        intents=tuple(intents),
        smalltalk=tuple(smalltalk),
        terms=tuple(terms),
        synonyms=synonyms,
        stopwords=language.stopwords,
        frame_words=language.frame_words,
        directory=directory,
        attribute_questions=language.attribute_questions,
        followups=language.followups,
        clause_words=language.clauses,
        glossary=glossary,
        kinds=language.kinds,
        opposites=language.opposites,
    )


def uncovered_facts(knowledge: Knowledge) -> list[Fact]:
    """Curated-article facts with a figure or a named thing that no intent leads to."""
    reachable = {f for intent in knowledge.intents for f in intent.facts}
    curated = {a.id for a in knowledge.articles if a.source_path.name == "article.yaml"}
    headings = (".heading", ".box")  # headings restate what the body says
    return [
        fact
        for fact in knowledge.facts
        if fact.article in curated
        and (fact.numbers or fact.entities)
        and fact.id not in reachable
        and not fact.paragraph.endswith(headings)
    ]
