"""The tables folding reads, built once from the knowledge: every surface form (an alias, a
synonym, an English name) -> its canonical word, the entity types, and the glossary's English
-> Chinese words; and the English function words that say little about a topic."""

from __future__ import annotations

from collections.abc import Iterable

from bot.engine.normalize import normalize
from bot.kb.glossary import Glossary

# English function words: dropped from resemblance strings (they say little about the topic).
ENGLISH_STOPWORDS = (
    "what",
    "whats",
    "which",
    "who",
    "whom",
    "whose",
    "where",
    "when",
    "why",
    "how",
    "many",
    "much",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "do",
    "does",
    "did",
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "with",
    "from",
    "and",
    "or",
    "there",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "can",
    "could",
    "will",
    "would",
    "has",
    "have",
    "had",
    "s",
)


def build_glossary(
    glossary: Glossary, canonical: dict[str, str]
) -> tuple[dict[str, str], frozenset[str]]:
    """English form -> the Chinese word it folds to, normalised, and the forms that are names:
    a translation the knowledge folds itself goes on to the knowledge's word (university ->
    大学 -> 高校). Forms the knowledge folds (its aliases and synonyms) are left to it."""
    folded: dict[str, str] = {}
    for form, target in glossary.forms.items():
        key, word = normalize(form), normalize(target)
        if key and key not in canonical:
            folded[key] = canonical.get(word, word)
    names = frozenset(normalize(form) for form in glossary.names) & set(folded)
    return folded, names


def build_canonical(
    terms: Iterable[tuple[str, str, Iterable[str]]],
    synonyms: dict[str, Iterable[str]],
) -> tuple[dict[str, str], dict[str, str]]:
    """The surface -> canonical table and the entity types, all in normalised form."""
    canonical: dict[str, str] = {}
    entity_types: dict[str, str] = {}
    for term, kind, aliases in terms:
        key = normalize(term)
        if not key:
            continue
        if kind != "term":
            entity_types[key] = kind
        canonical.setdefault(key, key)
        for alias in aliases:
            alias_key = normalize(alias)
            if alias_key and alias_key != key:
                canonical.setdefault(alias_key, key)
    for word, variants in synonyms.items():
        key = normalize(word)
        canonical.setdefault(key, canonical.get(key, key))
        for variant in variants:
            variant_key = normalize(variant)
            if variant_key and variant_key not in canonical:
                canonical[variant_key] = canonical[key]
    return canonical, entity_types
