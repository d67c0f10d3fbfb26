"""Storage calls from async code, run on one thread of their own: ``await storage.aio.X(...)``.

Why a thread: a write commits with an fsync (subscriptions and the post log wait for the disk,
see ``core``), and a call made on the event loop stops every chat for as long as that takes,
or for as long as another thread holds the connection's lock. Handlers and the broadcaster
hand their calls to this one thread instead and await the result, so the loop never waits for
SQLite.

Why one: calls run one after another in the order they were made, so they never contend for
the connection (no lock waits, no ``SQLITE_BUSY`` between our own writers), and a write made
before another is committed before it.

Once handed over, a call runs to the end even if the task awaiting it is cancelled (a
shutdown): a vote the user was told about, or the outcome of a post, is never dropped between
the two. ``close`` waits for every call handed over before it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["OffLoop"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class OffLoop:
    """The storage's methods as coroutines, each run on the storage thread.

    ``await storage.aio.record_vote(...)`` is ``storage.record_vote(...)`` without blocking the
    event loop; ``run`` and ``submit`` take any callable (several calls in one hop, or one
    nobody waits for).
    """

    def __init__(self, target: object) -> None:
        self._target = target
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="storage")

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
        future = self._executor.submit(call, *args, **kwargs)
        # shield: cancelling the awaiting task must not take the call off the queue.
        return await asyncio.shield(asyncio.wrap_future(future))

    def submit(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Queues ``call`` and returns at once: for what must be written although nobody can
        wait for it (a task being cancelled). Nobody sees its exception, so it is logged."""
        future = self._executor.submit(call, *args, **kwargs)
        future.add_done_callback(_log_failure)
        return future

    def close(self) -> None:
        """Waits for every queued call to finish, then stops the thread."""
        self._executor.shutdown(wait=True)


def _log_failure(future: Future[Any]) -> None:
    exc = None if future.cancelled() else future.exception()
    if exc is not None:
        log.error("a storage call nobody waited for failed", exc_info=exc)
