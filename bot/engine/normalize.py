"""Normalisation: what a question and the article both go through before they are compared.

NFKC (full-width ＲＶ -> RV), traditional -> simplified, lower case, Chinese numerals -> digits,
and every run of punctuation, emoji or spacing -> one space. Both sides get exactly the same
treatment, so what matters is only that equal meanings end up as equal strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

MAX_QUESTION_CHARS = 300  # the default cap on a question (Engine's max_question_chars)

_CONVERTER = opencc.OpenCC("t2s")
_MENTION = re.compile(r"@[A-Za-z0-9_]{3,32}")
_KEEP = re.compile(r"[^\w%+.]+")  # everything else (punctuation, emoji, symbols) is a separator
_JOINERS = re.compile(r"[·•—–\-]+")  # name-internal marks users leave out: 保定·中关村, 预聘—长聘制
_LOOSE_DOTS = re.compile(r"(?<!\d)[.]|[.](?!\d)")  # a dot that is not a decimal point
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"(\D)\1{2,}")  # 啊啊啊啊 -> 啊: repetition adds nothing to a question
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
# An English month, capitalised, as the article's N月 ("in March" -> 3月); May only after a
# word that dates it ("in May"): "May I ask" is no month.
_MONTHS = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_MAY = re.compile(
    r"\b(in|by|since|from|until|till|of|on|during|last|this|next|early|late|mid) May\b"
)
_CAPITAL = re.compile(r"[A-Z]")
# "比22年翻番", "23年的时候": a year written with two digits, after a word that dates (a
# length of time reads otherwise: 用了22年, 22年前)
_SHORT_YEAR = re.compile(r"(?:(?<=[比从到至在于和与跟])|^)([12]\d)年(?![代前后里间多半来])")


def _month(match: re.Match[str]) -> str:
    word = match.group(0)
    number = next(i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(word[:3]))
    return f" {number}月 "


def english_months(text: str) -> str:
    """ "rolled out in May" -> "rolled out in 5月": the article dates things by N月."""
    return _MAY.sub(r"\1 5月 ", _MONTHS.sub(_month, text))


def strip_invisible(text: str) -> str:
    """Drop control, format (zero-width) and unassigned characters; keep ordinary whitespace."""
    if text.isprintable():  # (none of those is printable: the common case, checked in C)
        return text
    return "".join(
        ch
        for ch in text
        if ch in "\n\t " or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )


@lru_cache(maxsize=4096)
def normalize(text: str, bot_username: str = "") -> str:
    """The comparable form of a text. Idempotent: normalize(normalize(x)) == normalize(x)."""
    from bot.engine.numerals import fold_numerals

    text = unicodedata.normalize("NFKC", strip_invisible(text))
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    if _CAPITAL.search(text):  # (a month name is capitalised)
        text = english_months(text)
    text = _CONVERTER.convert(text).lower()
    text = fold_numerals(text)
    text = _SHORT_YEAR.sub(r"20\1年", text)
    text = _JOINERS.sub("", text)
    text = _KEEP.sub(" ", text)
    text = _LOOSE_DOTS.sub(" ", text)
    text = text.replace("_", " ")
    text = _REPEATS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def mentions_removed(text: str) -> str:
    """Remove every @username (used for group messages that address the bot)."""
    return _MENTION.sub(" ", text)
