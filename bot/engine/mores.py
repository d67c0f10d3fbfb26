"""Requests for more of the passage the last answer quoted, told from other follow-ups.

A follow-up asks for more when it holds only the words of "more" or "the original" (还有呢,
详细说说, 原文怎么说), or asks for other things of a kind (还有别的成绩吗, 还展示了别的视频吗),
or names what it wants more of in a word the passage uses (原文咋说人口红利的, 这技术效果咋样
详细说说). Chat before the request (谢谢！那原文呢), or the passage said again
(从8秒到16秒，原文咋解释的), does not hide it. bot/engine/passage.py says
which paragraphs answer it; bot/engine/context.py keeps what was shown.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

from bot.engine.followwords import WHAT_ELSE, Words, asks_word
from bot.engine.listed import rest_of_list
from bot.engine.normalize import normalize
from bot.engine.passage import continuation, others, section_text
from bot.engine.reply import Reply

if TYPE_CHECKING:
    from bot.engine.context import Context
    from bot.engine.engine import Engine
    from bot.engine.followup import Reader

_CLAUSES = re.compile(r"[，,。！!？?；;～~、…\s]+")
MAX_PASSAGES = 256  # folded passages kept (a few per section)


class Mores:
    """Answers requests for more for one engine (holds no conversation state)."""

    def __init__(self, engine: Engine, read: Reader) -> None:
        self.engine = engine
        self.read = read
        self._passages: dict[tuple[str, ...], tuple[str, str]] = {}

    def reply(self, text: str, context: Context) -> tuple[Reply, tuple[str, ...]] | None:
        """The reply to a request for more after `context`'s answer, and the facts shown once
        it is sent (() when there was nothing left to show); None for any other message."""
        topic = frozenset(n for n, _ in context.topic)
        quoted, section = self._passage(context.shown)
        core = self._request(text, quoted)
        whole = self.asks_more(core, topic)
        if whole is not None:
            return continuation(self.engine, context.shown, whole=whole, first=not context.mores)
        fold = self._fold
        other = self.asks_other(core, topic, section)
        listed = other and rest_of_list(self.engine, context, other, self._said)
        more = listed or (other and others(self.engine, context.shown, other, fold))
        about = None if more else self.asks_about(core, topic, quoted, section)
        if about is not None:
            more = others(self.engine, context.shown, about[1], fold, whole=about[0])
        return more or None

    def asks_more(self, normalised: str, topic: frozenset[str] = frozenset()) -> bool | None:
        """True for "原文怎么说" (the paragraph itself), False for "还有呢" (more of the
        passage), None when the message asks anything else: it may hold only words that ask
        for more, fillers, question words, and what it is about when that is the topic
        already (详细说说它, 展开讲讲这个机器人, 多说点Vidu的)."""
        tokens = self.read.tokens(normalised)
        words = self.read.words
        allowed = words.more | words.original | words.onward | words.fillers | topic
        pointed = _pointed(tokens, words.demonstratives)
        if any(
            t.kind != "stop" and t.text not in allowed and i not in pointed
            for i, t in enumerate(tokens)
        ):
            return None
        if any(asks_word(t) and t.text not in WHAT_ELSE for t in tokens):
            return None  # 具体有多少个, 这篇报道是谁写的: a question of its own
        onward = any(word in normalised.replace(" ", "") for word in words.onward)
        if any(t.text in words.original for t in tokens) and not onward:
            return True  # (下一段呢 asks for what follows, not for the paragraph itself)
        return False if onward or any(t.text in words.more for t in tokens) else None

    def asks_other(
        self, normalised: str, topic: frozenset[str] = frozenset(), passage: str = ""
    ) -> tuple[str, ...]:
        """The X of "还有别的X吗", "还有啥X", "其他X呢": other things of one kind, asked with
        nothing else but fillers, question words and words the (folded) passage uses
        (还展示了别的视频吗: 展示, 视频), but no name beside the kind (那清华的其他成果呢 asks
        of 清华); () for any other message."""
        tokens = self.read.tokens(normalised)
        words = self.read.words
        if not any(t.text in words.other for t in tokens):
            return ()
        allowed = words.other | words.more | words.fillers | topic
        kinds = [t for t in tokens if t.text not in allowed and t.kind != "stop"]
        if (
            not kinds
            or any(len(kind.text) < 2 for kind in kinds)
            or (len(kinds) > 1 and any(k.kind == "entity" or k.text not in passage for k in kinds))
            or any(asks_word(t) and t.text not in WHAT_ELSE for t in tokens)
        ):
            return ()
        return tuple(kind.text for kind in kinds)

    def asks_about(
        self, normalised: str, topic: frozenset[str], quoted: str, passage: str
    ) -> tuple[bool, tuple[str, ...]] | None:
        """(whether it asks for the original, the words it is about) of a request for more
        that names what it wants more of: "原文咋说人口红利的", "这技术效果咋样 详细说说",
        "Vidu从8秒到16秒，原文咋解释的". It asks nothing of its own (no 多少, 谁), holds a
        word that plainly asks for more or for the original (not a mere 还) and no person,
        asks no name, names nothing the (folded) paragraphs quoted and the topic do not
        (北脑二号是什么 介绍一下 asks of a new topic), and speaks only of things the passage,
        their section, does (but for generic words of what is asked: 效果, 情况); None for any
        other message."""
        tokens = self.read.tokens(normalised)
        words = self.read.words
        if any(asks_word(t) and t.text not in WHAT_ELSE for t in tokens):
            return None
        if any(t.text in words.person for t in tokens):
            return None  # 他怎么说京津冀协同创新的: what someone said, read through the pronoun
        asked = [t.text for t in tokens if t.text in words.original or t.text in words.onward]
        asked += [t.text for t in tokens if t.text in words.more and _plain_request(t.text, words)]
        if not asked:
            return None
        quiet = words.more | words.original | words.onward | words.fillers | topic
        quiet |= words.person | words.thing
        own = [t for t in tokens if t.kind != "stop" and t.text not in quiet]
        if any(t.kind == "entity" and t.text not in quoted for t in own):
            return None
        if any(t.text not in passage and t.kind != "frame" and len(t.text) > 1 for t in own):
            return None  # 详细说说北京的大学排名: of a thing the passage never speaks of
        if any(word in normalised.replace(" ", "") for word in words.names):
            return None  # 那家医院叫啥 详细说说: a name asked (context.py tells if it is said)
        about = tuple(
            dict.fromkeys(
                t.text
                for t in own
                if t.text in passage and (len(t.text) > 1 or t.kind == "number")
            )
        )
        if not about:
            return None
        onward = any(word in normalised.replace(" ", "") for word in words.onward)
        return any(t.text in words.original for t in tokens) and not onward, about

    def _request(self, text: str, quoted: str) -> str:
        """The message without clauses before its last that only chat (谢谢, 好的, 哈哈, ok)
        or say again what the (folded) paragraphs shown say, by their names and figures
        (Vidu一个月就从8秒到16秒，原文咋解释的), normalised."""
        clauses = [c for c in _CLAUSES.split(text) if c.strip()]
        chat = self.engine.index.smalltalk_words | self.read.words.fillers
        while len(clauses) > 1:
            tokens = self.read.tokens(normalize(clauses[0], self.engine.bot_username))
            if any(asks_word(t) for t in tokens):
                break
            said = [t.text for t in tokens if t.kind in ("entity", "number")]
            if not all(t.text in chat or t.kind == "stop" for t in tokens) and not (
                said and all(word in quoted for word in said)
            ):
                break
            clauses.pop(0)
        return normalize("，".join(clauses), self.engine.bot_username)

    def _passage(self, shown: tuple[str, ...]) -> tuple[str, str]:
        """The folded text (no spaces) of the paragraphs shown, and of their section."""
        found = self._passages.get(shown)
        if found is None:
            if len(self._passages) >= MAX_PASSAGES:
                self._passages.clear()
            texts = section_text(self.engine, shown)
            found = self._passages[shown] = (
                self._fold(texts[0]).replace(" ", ""),
                self._fold(texts[1]).replace(" ", ""),
            )
        return found

    def _said(self, item: str, lead: str) -> bool:
        """Does the answer line say this item of a list, by a name of it or a figure with its
        unit (7人, not the 1 of 优薯1号)?"""
        folded = self._fold(lead).replace(" ", "")
        tokens = self.read.tokens(normalize(item, self.engine.bot_username))
        figures = [
            t.text + after.text for t, after in pairwise(tokens) if t.kind == "number"
        ]
        names = [t.text for t in tokens if t.kind == "entity"]
        return any(word in folded for word in names + figures)

    def _fold(self, text: str) -> str:
        return self.engine.index.analyzer.fold(normalize(text), fuzzy=True)


def _plain_request(word: str, words: Words) -> bool:
    """Does this word of "more" ask for it plainly (详细, 展开, 说说), unlike 还 or 多, which
    many a question of its own holds, and the words of "other things" (还有, 别的)?"""
    return len(word) > 1 and word not in words.other


def _pointed(tokens: list, demonstratives: frozenset[str]) -> set[int]:
    """The positions of what a demonstrative comes with: the noun of 这个机器人, the count and
    noun of 这两个词 (这 and a count: the demonstrative 这个 with a number between)."""
    found: set[int] = set()
    for i, token in enumerate(tokens[:-1]):
        counted = tokens[i + 1].kind == "number" and i + 2 < len(tokens)
        if token.text in demonstratives:
            found |= {i + 1, i + 2} if counted else {i + 1}
        elif counted and any(d.startswith(token.text) for d in demonstratives):
            found |= {i + 1, i + 2}
    return found
