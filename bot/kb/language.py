"""Loading language.yaml: the words that carry a question's shape rather than its subject
(stopwords, frame words), what attribute questions ask for, and the word lists that tell
clauses, follow-ups, kinds and opposites apart. Every error is reported at its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.kb.kinds import load_kinds
from bot.kb.opposites import load_opposites
from bot.kb.yamlsrc import Collector, KnowledgeError, Mapping, line_of, load_yaml


@dataclass(frozen=True)
class Language:
    stopwords: frozenset[str] = frozenset()
    frame_words: frozenset[str] = frozenset()
    attribute_questions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    followups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    clauses: dict[str, frozenset[str]] = field(default_factory=dict)
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    opposites: dict[str, tuple[str, ...]] = field(default_factory=dict)


FOLLOWUP_LISTS = (
    "person_pronouns",
    "thing_pronouns",
    "demonstratives",
    "locatives",
    "ellipsis_endings",
    "ellipsis_openers",
    "more",
    "original",
    "fillers",
    "onward",
    "other",
    "asks_names",
    "asks_members",
    "breakdown",
    "passage",
    "provenance",
)


def _load_followups(c: Collector, data: Mapping) -> dict[str, tuple[str, ...]]:
    """The follow-up words (pronouns, "more" phrases...): lists of words, normalised later."""
    node = data.get("followups", {})
    if not isinstance(node, Mapping):
        c.error(line_of(data, "followups"), "followups: must be a mapping of word lists")
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for key, words in node.items():
        if key not in FOLLOWUP_LISTS:
            c.error(
                line_of(node, key),
                f"followups: unknown list {key!r}",
                f"use one of {', '.join(FOLLOWUP_LISTS)}",
            )
        elif not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            c.error(
                line_of(node, key),
                f"followups {key!r}: must be a list of words",
                "quote words YAML reads otherwise (yes, no, on, off)",
            )
        else:
            result[str(key)] = tuple(words)
    return result


CLAUSE_LISTS = ("remark", "claim", "tags", "deixis", "topic", "audience")


def load_language(path: Path) -> tuple[Language, list[KnowledgeError]]:
    c = Collector(path)
    if not path.exists():  # without its stopwords every 的 and 吗 would count as content
        c.error(0, "file missing", "restore it from the repository")
        return Language(), c.errors
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        c.error(1, "expected a mapping with stopwords, frame_words and attribute_questions")
        return Language(), c.errors
    words: dict[str, frozenset[str]] = {}
    for key in ("stopwords", "frame_words"):
        value = data.get(key, [])
        if not isinstance(value, list):
            c.error(line_of(data, key), f"`{key}` must be a list of words")
            value = []
        for i, word in enumerate(value):
            if not isinstance(word, str):
                c.error(
                    line_of(value, i),
                    f"{key}: {word!r} is not a word",
                    "quote it: YAML reads bare on/off/yes/no as true/false",
                )
        value = [v for v in value if isinstance(v, str)]
        words[key] = frozenset(v.lower() for v in value)
    attributes: dict[str, tuple[str, ...]] = {}
    node = data.get("attribute_questions", {})
    if not isinstance(node, Mapping):
        c.error(line_of(data, "attribute_questions"), "attribute_questions: must be a mapping")
        node = Mapping()
    for word, evidence in node.items():
        if not isinstance(evidence, list) or not all(isinstance(e, str) and e for e in evidence):
            c.error(line_of(node, word), f"attribute_questions {word!r}: must list evidence words")
            continue
        attributes[str(word)] = tuple(evidence)
    followups = _load_followups(c, data)
    clauses = _clause_lists(data, c)
    kinds = load_kinds(c, data)
    language = Language(
        words["stopwords"],
        words["frame_words"],
        attributes,
        followups,
        clauses,
        kinds,
        load_opposites(c, data),
    )
    return language, c.errors


def _clause_lists(data: Mapping, c: Collector) -> dict[str, frozenset[str]]:
    """The word lists that tell a chatty message's clauses apart (remark, claim, tags, deixis)."""
    if "clauses" not in data:
        return {}
    node = data["clauses"]
    if not isinstance(node, Mapping):
        c.error(line_of(data, "clauses"), "clauses: must be a mapping of word lists")
        return {}
    lists: dict[str, frozenset[str]] = {}
    for key, value in node.items():
        if key not in CLAUSE_LISTS:
            c.error(line_of(node, key), f"clauses: unknown list {key!r}", f"use {CLAUSE_LISTS}")
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            c.error(line_of(node, key), f"clauses {key!r}: must be a list of words")
            continue
        lists[str(key)] = frozenset(v.lower() for v in value)
    return lists


# ---------------------------------------------------------------- the whole store
