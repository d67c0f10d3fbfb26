"""Questions to the engine, off the event loop. The engine is synchronous and CPU-bound (a few
ms per question, far more for odd ones), so it never runs on the event loop: by default on one
worker thread (the loop keeps serving other chats, the engine is never entered twice at once),
or - what ``factbot run`` uses on a machine with cores to spare - in worker processes, each
with its own copy of the engine, so questions are answered in parallel and the loop does not
compete with them for the GIL. Replies are cached, since ``engine.ask`` is pure and people keep
asking the same things.

On a 2-core machine one worker process beats both the thread and answering on the loop (the
loop is the bottleneck, at ~3 ms of PTB and HTTP per update; the engine would add ~1.5 ms per
update to it, hits and misses averaged), but only when talking to the worker is cheap.
``concurrent.futures.ProcessPoolExecutor`` is not: two helper threads per pool wake up for
every question and fight the loop for the GIL (about 0.7 ms of the loop's time per update in
the throughput benchmark). So the loop talks to its workers itself, through a pipe each way
that it watches with ``add_reader``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import logging
import multiprocessing
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from bot.engine.context import EMPTY as EMPTY_CONTEXT
from bot.engine.context import Context
from bot.engine.engine import Engine
from bot.engine.reply import Reply
from bot.telegram.workers import RemoteTraceback, _compute, _Job, _Worker, _WorkerLost

__all__ = ["Asker", "RemoteTraceback"]

T = TypeVar("T")
log = logging.getLogger(__name__)

# Requests a worker holds at once: the one it is answering and the next, so it never waits
# for the event loop between two; the rest wait in the parent, where they cost nothing and
# the pipe can never fill up (a full pipe would block the event loop).
_IN_HAND = 2


class Asker:
    """``engine.ask``/``engine.answers`` off the event loop, cached, identical questions
    in flight answered by one engine call.

    ``processes`` > 0 runs the engine in that many worker processes (loaded from the same
    knowledge directory); 0 runs it on one thread. The event loop talks to a worker through
    two pipes it watches itself (no helper threads, so nothing competes with the loop for
    the GIL) and sends it plain tuples. A worker that dies hands its questions to the
    thread; when none is left, the thread answers everything, so a crashed worker costs
    speed, not answers.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        processes: int = 0,
        cache_size: int = 4096,
    ) -> None:
        self.engine = engine
        self.processes = processes
        self.cache_size = cache_size
        self.hits = 0
        self.misses = 0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="factbot-engine")
        self._workers: list[_Worker] = []
        self._retiring: list[_Worker] = []  # replaced by a reload, finishing what they hold
        self._retired: list[_Worker] = []  # closed; joined on close()
        self._pending: tuple[Engine, list[_Worker]] | None = None  # a reload's new half
        self._generation = 0  # bumped by a reload: older results are not cached
        self._started = False
        self._backlog: deque[_Job] = deque()
        self._ids = itertools.count()
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._inflight: dict[tuple[Any, ...], asyncio.Future[Any]] = {}
        # hash -> a reply or context still referenced somewhere (see ``_shared``)
        self._alive: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()

    def warm_up(self) -> None:
        """Starts the worker processes now (each loads the engine, about a second), instead
        of on the first question), and readies the engine for its first question."""
        self.engine.warm_up()
        if self.processes > 0 and not self._started:
            self._started = True
            self._workers = self._spawn(self.engine)
            # Were the parent killed before close(), the workers still see EOF and leave.
            atexit.register(self.close)

    def _spawn(self, engine: Engine) -> list[_Worker]:
        context = multiprocessing.get_context("spawn")
        directory = str(engine.knowledge.directory)
        return [
            _Worker(context, number, directory, engine)
            for number in range(self.processes)
        ]

    async def reload_workers(self, engine: Engine) -> None:
        """First half of a reload: new workers load ``engine``'s knowledge while the old ones
        keep answering. ``take_over`` then switches to them; a worker that cannot load it
        raises RuntimeError here and nothing changes."""
        fresh: list[_Worker] = []
        engine.warm_up()
        if self._started and self.processes > 0:
            loop = asyncio.get_running_loop()
            fresh = self._spawn(engine)
            try:
                await asyncio.gather(*(self._ready(worker, loop) for worker in fresh))
            except BaseException:
                for worker in fresh:
                    self._discard(worker)
                raise
        self._pending = (engine, fresh)

    def take_over(self) -> None:
        """Second half: in one step (no await), questions go to the new engine and workers;
        the old workers finish the questions they hold, then leave."""
        if self._pending is None:
            raise RuntimeError("take_over without reload_workers")
        (engine, workers), self._pending = self._pending, None
        old, self._workers = self._workers, workers
        self.engine = engine
        self._generation += 1
        self._cache.clear()
        self._inflight.clear()
        for worker in old:
            if worker.jobs:
                self._retiring.append(worker)
            else:
                self._discard(worker)
        if self._workers and self._backlog:
            self._dispatch(asyncio.get_running_loop())

    async def _ready(self, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        """Waits until a new worker has loaded its engine (its answer to a "ready" job)."""
        job = _Job(next(self._ids), "ready", (), loop.create_future())
        loop.add_reader(worker.results.fileno(), self._on_results, worker, loop)
        worker.attached = loop
        worker.send(job)
        try:
            await job.future
        except _WorkerLost:
            raise RuntimeError(
                f"the engine worker {worker.process.name} could not load the knowledge "
                f"(exit code {worker.process.exitcode})"
            ) from None

    def _discard(self, worker: _Worker) -> None:
        """Closes a worker that holds nothing; it leaves when it sees its pipe close."""
        if worker.attached is not None and not worker.attached.is_closed():
            with contextlib.suppress(Exception):
                worker.attached.remove_reader(worker.results.fileno())
        worker.close()
        self._retiring = [w for w in self._retiring if w is not worker]
        self._retired.append(worker)

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the engine workers still answering (for operators and tests)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    async def _run(self, method: str, *args: Any) -> Any:
        self.warm_up()
        loop = asyncio.get_running_loop()
        if self._workers:
            job = _Job(next(self._ids), method, args, loop.create_future())
            self._backlog.append(job)
            self._dispatch(loop)
            try:
                return await job.future
            except _WorkerLost:
                pass
        return await loop.run_in_executor(self._thread, _compute, self.engine, method, args)

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hands waiting jobs to the workers with room for them, least busy first."""
        while self._backlog and self._workers:
            worker = min(self._workers, key=lambda w: len(w.jobs))
            if len(worker.jobs) >= _IN_HAND:
                return
            job = self._backlog.popleft()
            if job.future.done():  # its asker was cancelled
                continue
            if worker.attached is not loop:
                loop.add_reader(worker.results.fileno(), self._on_results, worker, loop)
                worker.attached = loop
            try:
                worker.send(job)
            except OSError:
                self._backlog.appendleft(job)
                self._lose(worker, loop)

    def _on_results(self, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        done, gone = worker.read()
        for ident, ok, value in done:
            job = worker.jobs.pop(ident, None)
            if job is None or job.future.done():
                continue
            if ok:
                job.future.set_result(value)
            else:
                error, trace = value
                error.__cause__ = RemoteTraceback(trace)
                job.future.set_exception(error)
        if gone:
            self._lose(worker, loop)
        elif worker in self._retiring and not worker.jobs:
            self._discard(worker)
        else:
            self._dispatch(loop)

    def _lose(self, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        """A worker died (killed, out of memory, crashed): its jobs go to the thread."""
        if worker.lost:
            return
        worker.lost = True
        if worker in self._workers:
            self._workers.remove(worker)
        self._retiring = [w for w in self._retiring if w is not worker]
        if worker.attached is not None:
            with contextlib.suppress(Exception):
                worker.attached.remove_reader(worker.results.fileno())
        worker.close()
        worker.process.join(timeout=1)
        left = "answering on a thread now" if not self._workers else (
            f"{len(self._workers)} left"
        )
        log.error(
            "engine worker process %s stopped (exit code %s); %s",
            worker.process.name, worker.process.exitcode, left,
        )
        lost = list(worker.jobs.values())
        worker.jobs.clear()
        if not self._workers:
            lost += self._backlog
            self._backlog.clear()
        for job in lost:
            if not job.future.done():
                job.future.set_exception(_WorkerLost())
        self._dispatch(loop)

    def prepare(self, question: str) -> str:
        """The question trimmed (the engine cuts it to its length cap, the setting)."""
        return question.strip()

    async def ask(self, question: str) -> Reply:
        question = self.prepare(question)
        return await self._cached(("ask", question), lambda: self._run("ask", question))

    async def converse(
        self, question: str, context: Context, now: float
    ) -> tuple[Reply, Context]:
        """A turn of a conversation (``engine.converse``), cached like ``ask``: the engine
        sees the context without its time (so equal turns share an entry), and an advanced
        context is stamped with ``now`` here."""
        question = self.prepare(question)
        context = context if context.alive(now) else EMPTY_CONTEXT
        timeless = replace(context, at=0.0)
        reply, after = await self._cached(
            ("converse", question, timeless),
            lambda: self._run("converse", question, timeless, 0.0),
        )
        if reply.kind == "answer" and after.key:
            return reply, replace(after, at=now)
        # kept as it was (small talk, a refused follow-up), or dropped (a refused new topic)
        return reply, context if after == timeless else after

    async def answers(self, question: str, limit: int = 5) -> list[Reply]:
        question = self.prepare(question)
        found = await self._cached(
            (f"answers{limit}", question), lambda: self._run("answers", question, limit)
        )
        return list(found)

    async def _cached(self, key: tuple[Any, ...], work: Callable[[], Awaitable[T]]) -> T:
        if key in self._cache:
            self.hits += 1
            self._cache.move_to_end(key)
            return self._cache[key]
        pending = self._inflight.get(key)
        if pending is not None:
            self.hits += 1
            return self._shared(await asyncio.shield(pending))
        self.misses += 1
        generation = self._generation
        future = asyncio.ensure_future(work())
        self._inflight[key] = future
        try:
            result = await asyncio.shield(future)
        finally:
            if self._inflight.get(key) is future:
                del self._inflight[key]
        if generation != self._generation:  # answered from knowledge since replaced
            return result
        result = self._shared(result)
        self._cache[key] = result
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    def _shared(self, value: T) -> T:
        """``value`` with each reply and context in it replaced by an equal one still alive.

        A worker's answer arrives as a fresh copy (unpickled), and so does the same answer
        again once the cache has let it go; what the bot keeps for a while (the answers
        remembered, the conversations' contexts) would hold a copy of its own of each, and
        memory would grow with the cache's turnover though every table is at its cap. With
        this, equal values are one object, kept as long as anything refers to it."""
        if isinstance(value, tuple):
            return tuple(self._shared(v) for v in value)  # type: ignore[return-value]
        if isinstance(value, list):
            return [self._shared(v) for v in value]  # type: ignore[return-value]
        try:
            key = hash(value)
        except TypeError:  # a reply with an unhashable field: kept as it is
            return value
        known = self._alive.get(key)
        if known is not None and type(known) is type(value) and known == value:
            return known  # type: ignore[no-any-return]
        with contextlib.suppress(TypeError):  # str, None...: not weakly referable
            self._alive[key] = value
        return value

    def close(self) -> None:
        """Lets the workers finish the question in hand and leave (they exit when their
        request pipe closes); waits a little for them, then kills what is left."""
        atexit.unregister(self.close)
        workers, self._workers = self._workers + self._retiring, []
        self._retiring = []
        workers += self._retired
        self._retired = []
        for worker in workers:
            if worker.attached is not None and not worker.attached.is_closed():
                with contextlib.suppress(Exception):
                    worker.attached.remove_reader(worker.results.fileno())
            worker.close()
        deadline = time.monotonic() + 5
        for worker in workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=1)
        waiting = [job for w in workers for job in w.jobs.values()] + list(self._backlog)
        self._backlog.clear()
        for job in waiting:  # nobody will answer these any more
            with contextlib.suppress(RuntimeError):  # their event loop may be closed
                job.future.cancel()
        self._thread.shutdown(wait=False, cancel_futures=True)
