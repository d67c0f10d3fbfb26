"""Claims asked in English: "Did it really take only one month for Vidu to go from 8 to 16
seconds?", "Can Vidu make a one-minute video?". A yes/no question (it opens with an auxiliary
verb) is a claim to check like a Chinese one, and its figures ("one month", "30 seconds", "100
universities") are read as ranges in the units the Chinese side uses (claims.py)."""

from __future__ import annotations

import re

from bot.engine.claims import Claimed, Quantity

_AUXILIARY = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|can|could|has|have|had|will|would|isn't|aren't"
    r"|wasn't|didn't|doesn't|can't)\b",
    re.IGNORECASE,
)
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "sixteen": 16,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
    "a hundred": 100,
    "one hundred": 100,
    "a thousand": 1000,
    "one thousand": 1000,
}
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
_SECONDS |= {"month": 30 * 86400, "year": 365 * 86400}
_APPROX = {"about": (0.9, 1.1), "around": (0.9, 1.1), "over": (1.0, 10.0)}
_APPROX |= {"nearly": (0.8, 1.0), "almost": (0.8, 1.0)}
_MAGNITUDES = {"k": 1e3, "thousand": 1e3, "million": 1e6}
_WORD = re.compile(r"\d+(?:\.\d+)?|[a-z%]+")
_FROM_TO = re.compile(r"\bfrom\s+\S+\s+to\s+\S+(?:\s+(?:seconds?|minutes?))?")
_COUNTED = {"universities": "所", "university": "所", "institutes": "所", "cases": "例"}
_COUNTED |= {"surgeries": "例", "operations": "例", "companies": "家", "enterprises": "家"}
_COUNTED |= {"firms": "家", "people": "人", "researchers": "人", "%": "%", "percent": "%"}


_REQUEST = re.compile(
    r"^\s*(?:can|could|would|will|do|did)\s+(?:you|u|i|we)\b|\b(?:how|what|who|when|where"
    r"|which|why)\b",
    re.IGNORECASE,
)


def english_claim(text: str) -> bool:
    """Does an English message ask yes or no (a claim to check), not for a thing ("Can you
    tell me…", "Is it known how long…")?"""
    return _AUXILIARY.search(text) is not None and _REQUEST.search(text) is None


_YEAR = re.compile(r"(?:19|20)\d\d")


def english_claimed(text: str) -> tuple[Claimed, ...]:
    """The figures of an English yes/no question, each with the number as written (what the
    token of it is), for coverage to check rather than require."""
    if not english_claim(text):
        return ()
    return tuple(Claimed(written, q) for written, q in _figures(text))


def english_figures(text: str) -> tuple[Quantity, ...]:
    return tuple(q for _written, q in _figures(text))


def _figures(text: str) -> list[tuple[str, Quantity]]:
    """The figures an English claim gives, as ranges in comparable units: a number followed by
    a unit or a thing it counts. A bare number is no claim, nor the span of "from 8 to 16
    seconds", which says which thing is meant."""
    words = _WORD.findall(_FROM_TO.sub(" ", text.lower()).replace("-", " "))
    found: list[tuple[str, Quantity]] = []
    for i, word in enumerate(words):
        value = float(word) if word[0].isdigit() else _WORDS.get(word)
        if value is None:
            continue
        if _YEAR.fullmatch(word):  # "approved in 2022": a year, checked against the article's
            found.append((word, Quantity(value, value, "年份")))
            continue
        rest = words[i + 1 : i + 3]
        if rest and rest[0] in _MAGNITUDES:
            value, rest = value * _MAGNITUDES[rest[0]], rest[1:]
        if not rest:
            continue
        unit = rest[0]
        if unit.rstrip("s") in _SECONDS:
            low = high = value * _SECONDS[unit.rstrip("s")]
            measure = "秒"
        elif unit in _COUNTED:
            measure = _COUNTED[unit]
            low = high = value / 100 if measure == "%" else value
        else:
            continue
        before = words[i - 1] if i else ""
        if before == "than" and i >= 2 and words[i - 2] == "more":
            before = "over"
        low_factor, high_factor = _APPROX.get(before, (1.0, 1.0))
        found.append((word, Quantity(low * low_factor, high * high_factor, measure)))
    return found
