"""What the handlers share, kept in ``application.bot_data``: settings, engine, storage and
the little state a chat bot needs between updates.

The engine is synchronous and CPU-bound (tens of ms per question, far more for odd ones), so it
never runs on the event loop: by default on one worker thread (the loop keeps serving other
chats, the engine is never entered twice at once), or - what ``factbot run`` uses on a
machine with cores to spare - in worker processes, each with its own copy of the engine, so
questions are answered in parallel and the loop does not compete with them for the GIL.
Replies are cached, since ``engine.ask`` is pure and people keep asking the same things.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from telegram.ext import CallbackContext

from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.reply import Reply
from bot.storage import Storage
from bot.telegram.callbacks import KeyCodec
from bot.telegram.flood import FloodGuard
from bot.telegram.render import Renderer

SERVICES = "services"
T = TypeVar("T")
log = logging.getLogger(__name__)

# --- the engine in a worker process (module level, so the spawned process can find it)

_worker_engine: Engine | None = None


def _worker_start(directory: str, bot_username: str) -> None:
    """Loads the engine once per worker. Signals are the parent's business: a Ctrl-C or a
    service manager's SIGTERM reaching the whole process group must not kill a worker
    mid-question before the parent has shut down."""
    global _worker_engine
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _worker_engine = Engine.load(Path(directory), bot_username=bot_username)


def _worker_ask(question: str) -> Reply:
    assert _worker_engine is not None
    return _worker_engine.ask(question)


def _worker_answers(question: str, limit: int) -> list[Reply]:
    assert _worker_engine is not None
    return _worker_engine.answers(question, limit=limit)


def _ready() -> bool:
    return _worker_engine is not None


class Asker:
    """``engine.ask``/``engine.answers`` off the event loop, cached, identical questions
    in flight answered by one engine call.

    ``processes`` > 0 runs the engine in that many worker processes (loaded from the same
    knowledge directory); 0 runs it on one thread. If the process pool breaks, the thread
    takes over, so a crashed worker costs speed, not answers.
    """

    def __init__(
        self,
        engine: Engine,
        max_question_chars: int,
        *,
        processes: int = 0,
        cache_size: int = 4096,
    ) -> None:
        self.engine = engine
        self.max_question_chars = max_question_chars
        self.processes = processes
        self.cache_size = cache_size
        self.hits = 0
        self.misses = 0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="factbot-engine")
        self._procs: ProcessPoolExecutor | None = None
        if processes > 0:
            self._procs = ProcessPoolExecutor(
                processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_start,
                initargs=(str(engine.knowledge.directory), engine.bot_username),
            )
        self._cache: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._inflight: dict[tuple[str, str], asyncio.Future[Any]] = {}

    def warm_up(self) -> None:
        """Starts the worker processes now (each loads the engine, about a second), instead
        of on the first question."""
        if self._procs is not None:
            for _ in range(self.processes):
                self._procs.submit(_ready)

    async def _run(self, remote: Callable[..., T], local: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        if self._procs is not None:
            try:
                return await loop.run_in_executor(self._procs, remote, *args)
            except BrokenProcessPool:
                broken, self._procs = self._procs, None
                if broken is not None:  # the first of the questions that hit it says so
                    log.error("the engine worker processes failed; answering on a thread now")
                    broken.shutdown(wait=False, cancel_futures=True)
        return await loop.run_in_executor(self._thread, local, *args)

    def prepare(self, question: str) -> str:
        """The question as the engine sees it: trimmed and cut to the configured length."""
        return question.strip()[: self.max_question_chars]

    async def ask(self, question: str) -> Reply:
        question = self.prepare(question)
        return await self._cached(
            ("ask", question), lambda: self._run(_worker_ask, self.engine.ask, question)
        )

    async def answers(self, question: str, limit: int = 5) -> list[Reply]:
        question = self.prepare(question)

        def local(q: str, n: int) -> list[Reply]:
            return self.engine.answers(q, limit=n)

        found = await self._cached(
            (f"answers{limit}", question),
            lambda: self._run(_worker_answers, local, question, limit),
        )
        return list(found)

    async def _cached(self, key: tuple[str, str], work: Callable[[], Awaitable[T]]) -> T:
        if key in self._cache:
            self.hits += 1
            self._cache.move_to_end(key)
            return self._cache[key]
        pending = self._inflight.get(key)
        if pending is not None:
            self.hits += 1
            return await asyncio.shield(pending)
        self.misses += 1
        future = asyncio.ensure_future(work())
        self._inflight[key] = future
        try:
            result = await asyncio.shield(future)
        finally:
            self._inflight.pop(key, None)
        self._cache[key] = result
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    def close(self) -> None:
        for pool in (self._procs, self._thread):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class Remembered:
    """A bot message that answered a user's question."""

    question: str | None
    answer_message_id: int


class AnswerMemory:
    """Recent answers, so a vote is stored with its question and an edited question updates
    its answer instead of getting a second one. In memory and bounded: after a restart,
    votes fall back to the replied-to message, edits get a fresh answer."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._by_question: OrderedDict[tuple[int, int], Remembered] = OrderedDict()
        self._by_answer: OrderedDict[tuple[int, int], str | None] = OrderedDict()

    def remember(
        self,
        chat_id: int,
        question_message_id: int | None,
        answer_message_id: int,
        question: str | None,
    ) -> None:
        if question_message_id is not None:
            self._put(
                self._by_question,
                (chat_id, question_message_id),
                Remembered(question, answer_message_id),
            )
        self._put(self._by_answer, (chat_id, answer_message_id), question)

    def _put(self, table: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        table[key] = value
        table.move_to_end(key)
        if len(table) > self.size:
            table.popitem(last=False)

    def answer_for(self, chat_id: int, question_message_id: int) -> Remembered | None:
        return self._by_question.get((chat_id, question_message_id))

    def question_of(self, chat_id: int, answer_message_id: int) -> str | None:
        return self._by_answer.get((chat_id, answer_message_id))


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
    memory: AnswerMemory = field(default_factory=AnswerMemory)
    # update_ids whose handler decided to reply and has not finished: the error handler
    # apologises for exactly these.
    due: set[int] = field(default_factory=set)
    owns_storage: bool = False


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    return context.bot_data[SERVICES]
