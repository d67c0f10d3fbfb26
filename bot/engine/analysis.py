"""Turning normalised text into tokens the matcher can compare.

Three steps, the same for questions and for the article: fold every known surface form (an
alias, a synonym, an English name) into its canonical word; segment with jieba (rjieba), which
also knows every canonical word of the knowledge as a user word so names like 北脑2号 and
三城一区 stay whole; and label each token: stop word, frame word, named entity, number, or an
ordinary content word. A question's English words are folded through the glossary too
(knowledge/glossary.yaml), into Chinese words the article may not have.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import rjieba

from bot.engine.normalize import normalize
from bot.engine.spelling import correct

_POS_BY_TYPE = {
    "person": "nr",
    "place": "ns",
    "org": "nt",
    "product": "nz",
    "event": "nz",
    "document": "nz",
    "term": "n",
}
_ENTITY_POS = {"nr", "nrt", "nrfg", "ns", "nt", "nz"}
_FUZZY_MIN = 3
_FUZZY_TERM_MIN = 4
_QUESTION_WORD = re.compile(r"^(?:多[大长久少高远重快]|第?几|哪|什么|怎么|为什么|如何)")
_INSTITUTION_HEADS = frozenset(  # (and events': 人工智能大会 is another than the article's)
    {"研究所", "研究院", "学院", "医院", "公司", "集团", "实验室", "研究中心", "高校"}
    | {"大会", "峰会"}
)
_NUMERAL_CHARS = frozenset("0123456789一二三四五六七八九十两零")
MERGED = "merged"  # the tag of a run of lone characters joined by the tokenizer
_COUNT_QUESTION = re.compile(
    r"^(?:几|多少)(?:[个所家项名件位台套例倍秒年月天次条篇种类份批只座张号周]|分钟|小时|个月)?$"
)
# What jieba glues after a figure: 万多家, 万余名, 多个 (magnitude, "more than", measure word).
_MAGNITUDE = re.compile(r"^([万亿]?)(?:余|多)?[个所家项名件位台套例条篇种只座张]?$")
_NUMBER = re.compile(r"^[\d.%]+[^\d]?$")
_LATIN = re.compile(r"^[a-z0-9.+%]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    pos: str
    kind: str  # "stop" | "frame" | "entity" | "number" | "word"
    known_word: bool  # in the general dictionary (so not a typo of something else)

    @property
    def is_content(self) -> bool:
        return self.kind not in ("stop",)


_adopted = False


def _segmenter() -> rjieba.Jieba:
    """A segmenter with the general dictionary. rjieba builds one when it is imported (about
    90 ms, most of a cold start's segmenter cost); the first analyser of a process adopts that
    one instead of building a second. Nothing else uses it, so it still holds only the general
    dictionary; every later analyser builds its own, so no two share their added words."""
    global _adopted
    if not _adopted:
        _adopted = True
        return rjieba._DEFAULT_JIEBA
    return rjieba.Jieba()


MEASURE_CHARS = frozenset("年月日秒个位名家所项件例台天岁倍")  # a figure's (16秒, 26名)


class Analyzer:
    """Canonicalisation table + segmenter + token labels, built once from the knowledge."""

    def __init__(
        self,
        *,
        canonical: dict[str, str],
        entity_types: dict[str, str],
        stopwords: Iterable[str],
        frame_words: Iterable[str],
        glossary: dict[str, str] | None = None,
        glossary_names: frozenset[str] = frozenset(),
        spelling: frozenset[str] = frozenset(),
    ) -> None:
        self.canonical = canonical  # normalised surface form -> normalised canonical form
        # What folding rewrites: the knowledge's own forms, then the glossary's English (which
        # the knowledge does not use, so it is kept out of `canonical`: price -> 价格 must not
        # make 价格 a word of the article).
        self._folds = {**(glossary or {}), **canonical}
        self._glossary_names = glossary_names
        # The English words a mistyped one is corrected to (those written in the knowledge
        # and the glossary, not inflections made up for them: "shoting"), and those never
        # corrected: every word folding knows, with the words of its phrases (ji shuting).
        self._english = frozenset(w for w in spelling if w.isascii() and w.isalpha())
        self._english_known = frozenset(
            word for form in self._folds if form.isascii() for word in form.split(" ")
        )
        self.entity_types = entity_types  # normalised canonical entity -> type
        self.stopwords = frozenset(stopwords)
        self.frame_words = frozenset(frame_words)
        self._tokens: dict[tuple[str, str], Token] = {}
        # Whether the knowledge uses a string at all; the index fills this in once it has read
        # the article, so typo correction never rewrites the article's own words.
        self.known: Callable[[str], bool] = lambda _text: True
        # For each first character, the lengths of the surface forms that start with it, longest
        # first: folding is then a few dictionary look-ups per character.
        self._lengths: dict[str, list[int]] = {}
        for surface in self._folds:
            self._lengths.setdefault(surface[0], []).append(len(surface))
        for lengths in self._lengths.values():
            lengths[:] = sorted(set(lengths), reverse=True)
        # Names (terms.yaml) long enough that one wrong character is a typo, not another word:
        # 纪姝亭 -> 纪姝婷. Common words are left to the matcher: 产业之间 is not 产业园.
        self._fuzzy_by_first: dict[str, list[str]] = {}
        for surface in sorted(canonical, key=len, reverse=True):
            named = canonical[surface] in entity_types or (
                len(surface) >= _FUZZY_TERM_MIN and canonical[surface] == surface
            )  # (and the article's own longer terms: 三成一区 is 三城一区 mistyped)
            if (
                named
                and len(surface) >= _FUZZY_MIN
                and not surface.isascii()
                and " " not in surface
            ):
                self._fuzzy_by_first.setdefault(surface[0], []).append(surface)
        self._jieba = _segmenter()
        for word in set(canonical.values()) | set(entity_types):
            if " " in word:
                continue
            pos = _POS_BY_TYPE.get(entity_types.get(word, "term"), "n")
            self._jieba.add_word(word, 50_000, pos)
        for word in self.frame_words | self.stopwords:
            if _LATIN.match(word):
                continue
            if len(word) > 1 and _QUESTION_WORD.match(word):  # 多大/面积, not 多/大面积
                self._jieba.add_word(word, 200_000, "x")
            elif not self._jieba.has_word(word):
                self._jieba.add_word(word, 1_000, "x")
        for word in self.frame_words:
            for glued in (word + "是", word + "叫"):
                if len(word) >= 2 and self._jieba.has_word(glued):
                    self._jieba.add_word(glued, 0, "x")  # 全名是 -> 全名 | 是: the frame asks

    def warm_up(self) -> None:
        """The segmenter sets something up the first time it meets a character it has no
        entry for (a rare variant such as 玨), about 30 ms: a long-running bot pays it at
        start, not on a user's question (a one-off command need not pay it at all)."""
        self._jieba.tag("\u3400", False)

    # -- folding -------------------------------------------------------------------------

    def fold(self, text: str, fuzzy: bool = False) -> str:
        """Replace every known surface form by its canonical form, longest match first.

        With `fuzzy` (questions only), a long name typed with one wrong character is read as the
        name, unless the knowledge itself uses what was typed (科研人才 is not 科研人员), and
        English words are translated through the glossary (the knowledge's own text is not:
        its English examples would otherwise make the translations words it uses).
        """
        out: list[str] = []
        i = 0
        n = len(text)
        canonical = self._folds if fuzzy else self.canonical
        english = fuzzy and _CJK.search(text) is None
        translated: set[int] = set()  # positions in `out` of English put into Chinese
        if fuzzy:
            text = correct(text, self._english, self._english_known, self.known)
            n = len(text)
        while i < n:
            for length in self._lengths.get(text[i], ()):
                surface = text[i : i + length]
                if (
                    surface in canonical
                    and _whole_word(text, i, i + length)
                    and not (english and not self._translates(surface))
                ):
                    target = canonical[surface]
                    if (
                        i + length < n
                        and text[i + length].isdigit()
                        and _has_digit(target)
                        and not _has_digit(surface)
                    ):
                        target = surface  # 悟道2.0 is not 悟道3.0 with a number after it
                    if surface.isascii() and not target.isascii():
                        translated.add(len(out))
                    out.append(target)
                    i += length
                    break
            else:
                corrected = self._fuzzy_at(text, i) if fuzzy else None
                if corrected:
                    out.append(self.canonical[corrected])
                    i += len(corrected)
                else:
                    out.append(text[i])
                    i += 1
        return self._joined(out, translated) if len(translated) > 1 else "".join(out)

    def _joined(self, out: list[str], translated: set[int]) -> str:
        """English words put into Chinese side by side are written as Chinese is, without
        spaces, and read again: "surgery robot" -> 手术机器人, a name of the knowledge. (Only
        those: folding folded text again would unfold what it folded, 2024中关村论坛年会.)"""
        result: list[str] = []
        run: list[str] = []  # translated pieces side by side, and the spaces between them
        for position, piece in enumerate([*out, ""]):
            if position in translated or (run and piece == " "):
                run.append(piece)
                continue
            result.append(self._run(run))
            run = []
            result.append(piece)
        return "".join(result)

    def _run(self, run: list[str]) -> str:
        words = [piece for piece in run if piece != " "]
        if len(words) < 2:
            return "".join(run)
        return self.fold("".join(words)) + (" " if run[-1] == " " else "")

    def _translates(self, surface: str) -> bool:
        """In an all-English question, is this form folded? The knowledge's own forms and the
        glossary's names always are; another glossary word only into a word the knowledge
        uses: English says a thing in many ways, and an unfamiliar English word is weighed,
        where a Chinese word the article never uses would veto."""
        return (
            surface in self.canonical
            or surface in self._glossary_names
            or self.known(self._folds[surface])
        )

    def _fuzzy_at(self, text: str, start: int) -> str | None:
        """A known name written with one wrong character (not its first) at `start`."""
        for surface in self._fuzzy_by_first.get(text[start], ()):
            window = text[start : start + len(surface)]
            if len(window) != len(surface):
                continue
            differ = [(a, b) for a, b in zip(window, surface, strict=True) if a != b]
            if (
                len(differ) == 1
                and not any(  # 那张创新地图 is no 张建新: the window ends in a word of its own
                    len(part) >= 2 and self.known(part) and self._jieba.has_word(part)
                    for part in (window[1:], window[:-1])
                )
                and not (differ[0][0] in _NUMERAL_CHARS and differ[0][1] in _NUMERAL_CHARS)
                and not self._jieba.has_word(window)
                and not self.known(window)
            ):
                return surface  # (北脑1号 is another model, not a typo of 北脑2号)
        return None

    # -- tokens --------------------------------------------------------------------------

    def tokens(self, normalised: str, fuzzy: bool = False) -> list[Token]:
        """Folded, segmented and labelled tokens of an already normalised text."""
        if fuzzy:
            return self.question_tokens(self.fold(normalised, fuzzy=True))
        return self.tokens_of_folded(self.fold(normalised))

    def question_tokens(self, folded: str) -> list[Token]:
        """A question's tokens from its folded text (`fold(..., fuzzy=True)`, done once)."""
        return self._counts_read(self._institutions(self.tokens_of_folded(folded), folded))

    def _counts_read(self, tokens: list[Token]) -> list[Token]:
        """Figures and counts as a question means them: 是一个 is an article, not a figure; a
        word the segmenter glued across a count is cut apart (_unglued)."""
        result: list[Token] = []
        for token in tokens:
            previous = result[-1] if result else None
            if token.text == "1" and previous is not None and previous.text in ("是", "有", "为"):
                continue  # 肥城是一个什么城市: "a", not a figure the answer must hold
            apart = self._unglued(previous, token) if previous is not None else None
            result.extend(apart or (token,))
        return result

    def _unglued(self, previous: Token, token: Token) -> tuple[Token, Token] | None:
        """After a count word 人 is what is counted (几个人进了榜单: 人/进, not 人进); after a
        figure its measure word is (16秒凭啥, 2000年拿的: 秒/凭, 年/拿)."""
        if len(token.text) != 2:
            return None
        first, second = token.text
        if _COUNT_QUESTION.match(previous.text) and first == "人" and not token.pos.startswith("n"):
            return self._token("人", "n"), self._token(second, "v")  # (人员, 人才 stay whole)
        if (
            previous.kind == "number"
            and token.kind == "word"
            and first in MEASURE_CHARS
            and not self.known(token.text)
        ):
            return self._token(first, "q"), self._token(second, "v")
        return None

    def _institutions(self, tokens: list[Token], folded: str) -> list[Token]:
        """A word the knowledge never uses joined to an institution's head word is the name of
        an institution, and a name must be covered as a whole: 作物科学 + 研究所 is another
        institute than the article's 深圳农业基因组研究所, though both are 研究所."""
        result: list[Token] = []
        for token in tokens:
            previous = result[-1] if result else None
            if (
                previous is not None
                and token.text in _INSTITUTION_HEADS
                and previous.kind == "word"
                and len(previous.text) >= 2
                and not previous.text.isascii()
                and previous.pos.startswith(("n", "v"))
                and not self.known(previous.text + token.text)
                and previous.text + token.text in folded  # (not across a comma: 出题、高校)
            ):
                result[-1] = Token(previous.text + token.text, "nt", "entity", False)
                continue
            result.append(token)
        return result

    def tokens_of_folded(self, folded: str) -> list[Token]:
        result: list[Token] = []
        # No HMM: a sequence jieba does not know is split into known words and characters
        # rather than glued into an invented word ("时说", "份文件") that matches nothing.
        pending: list[str] = []  # a run of lone characters, perhaps a mistyped word: 博土
        for word, pos in self._jieba.tag(folded, False):
            word = word.strip()
            if not word:
                continue
            token = self._token(word, pos)
            if result and result[-1].kind == "number" and not pending:
                magnitude = _MAGNITUDE.match(word)
                if magnitude:  # 1万多家 -> 1万: jieba keeps 万多家 as a word of its own
                    if magnitude.group(1):
                        result[-1] = self._token(result[-1].text + magnitude.group(1), "m")
                    continue
            if len(word) == 1 and token.kind in ("word", "entity") and not word.isascii():
                pending.append(token)
                continue
            result.extend(self._flush(pending))
            pending = []
            result.append(token)
        result.extend(self._flush(pending))
        return result

    @staticmethod
    def _flush(chars: list[Token]) -> list[Token]:
        """Lone characters in a row become one token the matcher can read as a typo (博土 for
        博士, 阮钰 for 阮珏); a single one stays the word it is."""
        if len(chars) <= 1:
            return chars
        return [Token("".join(t.text for t in chars), MERGED, "word", False)]

    def _token(self, word: str, pos: str) -> Token:
        """Tokens are immutable, so equal ones are shared: the knowledge repeats the same few
        thousand words across tens of thousands of examples, and memory follows the words."""
        key = (word, pos)
        token = self._tokens.get(key)
        if token is None:
            if len(self._tokens) > 500_000:  # bounded: questions bring ever new words
                self._tokens.clear()
            token = self._tokens[key] = self._label(sys.intern(word), sys.intern(pos))
        return token

    def _label(self, word: str, pos: str) -> Token:
        known = self._jieba.has_word(word) or word in self.canonical
        if (
            word in self.stopwords
            or (pos in ("x", "w") and word not in self.frame_words)
            or _COUNT_QUESTION.match(word)
        ):
            kind = "stop"
        elif word in self.frame_words:
            kind = "frame"
        elif word in self.entity_types or (pos in _ENTITY_POS and len(word) > 1):
            kind = "entity"
        elif _NUMBER.match(word) or (pos == "m" and any(ch.isdigit() for ch in word)):
            kind = "number"
        else:
            kind = "word"
        return Token(word, pos, kind, known)

    def analyse(self, text: str) -> list[Token]:
        return self.tokens(normalize(text))


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _whole_word(text: str, start: int, end: int) -> bool:
    """A Latin surface form matches whole words only ("ai" must not match inside "said")."""
    if not text[start].isascii() or not text[start].isalnum():
        return True
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())
