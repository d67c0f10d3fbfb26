"""What the fact builder reads out of a sentence: figures with their units, and named things."""

from __future__ import annotations

import re
from collections.abc import Iterable

_UNITS = (
    "年度|周年|平方米|厘米|台套|大类|个月|名|所|件|家|项|个|秒|年|例|倍|人|大|月|日|号|%|岁|万|亿"
)
_NUMBER = re.compile(
    rf"(?:近|超过|突破)?\d+(?:\.\d+)?(?:至\d+)?(?:万|亿)?(?:余|多)?(?:{_UNITS})|[一二三四五六七八九十]分之[一二三四五六七八九]"
)
_QUOTED = re.compile(r"[“「《]([^“”「」《》]{1,16})[”」》]")
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]*[A-Za-z][A-Za-z0-9.+]*(?<![.+])")


def numbers(text: str) -> list[str]:
    """Figures with units as written: 92所, 55万余名, 1.43万台套, 90%, 三分之一."""
    return _unique(m.group(0) for m in _NUMBER.finditer(text))


class TermMatcher:
    """Finds curated terms in a text without trying every term at every sentence: terms are
    grouped by their first character, so the cost follows the text, not the number of terms
    (which grows with every article added)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.by_first: dict[str, list[str]] = {}
        for term in set(terms):
            if term:
                self.by_first.setdefault(term[0], []).append(term)

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        found = []
        for start, char in enumerate(text):
            for term in self.by_first.get(char, ()):
                if text.startswith(term, start):
                    found.append((start, term))
        return found


def entities(text: str, terms: Iterable[str] | TermMatcher) -> list[str]:
    """Curated terms the sentence contains, then quoted names and Latin-script names.

    Terms are matched longest first without overlap, so "2024中关村论坛年会" is one entity, not
    also "中关村论坛" and "中关村".
    """
    matcher = terms if isinstance(terms, TermMatcher) else TermMatcher(terms)
    taken = [False] * len(text)
    hits: list[tuple[int, str]] = []
    for start, term in sorted(matcher.occurrences(text), key=lambda h: (-len(h[1]), h[1], h[0])):
        end = start + len(term)
        if not any(taken[start:end]):
            taken[start:end] = [True] * len(term)
            hits.append((start, term))
    found = [term for _, term in sorted(hits)]
    found += [m.group(1) for m in _QUOTED.finditer(text)]
    found += [m.group(0) for m in _LATIN.finditer(text)]
    return _unique(found)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
