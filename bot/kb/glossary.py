"""The English -> Chinese glossary (knowledge/glossary.yaml): every English word a question may
use becomes the Chinese word a translator would write, whether or not the article has it, so an
English or mixed question is judged like the same question typed in Chinese.

The file lists base forms in three sections; the loader adds the regular inflections (a plural
for `words`, -s, -ed and -ing for `verbs`, none for `names`), so curators write "release", not
its four forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.kb.yamlsrc import Collector, KnowledgeError, line_of, load_yaml

SECTIONS = ("words", "verbs", "names")
_FORM = re.compile(r"^[a-z0-9][a-z0-9 .'&+\-]*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_VOWELS = set("aeiou")
_DOUBLING = set("bdgklmnprtz")  # plan -> planned, ship -> shipping (not fix -> fixxed)


@dataclass(frozen=True)
class Glossary:
    forms: dict[str, str] = field(default_factory=dict)  # English form -> Chinese word
    names: frozenset[str] = frozenset()  # forms of the `names` section (places)
    written: frozenset[str] = frozenset()  # forms written out (not inflections added)


def plural(word: str) -> str:
    """The regular plural (and third person singular) of an English word."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if len(word) > 1 and word.endswith("y") and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def _doubles(word: str) -> bool:
    """Ends consonant-vowel-consonant, so its final letter may double before -ed / -ing."""
    return (
        len(word) >= 3
        and word[-1] in _DOUBLING
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
        and not (len(word) >= 4 and word[-4] in _VOWELS and word[-3] in _VOWELS)
    )


def verb_forms(word: str) -> set[str]:
    """-s, -ed and -ing of a regular verb; with a doubled final consonant too when it may take
    one (a spare form that is no English word matches nothing)."""
    forms = {plural(word)}
    if word.endswith("e"):
        forms.add(word + "d")
        forms.add(word[:-2] + "ying" if word.endswith("ie") else (
            word + "ing" if word.endswith("ee") else word[:-1] + "ing"
        ))
    elif len(word) > 1 and word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ied", word + "ing"}
    else:
        forms |= {word + "ed", word + "ing"}
        if _doubles(word):
            forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms


def inflections(form: str, section: str) -> set[str]:
    """The forms the loader adds: a phrase's last word takes a plural ("clinical trials"),
    its first word the verb endings ("relies on")."""
    words = form.split(" ")
    if section == "names" or not words[-1].isalpha() or len(words[-1]) < 2:
        return set()
    if section == "words":
        return {" ".join([*words[:-1], plural(words[-1])])}
    if not words[0].isalpha():
        return set()
    return {" ".join([inflected, *words[1:]]) for inflected in verb_forms(words[0])}


def load_glossary(
    path: Path,
    meanings: Mapping[str, str] | None = None,
    synonyms: Mapping[str, Iterable[str]] | None = None,
) -> tuple[Glossary, list[KnowledgeError]]:
    """English form (inflections included) -> Chinese word, the forms that are names, and
    the errors found.

    `meanings` maps the English that synonyms.yaml and terms.yaml already fold to what they
    fold it to (lower case): the glossary may repeat one only with the same meaning. The
    English variants of `synonyms` (synonyms.yaml) are inflected too (inspect -> inspected),
    below every form written out."""
    c = Collector(path)
    if not path.exists():
        c.error(0, "file missing", "restore it from the repository")
        return Glossary(), c.errors
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        c.error(1, f"expected a mapping with the sections {', '.join(SECTIONS)}")
        return Glossary(), c.errors
    explicit: dict[str, str] = {}
    owner_line: dict[str, int] = {}
    derived: dict[str, str] = {}
    meanings = meanings or {}
    for section, node in data.items():
        if section not in SECTIONS:
            c.error(line_of(data, section), f"unknown section {section!r}", f"use {SECTIONS}")
            continue
        if not isinstance(node, Mapping):
            c.error(line_of(data, section), f"{section}: must map Chinese words to English")
            continue
        for target, forms in node.items():
            line = line_of(node, target)
            if not isinstance(target, str) or not _CJK.search(target):
                c.error(line, f"{target!r}: the word translated to must be Chinese")
                continue
            if not isinstance(forms, list) or not all(isinstance(f, str) and f for f in forms):
                c.error(line, f"{target!r}: must map to a list of English words")
                continue
            for form in forms:
                _add(c, line, section, target, form, explicit, owner_line, derived, meanings)
    forms = {**{f: t for f, t in derived.items() if f not in meanings}, **explicit}
    for form, target in _synonym_inflections(synonyms or {}, meanings).items():
        forms.setdefault(form, target)
    names = frozenset(f for f in names_node(data) if f in forms)
    return Glossary(forms, names, frozenset(explicit)), c.errors


def names_node(data: Mapping) -> list[str]:
    node = data.get("names")
    if not isinstance(node, Mapping):
        return []
    return [f for forms in node.values() if isinstance(forms, list) for f in forms]


def _add(
    c: Collector,
    line: int,
    section: str,
    target: str,
    form: str,
    explicit: dict[str, str],
    owner_line: dict[str, int],
    derived: dict[str, str],
    meanings: Mapping[str, str],
) -> None:
    """Check one English form and record it with its inflections."""
    if not _FORM.match(form):
        c.error(line, f"{form!r}: English forms are lower case letters, digits and - ' . & +")
        return
    if form in explicit and explicit[form] != target:
        c.error(
            line,
            f"{form!r} is listed under {explicit[form]!r} (line {owner_line[form]}) and {target!r}",
            "an English form can mean only one thing",
        )
        return
    meaning = meanings.get(form)
    if meaning is not None and meaning != meanings.get(target, target):
        c.error(
            line,
            f"{form!r} already means {meaning!r} in synonyms.yaml or terms.yaml",
            "drop it here, or move it there",
        )
        return
    if meaning is None:
        explicit[form] = target
        owner_line.setdefault(form, line)
    for inflected in inflections(form, section):
        derived.setdefault(inflected, target)


def _synonym_inflections(
    synonyms: Mapping[str, Iterable[str]], meanings: Mapping[str, str]
) -> dict[str, str]:
    """The regular inflections of synonyms.yaml's English variants (whose part of speech it
    does not say, so both a plural and the verb endings), none of them a form written out."""
    found: dict[str, str] = {}
    for variants in synonyms.values():
        for variant in variants:
            form = variant.lower()
            if not _FORM.match(form) or form not in meanings:
                continue
            for section in ("words", "verbs"):
                for inflected in inflections(form, section):
                    if inflected not in meanings:
                        found.setdefault(inflected, meanings[form])
    return found


def english_meanings(
    synonyms: Mapping[str, Iterable[str]], terms: Iterable[tuple[str, Iterable[str]]]
) -> dict[str, str]:
    """What synonyms.yaml and terms.yaml fold each English (or any) form to, in lower case:
    these take precedence over the glossary."""
    meanings: dict[str, str] = {}
    for term, aliases in terms:
        meanings.setdefault(term.lower(), term.lower())
        for alias in aliases:
            meanings.setdefault(alias.lower(), term.lower())
    for word, variants in synonyms.items():
        canonical = meanings.get(word.lower(), word.lower())
        meanings.setdefault(word.lower(), canonical)
        for variant in variants:
            meanings.setdefault(variant.lower(), canonical)
    return meanings
