"""Storage calls from async code, run on one thread of their own: ``await storage.aio.X(...)``.

Why a thread: a write commits with an fsync (subscriptions and the post log wait for the disk,
see ``core``), and a call made on the event loop stops every chat for as long as that takes,
or for as long as another thread holds the connection's lock. Handlers and the broadcaster
hand their calls to this one thread instead and await the result, so the loop never waits for
SQLite.

Why one: calls never contend for the connection (no lock waits, no ``SQLITE_BUSY`` between our
own writers), and calls made one after another run in that order.

Two lanes: what a user is waiting for (a vote, a subscription, a note about their question)
goes first; the broadcast's bookkeeping (``background``), thousands of durable commits in a
row, runs when no such call is queued. So a vote waits at most for the one commit in progress,
not for the broadcast's queue. Order holds within a lane, not across lanes.

Once handed over, a call runs to the end even if the task awaiting it is cancelled (a
shutdown): a vote the user was told about, or the outcome of a post, is never dropped between
the two. ``close`` waits for every call handed over before it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["OffLoop"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_FIRST, _BACKGROUND, _STOP = 0, 1, 2
_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class OffLoop:
    """The storage's methods as coroutines, each run on the storage thread.

    ``await storage.aio.record_vote(...)`` is ``storage.record_vote(...)`` without blocking the
    event loop; ``run``, ``background`` and ``submit`` take any callable (several calls in one
    hop, a call of the broadcast, or one nobody waits for).
    """

    def __init__(self, target: object) -> None:
        self._target = target
        self._queue: queue.PriorityQueue[tuple[int, int, _Job | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self._target, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(f"{name!r} is not a storage call")

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self.run(method, *args, **kwargs)

        call.__name__ = call.__qualname__ = name
        call.__doc__ = method.__doc__
        return call

    async def run(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``call(*args, **kwargs)`` on the storage thread; its result or its exception."""
        return await _awaited(self._put(_FIRST, call, args, kwargs))

    async def background(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Like ``run``, but behind every call of the first lane: for bulk work (the daily
        broadcast) that must not hold up what users are waiting for."""
        return await _awaited(self._put(_BACKGROUND, call, args, kwargs))

    def submit(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Queues ``call`` (first lane) and returns at once: for what must be written although
        nobody waits for it. Nobody sees its exception, so it is logged."""
        future = self._put(_FIRST, call, args, kwargs)
        future.add_done_callback(_log_failure)
        return future

    def close(self) -> None:
        """Waits for every queued call to finish, then stops the thread."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            self._queue.put((_STOP, next(self._order), None))
        if thread is not None:
            thread.join()

    def _put(
        self, lane: int, call: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[Any]:
        future: Future[Any] = Future()
        with self._guard:
            if self._closed:
                raise RuntimeError("the storage is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="storage", daemon=True)
                self._thread.start()
            self._queue.put((lane, next(self._order), (future, call, args, kwargs)))
        return future

    def _work(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            future, call, args, kwargs = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = call(*args, **kwargs)
            except BaseException as exc:  # handed to whoever awaits it
                future.set_exception(exc)
            else:
                future.set_result(result)


async def _awaited(future: Future[T]) -> T:
    # shield: cancelling the awaiting task must not take the call off the queue.
    return await asyncio.shield(asyncio.wrap_future(future))


def _log_failure(future: Future[Any]) -> None:
    exc = None if future.cancelled() else future.exception()
    if exc is not None:
        log.error("a storage call nobody waited for failed", exc_info=exc)
