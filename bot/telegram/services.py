"""What the handlers share, kept in ``application.bot_data``: settings, engine, storage and
the little state a chat bot needs between updates. How questions reach the engine (a thread or
worker processes, cached) is ``asker``'s business.
"""

from __future__ import annotations

import time
from collections import OrderedDict
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



@dataclass(frozen=True)
class Remembered:
    """A bot message that answered a user's question."""

    question: str | None
    answer_message_id: int


class AnswerMemory:
    """Recent answers, so a vote is stored with its question, an edited question updates
    its answer instead of getting a second one, and an edit that would change nothing is
    not sent (Telegram rejects it). In memory and bounded: after a restart, votes fall back
    to the replied-to message, edits get a fresh answer."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._by_question: OrderedDict[tuple[int, int], Remembered] = OrderedDict()
        # (chat, answer message) -> (the question it answers, what it shows if known)
        self._by_answer: OrderedDict[tuple[int, int], tuple[str | None, Any]] = OrderedDict()

    def remember(
        self,
        chat_id: int,
        question_message_id: int | None,
        answer_message_id: int,
        question: str | None,
        shown: Any = None,
    ) -> None:
        if question_message_id is not None:
            self._put(
                self._by_question,
                (chat_id, question_message_id),
                Remembered(question, answer_message_id),
            )
        self._put(self._by_answer, (chat_id, answer_message_id), (question, shown))

    def _put(self, table: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        table[key] = value
        table.move_to_end(key)
        if len(table) > self.size:
            table.popitem(last=False)

    def answer_for(self, chat_id: int, question_message_id: int) -> Remembered | None:
        return self._by_question.get((chat_id, question_message_id))

    def question_of(self, chat_id: int, answer_message_id: int) -> str | None:
        return self._by_answer.get((chat_id, answer_message_id), (None, None))[0]

    def shown(self, chat_id: int, answer_message_id: int) -> Any:
        """What the bot last put into that message (a ``Rendered``), None if unknown."""
        return self._by_answer.get((chat_id, answer_message_id), (None, None))[1]


class Conversations:
    """The follow-up context of each conversation: per private chat, per member in a group
    (one member's questions never become another's context). In memory, bounded, and
    expiring with the context itself: after a restart a conversation simply starts anew."""

    def __init__(self, size: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self._contexts: OrderedDict[tuple[int, int | None], Context] = OrderedDict()
        # the context each recent answer left, so a reply to that answer follows on from it
        self._answers: OrderedDict[tuple[int, int], Context] = OrderedDict()

    def answered(self, chat_id: int, answer_message_id: int, context: Context) -> None:
        if context.key:
            self._answers[(chat_id, answer_message_id)] = context
            self._answers.move_to_end((chat_id, answer_message_id))
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def of_answer(self, chat_id: int, answer_message_id: int, now: float) -> Context | None:
        """The context an answer left, as fresh as now: replying to an answer says plainly
        which topic a follow-up is about, however long ago it was given."""
        context = self._answers.get((chat_id, answer_message_id))
        return replace(context, at=now) if context is not None else None

    def get(self, key: tuple[int, int | None], now: float) -> Context:
        context = self._contexts.get(key, EMPTY_CONTEXT)
        if context.key and not context.alive(now):
            del self._contexts[key]
            return EMPTY_CONTEXT
        return context

    def put(self, key: tuple[int, int | None], context: Context) -> None:
        if not context.key:
            self._contexts.pop(key, None)
            return
        self._contexts[key] = context
        self._contexts.move_to_end(key)
        while len(self._contexts) > self.size:
            self._contexts.popitem(last=False)

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
    owns_storage: bool = False


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    return context.bot_data[SERVICES]
