"""What the handlers share, kept in ``application.bot_data``: settings, engine, storage and
the little state a chat bot needs between updates. How questions reach the engine (a thread or
worker processes, cached) is ``asker``'s business.
"""

from __future__ import annotations

import sys
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from telegram.ext import CallbackContext

from bot.config import Settings
from bot.engine.context import EMPTY as EMPTY_CONTEXT
from bot.engine.context import Context
from bot.engine.engine import Engine
from bot.storage import Storage
from bot.telegram.asker import Asker
from bot.telegram.bounded import Recent, pair_key
from bot.telegram.callbacks import KeyCodec
from bot.telegram.flood import FloodGuard
from bot.telegram.render import Renderer

__all__ = [
    "SERVICES",
    "AnswerMemory",
    "Asker",
    "Conversations",
    "Remembered",
    "Services",
    "services",
]

SERVICES = "services"
LAST_FACTS_KEPT = 10_000  # chats whose last /fact is remembered


@dataclass(frozen=True, slots=True)
class Remembered:
    """A bot message that answered a user's question, and what it shows (a ``Rendered``,
    None if unknown). One object serves both of ``AnswerMemory``'s tables."""

    question: str | None
    answer_message_id: int
    shown: Any = None


class AnswerMemory:
    """Recent answers, so a vote is stored with its question, an edited question updates
    its answer instead of getting a second one, and an edit that would change nothing is
    not sent (Telegram rejects it). In memory and bounded: the ``size`` latest of each table
    (question -> answer, answer -> question); after a restart, or for an answer this old,
    votes fall back to the replied-to message and edits get a fresh answer."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._by_question: Recent[object, Remembered] = Recent(size)
        self._by_answer: Recent[object, Remembered] = Recent(size)

    def remember(
        self,
        chat_id: int,
        question_message_id: int | None,
        answer_message_id: int,
        question: str | None,
        shown: Any = None,
    ) -> None:
        # one string for a question many ask (they are kept by the thousand)
        entry = Remembered(sys.intern(question) if question else question, answer_message_id, shown)
        if question_message_id is not None:
            self._by_question.put(pair_key(chat_id, question_message_id), entry)
        self._by_answer.put(pair_key(chat_id, answer_message_id), entry)

    def answer_for(self, chat_id: int, question_message_id: int) -> Remembered | None:
        return self._by_question.get(pair_key(chat_id, question_message_id))

    def question_of(self, chat_id: int, answer_message_id: int) -> str | None:
        entry = self._by_answer.get(pair_key(chat_id, answer_message_id))
        return entry.question if entry is not None else None

    def shown(self, chat_id: int, answer_message_id: int) -> Any:
        """What the bot last put into that message (a ``Rendered``), None if unknown."""
        entry = self._by_answer.get(pair_key(chat_id, answer_message_id))
        return entry.shown if entry is not None else None

    def __len__(self) -> int:
        """Answers remembered (the larger of the two tables)."""
        return max(len(self._by_question), len(self._by_answer))


class Conversations:
    """The follow-up context of each conversation: per private chat, per member in a group
    (one member's questions never become another's context). In memory, bounded (the
    ``size`` latest conversations, and the contexts of the ``size`` latest answers), and
    expiring with the context itself: after a restart a conversation simply starts anew.

    Contexts are kept without their time, one object for equal ones: many conversations are
    in the same place (the same answer to the same question), and each context that comes
    from an engine worker is a fresh copy, so keeping copies would make the tables' memory
    grow with the answer cache's turnover, though their number of entries is capped."""

    def __init__(self, size: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        # conversation -> (its context without the time, when it was last answered)
        self._contexts: Recent[object, tuple[Context, float]] = Recent(size)
        # the context each recent answer left, so a reply to that answer follows on from it
        self._answers: Recent[object, Context] = Recent(size)
        self._alive: weakref.WeakValueDictionary[int, Context] = weakref.WeakValueDictionary()

    def _timeless(self, context: Context) -> Context:
        """``context`` at time 0, as the one object kept for contexts equal to it."""
        timeless = context if context.at == 0.0 else replace(context, at=0.0)
        key = hash(timeless)
        known = self._alive.get(key)
        if known is not None and known == timeless:
            return known
        self._alive[key] = timeless
        return timeless

    def answered(self, chat_id: int, answer_message_id: int, context: Context) -> None:
        if context.key:
            self._answers.put(pair_key(chat_id, answer_message_id), self._timeless(context))

    def of_answer(self, chat_id: int, answer_message_id: int, now: float) -> Context | None:
        """The context an answer left, as fresh as now: replying to an answer says plainly
        which topic a follow-up is about, however long ago it was given."""
        context = self._answers.get(pair_key(chat_id, answer_message_id))
        return replace(context, at=now) if context is not None else None

    def get(self, key: tuple[int, int | None], now: float) -> Context:
        inner = pair_key(*key)
        found = self._contexts.get(inner)
        if found is None:
            return EMPTY_CONTEXT
        context = replace(found[0], at=found[1])
        if context.key and not context.alive(now):
            self._contexts.pop(inner)
            return EMPTY_CONTEXT
        return context

    def put(self, key: tuple[int, int | None], context: Context) -> None:
        if not context.key:
            self._contexts.pop(pair_key(*key))
            return
        self._contexts.put(pair_key(*key), (self._timeless(context), context.at))

    def __len__(self) -> int:
        return len(self._contexts)


@dataclass
class Services:
    """Everything a handler needs, built once by ``build_application``."""

    settings: Settings
    engine: Engine
    storage: Storage
    codec: KeyCodec
    renderer: Renderer
    asker: Asker
    flood: FloodGuard
    # Inline queries come a keystroke at a time, so they get a wider window of their own.
    inline_flood: FloodGuard | None = None
    memory: AnswerMemory = field(default_factory=AnswerMemory)
    conversations: Conversations = field(default_factory=Conversations)
    # update_ids whose handler decided to reply and has not finished: the error handler
    # apologises for exactly these.
    due: set[int] = field(default_factory=set)
    # chat -> the intent /fact showed there last, so it does not show it twice in a row
    last_fact: Recent[int, str] = field(default_factory=lambda: Recent(LAST_FACTS_KEPT))
    owns_storage: bool = False


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    return context.bot_data[SERVICES]
