"""English words typed with one slip (reserch, univercity, instutes): read as the word of the
knowledge or the glossary they are one edit from, when exactly one is. Only words of six or
more letters that neither the vocabulary nor the knowledge knows: a short word one letter from
another is as often another word (power is not lower)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

_WORD = re.compile(r"(?<![a-z0-9])[a-z]{6,}(?![a-z0-9])")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deleted = {a + b[1:] for a, b in splits if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaced = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserted = {a + c + b for a, b in splits for c in _LETTERS}
    return (deleted | swapped | replaced | inserted) - {word}


def correct(
    text: str,
    vocabulary: Collection[str],
    spelled: Collection[str],
    known: Callable[[str], bool],
) -> str:
    """The text with each mistyped English word replaced by its one neighbour in the
    vocabulary; a word with none, or with several, is left as typed, and so is one that is
    `spelled` right or that the knowledge uses."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in spelled or known(word):
            return word
        near = [w for w in edits(word) if w in vocabulary]
        return near[0] if len(near) == 1 else word

    return _WORD.sub(fix, text)
