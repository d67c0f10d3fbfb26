"""The words of a follow-up (bot/engine/followwords.py)."""

from __future__ import annotations

from bot.engine.analysis import Token
from bot.engine.followwords import Words, asks_quantity, asks_word, nounish, plural, timely


def _token(text: str, kind: str = "stop", pos: str = "r") -> Token:
    return Token(text, pos, kind, True)


def test_the_lists_are_normalised_and_the_longest_ending_comes_first() -> None:
    words = Words.of({"ellipsis_endings": ("呢", "又怎么样", "的呢"), "more": ("還有",)})
    assert words.endings == ("又怎么样", "的呢", "呢")
    assert words.more == frozenset(["还有"])  # traditional folded to simplified
    assert words.onward == frozenset()  # a list the file leaves out is empty


def test_what_a_token_is() -> None:
    assert asks_word(_token("是谁")) and asks_word(_token("where"))
    assert not asks_word(_token("多")) and asks_word(_token("多少"))
    assert asks_quantity(_token("几")) and not asks_quantity(_token("谁"))
    assert timely(_token("今年", "word", "t")) and timely(_token("3月", "number", "m"))
    assert nounish(_token("园区", "word", "n")) and not nounish(_token("家", "word", "n"))
    assert plural("它们") and plural("这些") and plural("they") and not plural("它")
