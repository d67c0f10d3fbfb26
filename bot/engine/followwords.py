"""The words of a follow-up: the lists of knowledge/language.yaml's `followups`, and what a
token is (a question word, a word of time, a noun), as bot/engine/followup.py reads them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.analysis import Token
from bot.engine.normalize import normalize


@dataclass(frozen=True)
class Words:
    """The follow-up words of language.yaml, normalised the way questions are."""

    person: frozenset[str]
    thing: frozenset[str]
    demonstratives: frozenset[str]
    locatives: frozenset[str]
    endings: tuple[str, ...]  # longest first
    openers: tuple[str, ...]
    more: frozenset[str]
    original: frozenset[str]
    fillers: frozenset[str]
    onward: frozenset[str]
    other: frozenset[str]
    names: tuple[str, ...]
    members: tuple[str, ...]
    breakdown: tuple[str, ...]
    passage: tuple[str, ...]  # longest first
    provenance: tuple[str, ...]

    @classmethod
    def of(cls, lists: dict[str, tuple[str, ...]]) -> Words:
        def words(key: str) -> tuple[str, ...]:
            folded = {normalize(w) for w in lists.get(key, ())} - {""}
            return tuple(sorted(folded, key=lambda w: (-len(w), w)))

        return cls(
            frozenset(words("person_pronouns")),
            frozenset(words("thing_pronouns")),
            frozenset(words("demonstratives")),
            frozenset(words("locatives")),
            words("ellipsis_endings"),
            tuple(sorted({w.replace(" ", "") for w in words("ellipsis_openers")}, key=len)[::-1]),
            frozenset(words("more")),
            frozenset(words("original")),
            frozenset(words("fillers")),
            frozenset(words("onward")),
            frozenset(words("other")),
            words("asks_names"),
            words("asks_members"),
            words("breakdown"),
            words("passage"),
            words("provenance"),
        )


QUESTION_WORDS = ("谁", "哪", "几", "什么", "怎", "啥", "为何", "为什么")  # (in 是谁, 哪些...)
_ENGLISHQUESTION_WORDS = frozenset(
    ["who", "whom", "whose", "what", "which", "where", "when", "why", "how"]
)
# question words that ask for more of the same (还有什么, 原文是怎么说的, 出自哪一段)
WHAT_ELSE = frozenset(
    [
        "什么",
        "啥",
        "哪些",
        "啥子",
        "怎么样",
        "怎么说",
        "怎么",
        "怎样",
        "如何",
        "哪",
        "哪里",
        "哪儿",
        "怎么回事",
        "what",
        "how",
    ]
)


def asks_word(token: Token) -> bool:
    """A question word (什么, 多少, 谁, where...): the message asks something of its own."""
    return token.kind == "stop" and (
        any(word in token.text for word in QUESTION_WORDS)
        or token.text in _ENGLISHQUESTION_WORDS
        or (token.text.startswith("多") and len(token.text) > 1)  # 多少, 多长 (not 多)
    )


def asks_quantity(token: Token) -> bool:
    """多少, 几, 多大: the message asks how many or how much."""
    return token.kind == "stop" and (
        token.text.startswith("几") or (token.text.startswith("多") and len(token.text) > 1)
    )


def timely(token: Token) -> bool:
    """A word of time: 今年, 现在, 3月, 2023年."""
    return token.pos == "t" or (
        token.kind in ("number", "word") and token.text[-1:] in "年月日" and len(token.text) > 1
    )


def plural(word: str) -> bool:
    return "们" in word or "些" in word or word in ("they", "them", "these", "those")


def is_noun(token: Token) -> bool:
    return token.kind in ("word", "entity") and token.pos.startswith("n")


def nounish(token: Token) -> bool:
    return is_noun(token) and len(token.text) > 1


def content_nouns(tokens: list[Token]) -> list[str]:
    """The nouns of a message that may name what it asks about (单位 and 机构 too)."""
    return [
        t.text
        for t in tokens
        if t.kind in ("word", "entity", "frame") and t.pos.startswith("n") and len(t.text) > 1
    ]
