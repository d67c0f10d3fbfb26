"""Proof that a cleaned article is its raw text: every piece verbatim, every raw character used.

article.yaml is written by hand from raw.txt (column breaks rejoined, pieces put in reading
order). Whatever the bot quotes comes from article.yaml, so an edited figure there (92 -> 95)
would be quoted as the article's word. Tiling the raw text with the cleaned pieces catches it:
whitespace aside, each piece must be found in the raw text, no raw character may be used twice,
and none may be left over (a dropped piece says so with `dropped:`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.kb.article import Article, Fragment
from bot.kb.yamlsrc import KnowledgeError, display_path

_SHOWN = 24  # characters of a long text shown in a message
_CONTEXT = 6  # characters shown either side of a difference


@dataclass(frozen=True)
class _Raw:
    """The raw text without whitespace, with the line each remaining character stands on."""

    text: str
    lines: tuple[int, ...]

    @classmethod
    def read(cls, content: str) -> _Raw:
        chars: list[str] = []
        lines: list[int] = []
        line = 1
        for char in content:
            if char == "\n":
                line += 1
            elif not char.isspace():
                chars.append(char)
                lines.append(line)
        return cls("".join(chars), tuple(lines))


def _squeeze(text: str) -> str:
    return "".join(char for char in text if not char.isspace())


def check_article(article: Article) -> list[KnowledgeError]:
    """Every way the cleaned article departs from its raw text, at article.yaml's and raw.txt's
    lines. A plain-text article (no article.yaml) is its raw text by construction."""
    if article.source_path == article.raw_path or not article.raw_path.is_file():
        return []
    raw = _Raw.read(article.raw_path.read_text(encoding="utf-8"))
    source, raw_shown = display_path(article.source_path), display_path(article.raw_path)
    covered = [False] * len(raw.text)
    errors: list[KnowledgeError] = []
    cursor = 0
    for fragment in article.fragments:
        piece = _squeeze(fragment.text)
        if not piece:
            continue
        start = _place(raw.text, piece, covered, cursor)
        if start is None:
            error, claimed = _not_verbatim(fragment, piece, raw, source, raw_shown)
            errors.append(error)
            if claimed is not None:  # the passage it stands for is not also "left over"
                begin, length = claimed
                covered[begin : begin + length] = [True] * len(covered[begin : begin + length])
            continue
        covered[start : start + len(piece)] = [True] * len(piece)
        cursor = start + len(piece)
    errors += _left_over(raw, covered, raw_shown, article.raw_path.name)
    return errors


def _place(raw: str, piece: str, covered: list[bool], cursor: int) -> int | None:
    """Where the piece stands: its first unused occurrence after the previous piece (pieces are
    mostly in reading order), else its first unused occurrence anywhere."""
    for origin in (cursor, 0):
        start = raw.find(piece, origin)
        while start >= 0 and any(covered[start : start + len(piece)]):
            start = raw.find(piece, start + 1)
        if start >= 0:
            return start
    return None


def _not_verbatim(
    fragment: Fragment,
    piece: str,
    raw: _Raw,
    source: str,
    raw_shown: str,
) -> tuple[KnowledgeError, tuple[int, int] | None]:
    """Say where the nearest raw passage differs, so the curator sees 95 against 92 at once;
    and where that passage starts."""
    twice = raw.text.find(piece)
    if twice >= 0:
        message = (
            f"“{_clip(fragment.text)}” is used twice; {raw_shown}:{raw.lines[twice]} has it once"
        )
        return KnowledgeError(source, fragment.line, message, "remove the repeated piece"), None
    match = _nearest(raw.text, piece)
    if match is None:
        hint = "copy the text verbatim from the raw text, or mark a left-out piece `dropped:`"
        message = f"not in the raw text: “{_clip(fragment.text)}”"
        return KnowledgeError(source, fragment.line, message, hint), None
    passage, extent, start, ours, theirs = match
    line = raw.lines[min(start, len(raw.lines) - 1)]
    message = f"not verbatim: this says “{ours}” where {raw_shown}:{line} says “{theirs}”"
    return KnowledgeError(source, fragment.line, message, "quote the raw text exactly"), (
        passage,
        extent,
    )


def _nearest(raw: str, piece: str) -> tuple[int, int, int, str, str] | None:
    """The raw passage most like the piece (anchored on its longest common run), with the first
    differing stretch of each side shown in context: (passage start, its length, where they
    differ, this side, the raw side)."""
    matcher = difflib.SequenceMatcher(None, raw, piece, autojunk=False)
    anchor = matcher.find_longest_match(0, len(raw), 0, len(piece))
    if anchor.size < min(len(piece), 4):
        return None
    start = max(0, anchor.a - anchor.b)
    window = raw[start : start + len(piece) + _SHOWN]
    local = difflib.SequenceMatcher(None, window, piece, autojunk=False)
    opcodes = local.get_opcodes()
    if opcodes and opcodes[-1][0] == "delete":  # raw text after the passage: not part of it
        opcodes = opcodes[:-1]
    extent = opcodes[-1][2] if opcodes else len(piece)
    for tag, a1, a2, b1, b2 in opcodes:
        if tag == "equal":
            continue
        lead = min(b1, a1, _CONTEXT)
        ours = piece[b1 - lead : max(b2, b1 + 1) + _CONTEXT]
        theirs = window[a1 - lead : max(a2, a1 + 1) + _CONTEXT]
        return start, extent, start + a1, ours, theirs
    return start, extent, start, piece[:_SHOWN], window[:_SHOWN]


def _left_over(
    raw: _Raw, covered: list[bool], raw_shown: str, raw_name: str
) -> list[KnowledgeError]:
    """Each run of raw text the cleaned article does not account for, at its line."""
    errors: list[KnowledgeError] = []
    index = 0
    while index < len(covered):
        if covered[index]:
            index += 1
            continue
        end = index
        while end < len(covered) and not covered[end]:
            end += 1
        text = raw.text[index:end]
        errors.append(
            KnowledgeError(
                raw_shown,
                raw.lines[index],
                f"“{_clip(text)}” is in the raw text but not in the cleaned article",
                f"add it to article.yaml, or as `dropped:` if {raw_name} has it by mistake",
            )
        )
        index = end
    return errors


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 2 * _SHOWN else f"{text[:_SHOWN]}…{text[-_SHOWN // 2 :]}"
