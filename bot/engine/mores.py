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
from typing import TYPE_CHECKING

from bot.engine.followwords import asks_word
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
        whole = self.read.asks_more(core, topic)
        if whole is not None:
            return continuation(self.engine, context.shown, whole=whole, first=not context.mores)
        fold = self._fold
        other = self.read.asks_other(core, topic, section)
        more = other and others(self.engine, context.shown, other, fold)
        about = None if more else self.read.asks_about(core, topic, quoted, section)
        if about is not None:
            more = others(self.engine, context.shown, about[1], fold, whole=about[0])
        return more or None

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

    def _fold(self, text: str) -> str:
        return self.engine.index.analyzer.fold(normalize(text), fuzzy=True)
