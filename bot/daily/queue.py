"""The stage that runs a broadcast's chats: a queue of jobs worked by a bounded pool.

A job that has to wait (429, backoff, the group's per-minute window) is put back on a timer
instead of holding a worker, so one slow or failing chat never holds up the others. When the
broadcast must stop (shutdown, a rejected token), what is not in flight is dropped as "not
attempted" and the workers leave.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.daily.outcomes import ChatResult, Job, Outcome

__all__ = ["Attempt", "Stop", "run_jobs"]

log = logging.getLogger(__name__)

# One try for one chat: seconds to wait before the next try, or None when the chat is done
# (its ``job.result`` set).
Attempt = Callable[[Job], Awaitable[float | None]]


class Stop:
    """Whether the broadcast must stop: aborted (``reason``) or asked to (``asked``)."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.asked: Callable[[], bool] = lambda: False

    def reset(self, asked: Callable[[], bool] | None) -> None:
        self.reason, self.asked = None, asked or (lambda: False)

    def __call__(self) -> bool:
        return self.reason is not None or self.asked()


class _Pool:
    """The queue, the jobs waiting on a timer, and how many are still open."""

    def __init__(self, jobs: list[Job]) -> None:
        self.queue: asyncio.Queue[Job] = asyncio.Queue()
        for job in jobs:
            self.queue.put_nowait(job)
        self.waiting: dict[asyncio.TimerHandle, Job] = {}
        self.open = len(jobs)
        self.all_done = asyncio.Event()

    def close(self, job: Job, result: ChatResult) -> None:
        job.result = result
        self.open -= 1
        if self.open == 0:
            self.all_done.set()

    def requeue(self, job: Job, delay: float) -> None:
        def fire() -> None:
            self.waiting.pop(handle, None)
            self.queue.put_nowait(job)

        handle = asyncio.get_running_loop().call_later(delay, fire)
        self.waiting[handle] = job

    def drop_waiting(self) -> None:
        """Shutting down: what is not in flight is not attempted."""
        for handle, job in list(self.waiting.items()):
            handle.cancel()
            del self.waiting[handle]
            self.close(job, ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED))
        while not self.queue.empty():
            job = self.queue.get_nowait()
            self.close(job, ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED))


async def run_jobs(jobs: list[Job], attempt: Attempt, *, workers: int, stop: Stop) -> None:
    """Works every job to its result with at most ``workers`` in flight."""
    pool = _Pool(jobs)

    async def worker() -> None:
        while True:
            job = await pool.queue.get()
            if stop():
                pool.close(job, ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED, error=stop.reason))
                continue
            try:
                delay = await attempt(job)
            except Exception as exc:  # a database error, or a bug: never crash the run
                log.exception("daily post to chat %s failed", job.chat_id)
                job.result = ChatResult(job.chat_id, Outcome.FAILED, error=repr(exc))
                delay = None
            if delay is None:
                assert job.result is not None
                pool.close(job, job.result)
            else:
                pool.requeue(job, delay)

    tasks = [
        asyncio.create_task(worker(), name=f"daily-post-{n}")
        for n in range(min(workers, len(jobs)))
    ]
    try:
        while not pool.all_done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pool.all_done.wait(), timeout=0.2)
            if stop():
                pool.drop_waiting()
    finally:
        for handle in pool.waiting:
            handle.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
