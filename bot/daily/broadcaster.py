"""Sends the day's posts: each due chat gets at most one, paced within Telegram's limits.

At-most-once, per chat and local day, rests on the post log in ``Storage``:

1. wait for a send slot (global pacing, per-group window);
2. ``begin_post`` records the intent ("pending") in its own committed transaction;
3. send;
4. ``finish_post`` records what happened: "sent", "failed" (provably not delivered: the fact
   goes back into the rotation and the day may be retried) or "uncertain" (may have been
   delivered: never repeated).

A process that dies between 2 and 4 leaves "pending", which ``recover`` turns into "uncertain"
at the next start. Waiting (step 1, retry backoff, 429 waits) never happens while a row is
pending, so a kill only makes the sends that were really in flight uncertain.

Every chat is its own job in a queue worked by a bounded pool; a job that has to wait (429,
backoff, the group's per-minute window) is put back on a timer instead of holding a worker, so
one slow or failing chat never holds up the others.

Faults: 429 -> wait ``retry_after``, then deliver; 5xx, connection errors and timeouts that
provably happened before the request reached Telegram -> bounded retries with backoff, then
"failed" (retried later the same day: after ``retry_failed_after`` in this process, or at the
next start); a read timeout (Telegram got the request but did not answer) -> "uncertain", as
the message may well have been posted; 403 -> deactivate; ``migrate_to_chat_id`` -> move the
subscription and deliver there once; 400 "chat not found" -> deactivate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot import schedule
from bot.config import Settings
from bot.daily.compose import DailyPost, compose_post
from bot.daily.plan import blocks_today, is_due_now
from bot.daily.ratelimit import ChatWindow, MeteredRateLimiter, SendWindow
from bot.engine.engine import Engine
from bot.storage import Post, Storage, UnknownChatError

__all__ = ["BROADCAST_CEILING", "BroadcastReport", "Broadcaster", "ChatResult", "Outcome"]

log = logging.getLogger(__name__)
T = TypeVar("T")
# The broadcast sends only while the whole bot (answers included) makes fewer requests a
# second than this share of ``global_send_rate``: answers take what they need, the broadcast
# the rest, and a burst of answers still fits under Telegram's limit without queueing.
BROADCAST_CEILING = 0.8


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY = "already posted today"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    DEACTIVATED = "deactivated"
    NOTHING = "nothing to post"
    NOT_SUBSCRIBED = "not subscribed"
    INACTIVE = "inactive"
    NOT_ATTEMPTED = "not attempted"


@dataclass(slots=True)
class ChatResult:
    chat_id: int  # where the post went (the new id after a migration)
    outcome: Outcome
    fact_id: str | None = None
    message_id: int | None = None
    error: str | None = None
    migrated_from: int | None = None


@dataclass(slots=True)
class BroadcastReport:
    local_date: str
    results: list[ChatResult] = field(default_factory=list)
    recovered: list[Post] = field(default_factory=list)  # rows found pending at startup
    seconds: float = 0.0

    def of(self, outcome: Outcome) -> list[ChatResult]:
        return [r for r in self.results if r.outcome is outcome]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for result in self.results:
            found[result.outcome.value] = found.get(result.outcome.value, 0) + 1
        return found


@dataclass(slots=True)
class _Job:
    chat_id: int
    origin: int
    attempts: int = 0  # transient failures so far
    rate_waits: int = 0  # 429s so far
    migrated_from: int | None = None
    result: ChatResult | None = None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return max(_seconds(exc.retry_after), 0.0)


def never_reached_telegram(exc: TimedOut) -> bool:
    """Whether a timeout happened before Telegram could have got the whole request.

    Connecting, waiting for a pooled connection and writing the request can time out without
    Telegram seeing a complete request, so a retry cannot double-post. A read timeout means the
    request was sent and Telegram may have posted the message before we gave up waiting.
    """
    return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout | httpx.WriteTimeout)


class Broadcaster:
    """Posts the daily fact to due chats through ``bot``; one instance per process.

    ``clock`` decides what "now" is (dates and due-ness; tests move it), while pacing and waits
    use real time. Call ``run_due`` every minute; ``post_now`` is the operator's "post today's
    fact right away".
    """

    def __init__(
        self,
        bot: Bot,
        storage: Storage,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = _utc_now,
        max_in_flight: int = 32,
        max_attempts: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_rate_limit_waits: int = 10,
        retry_failed_after: timedelta = timedelta(minutes=30),
        read_timeout: float | None = None,
        ceiling: float = BROADCAST_CEILING,
    ) -> None:
        self.bot = bot
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.tz = settings.tz
        self.max_in_flight = max_in_flight
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_rate_limit_waits = max_rate_limit_waits
        self.retry_failed_after = retry_failed_after
        self.read_timeout = read_timeout  # None: the bot's own (PTB: 5 s)
        # Answers go through the same limit (PTB's rate limiter, Telegram's 30 a second): the
        # broadcast keeps below ``ceiling`` of it, less what the rest of the bot is sending.
        self.limiter = SendWindow(settings.global_send_rate * ceiling)
        self.room = max(1, math.floor(settings.global_send_rate * ceiling))
        self._gate = asyncio.Lock()
        self.windows = ChatWindow(settings.group_send_rate_per_minute, 60.0)
        # chat -> (local date, not before): chats that failed today are not hammered every
        # minute; None = not again today in this process (the error will not go away by itself).
        self._held: dict[int, tuple[date, datetime | None]] = {}
        self._recovered = False
        self._lock = asyncio.Lock()
        self._aborted: str | None = None
        self._should_stop: Callable[[], bool] = lambda: False

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    # --- startup -------------------------------------------------------------------------------

    async def recover(self) -> list[Post]:
        """Once per process, before the first send: rows a dead process left "pending" become
        "uncertain" and are never sent again that day."""
        if self._recovered:
            return []
        self._recovered = True
        rows = await self._db(self.storage.recover_interrupted)
        for post in rows:
            log.warning(
                "daily post to chat %s on %s (fact %s) was interrupted by a restart; it may or "
                "may not have been delivered, so it is logged as uncertain and not sent again",
                post.chat_id,
                post.local_date,
                post.fact_id,
            )
        return rows

    # --- choosing chats ------------------------------------------------------------------------

    async def due_chats(self, now: datetime | None = None) -> list[int]:
        """Active chats whose post for today is due now and not held back after a failure."""
        now = now or self.clock()
        today = schedule.local_date(now, self.tz)
        posts = {p.chat_id: p for p in await self._db(self.storage.posts, local_date=today)}
        due = []
        for sub in await self._db(self.storage.subscriptions, active_only=True):
            if self._is_held(sub.chat_id, today, now):
                continue
            if is_due_now(sub, self.tz, now, posts.get(sub.chat_id)):
                due.append(sub.chat_id)
        return due

    def _is_held(self, chat_id: int, today: date, now: datetime) -> bool:
        held = self._held.get(chat_id)
        if held is None:
            return False
        day, until = held
        if day != today or (until is not None and now >= until):
            del self._held[chat_id]
            return False
        return True

    def forget_old(self, today: date) -> None:
        """Drops holds of earlier days and send windows with nothing inside, so a day's
        failures and a broadcast's thousands of groups are not kept past their use."""
        for chat_id in [c for c, (day, _) in self._held.items() if day != today]:
            del self._held[chat_id]
        self.windows.prune()

    def _hold(self, chat_id: int, day: date, *, for_today: bool = False) -> None:
        until = None if for_today else self.clock() + self.retry_failed_after
        self._held[chat_id] = (day, until)

    # --- running -------------------------------------------------------------------------------

    async def run_due(
        self, engine: Engine, *, should_stop: Callable[[], bool] | None = None
    ) -> BroadcastReport:
        """Posts to every chat that is due now (today's slot reached, nothing posted today)."""
        async with self._lock:
            recovered = await self.recover()
            now = self.clock()
            self.forget_old(schedule.local_date(now, self.tz))
            report = await self._deliver(
                await self.due_chats(now), schedule.local_date(now, self.tz), engine, should_stop
            )
            report.recovered = recovered
            return report

    async def post_now(
        self,
        engine: Engine,
        chat_ids: Sequence[int] | None = None,
        *,
        should_stop: Callable[[], bool] | None = None,
    ) -> BroadcastReport:
        """Posts today's fact now, ignoring the chats' times: to ``chat_ids`` or every active
        chat. A chat that already had today's post gets nothing (at most one a day)."""
        async with self._lock:
            recovered = await self.recover()
            now = self.clock()
            today = schedule.local_date(now, self.tz)
            posts = {p.chat_id: p for p in await self._db(self.storage.posts, local_date=today)}
            early: list[ChatResult] = []
            if chat_ids is None:
                subs = await self._db(self.storage.subscriptions, active_only=True)
            else:
                subs = []
                for chat_id in dict.fromkeys(chat_ids):
                    sub = await self._db(self.storage.get_subscription, chat_id)
                    if sub is None:
                        early.append(ChatResult(chat_id, Outcome.NOT_SUBSCRIBED))
                    elif not sub.active:
                        early.append(ChatResult(chat_id, Outcome.INACTIVE))
                    else:
                        subs.append(sub)
            todo = []
            for sub in subs:
                post = posts.get(sub.chat_id)
                if blocks_today(post):
                    early.append(
                        ChatResult(sub.chat_id, Outcome.ALREADY, post.fact_id, post.message_id)
                    )
                else:
                    todo.append(sub.chat_id)
            report = await self._deliver(todo, today, engine, should_stop)
            report.results[:0] = early
            report.recovered = recovered
            return report

    async def _deliver(
        self,
        chat_ids: Iterable[int],
        day: date,
        engine: Engine,
        should_stop: Callable[[], bool] | None,
    ) -> BroadcastReport:
        started = time.monotonic()
        jobs = [_Job(chat_id, chat_id) for chat_id in chat_ids]
        report = BroadcastReport(day.isoformat())
        if not jobs:
            return report
        self._aborted = None
        self._should_stop = should_stop or (lambda: False)
        self.windows.prune()
        postable = [intent.id for intent in engine.daily_intents()]
        username = self._bot_username()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[_Job] = asyncio.Queue()
        for job in jobs:
            queue.put_nowait(job)
        waiting: dict[asyncio.TimerHandle, _Job] = {}
        open_jobs = len(jobs)
        all_done = asyncio.Event()
        log.info("daily posts for %s: %d chat(s) to post to", day, len(jobs))

        def close(job: _Job, result: ChatResult) -> None:
            nonlocal open_jobs
            job.result = result
            open_jobs -= 1
            if open_jobs == 0:
                all_done.set()

        def requeue(job: _Job, delay: float) -> None:
            def fire() -> None:
                waiting.pop(handle, None)
                queue.put_nowait(job)

            handle = loop.call_later(delay, fire)
            waiting[handle] = job

        async def worker() -> None:
            while True:
                job = await queue.get()
                if self._stopping():
                    close(job, ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED, error=self._aborted))
                    continue
                try:
                    delay = await self._attempt(job, day, engine, postable, username)
                except Exception as exc:  # a database error, or a bug: never crash the run
                    log.exception("daily post to chat %s failed", job.chat_id)
                    job.result = ChatResult(job.chat_id, Outcome.FAILED, error=repr(exc))
                    delay = None
                if delay is None:
                    assert job.result is not None
                    close(job, job.result)
                else:
                    requeue(job, delay)

        workers = [
            asyncio.create_task(worker(), name=f"daily-post-{n}")
            for n in range(min(self.max_in_flight, len(jobs)))
        ]
        try:
            while not all_done.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(all_done.wait(), timeout=0.2)
                if self._stopping():  # shutting down: drop what is not in flight
                    for handle, job in list(waiting.items()):
                        handle.cancel()
                        del waiting[handle]
                        close(job, ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED))
                    while not queue.empty():
                        job = queue.get_nowait()
                        close(job, ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED))
        finally:
            for handle in waiting:
                handle.cancel()
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        report.results = [job.result for job in jobs if job.result is not None]
        report.seconds = time.monotonic() - started
        log.info("daily posts for %s done in %.1fs: %s", day, report.seconds, report.counts())
        return report

    def _stopping(self) -> bool:
        return self._aborted is not None or self._should_stop()

    def _bot_username(self) -> str | None:
        try:
            return self.bot.username
        except RuntimeError:  # not initialized: posts go out without the deep-link button
            log.warning("the bot is not initialized; daily posts will have no deep link")
            return None

    # --- one chat ------------------------------------------------------------------------------

    async def _attempt(
        self, job: _Job, day: date, engine: Engine, postable: list[str], username: str | None
    ) -> float | None:
        """One try for one chat; returns seconds to wait before the next try, or None when the
        chat is done (``job.result`` set)."""
        wait = self.windows.wait(job.chat_id)
        if wait > 0:
            return wait
        if schedule.local_date(self.clock(), self.tz) != day:
            job.result = ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED, error="the day is over")
            return None
        fact = await self._db(self.storage.next_fact, job.chat_id, postable)
        post = compose_post(engine, fact, username) if fact is not None else None
        if post is None:
            log.warning("no postable fact for chat %s (no intent has daily: true?)", job.chat_id)
            job.result = ChatResult(job.chat_id, Outcome.NOTHING)
            return None
        async with self._gate:  # one at a time, so the count below stays true
            await self._leave_room()
            await self.limiter.acquire()
        released = False

        def answered() -> None:  # frees the send's place in the window as early as possible
            nonlocal released
            if not released:
                released = True
                self.limiter.release()

        try:
            if self._stopping():
                job.result = ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED, error=self._aborted)
                return None
            try:
                post_id = await self._db(self.storage.begin_post, job.chat_id, day, post.intent_id)
            except UnknownChatError:  # unsubscribed and gone meanwhile (e.g. migrated)
                job.result = ChatResult(job.chat_id, Outcome.NOT_SUBSCRIBED)
                return None
            if post_id is None:
                job.result = ChatResult(job.chat_id, Outcome.ALREADY)
                return None
            self.windows.record(job.chat_id)
            return await self._send(job, post_id, post, day, answered)
        finally:
            answered()

    async def _send(
        self,
        job: _Job,
        post_id: int,
        post: DailyPost,
        day: date,
        answered: Callable[[], None] = lambda: None,
    ) -> float | None:
        chat_id, fact = job.chat_id, post.intent_id

        async def done(outcome: Outcome, status: str, error: str | None = None) -> None:
            await self._finish(post_id, status, error=error)
            job.result = ChatResult(
                chat_id, outcome, fact, error=error, migrated_from=job.migrated_from
            )

        try:
            try:
                message = await self.bot.send_message(
                    chat_id=chat_id,
                    text=post.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=post.markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    **({} if self.read_timeout is None else {"read_timeout": self.read_timeout}),
                )
            finally:
                answered()
        except RetryAfter as exc:
            seconds = _retry_after(exc)
            error = f"flood control: retry after {seconds:g}s"
            await done(Outcome.FAILED, "failed", error)
            job.rate_waits += 1
            if job.rate_waits > self.max_rate_limit_waits:
                log.warning("chat %s: still rate limited after %d waits", chat_id, job.rate_waits)
                self._hold(chat_id, day)
                return None
            if chat_id > 0:  # no per-chat limit in private chats: the whole bot must wait
                self.limiter.pause_until(time.monotonic() + seconds)
            return seconds
        except ChatMigrated as exc:
            return await self._migrated(job, post_id, post, day, exc.new_chat_id)
        except Forbidden as exc:
            reason = f"forbidden: {exc.message.removeprefix('Forbidden: ')}"
            await done(Outcome.DEACTIVATED, "failed", reason)
            await self._db(self.storage.deactivate, chat_id, reason)
            log.info("chat %s: the bot was blocked or removed (%s); deactivated", chat_id, exc)
            return None
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                await done(Outcome.DEACTIVATED, "failed", "chat not found")
                await self._db(self.storage.deactivate, chat_id, "chat not found")
                log.info("chat %s: chat not found; deactivated", chat_id)
            else:  # e.g. no right to post: retrying today will not help
                await done(Outcome.FAILED, "failed", f"bad request: {exc.message}")
                self._hold(chat_id, day, for_today=True)
                log.warning("chat %s: daily post rejected: %s", chat_id, exc.message)
            return None
        except InvalidToken as exc:
            await done(Outcome.FAILED, "failed", f"invalid token: {exc.message}")
            self._aborted = "the bot token was rejected"
            log.error("the bot token was rejected; stopping the broadcast")
            return None
        except TimedOut as exc:
            if never_reached_telegram(exc):
                return await self._transient(job, post_id, fact, day, f"timed out: {exc.message}")
            await done(Outcome.UNCERTAIN, "uncertain", f"no answer in time: {exc.message}")
            log.warning(
                "chat %s: Telegram did not answer in time; the post may have been delivered, "
                "so it is logged as uncertain and not repeated",
                chat_id,
            )
            return None
        except NetworkError as exc:  # 5xx, connection reset or refused
            return await self._transient(job, post_id, fact, day, f"network: {exc.message}")
        except asyncio.CancelledError:  # shutting down: queue the record, no more awaits
            self.storage.aio.submit(
                self._finish_now, post_id, "uncertain", error="cancelled while sending"
            )
            job.result = ChatResult(chat_id, Outcome.UNCERTAIN, fact, error="cancelled")
            raise
        except Exception as exc:  # after the request went out: delivery unknown
            log.exception("chat %s: unexpected error while sending the daily post", chat_id)
            await done(Outcome.UNCERTAIN, "uncertain", f"unexpected: {exc!r}")
            return None
        await self._finish(post_id, "sent", message_id=message.message_id)
        job.result = ChatResult(
            chat_id, Outcome.SENT, fact, message.message_id, migrated_from=job.migrated_from
        )
        return None

    async def _migrated(
        self, job: _Job, post_id: int, post: DailyPost, day: date, new_id: int
    ) -> float | None:
        """The group became a supergroup: move the subscription and deliver there once."""
        old_id = job.chat_id
        if job.migrated_from is not None:  # migrated twice in one go: give up for today
            await self._finish(post_id, "failed", error=f"migrated again to {new_id}")
            job.result = ChatResult(old_id, Outcome.FAILED, post.intent_id, error="migrated twice")
            return None
        await self._db(self.storage.migrate_chat, old_id, new_id)
        log.info("chat %s was migrated to %s; subscription moved", old_id, new_id)
        job.chat_id, job.migrated_from = new_id, old_id
        current = await self._db(self.storage.post_on, new_id, day)
        if current is None or current.id != post_id:  # the new id already had today's post
            job.result = ChatResult(new_id, Outcome.ALREADY, migrated_from=old_id)
            return None
        return await self._send(job, post_id, post, day)

    async def _transient(
        self, job: _Job, post_id: int, fact: str, day: date, error: str
    ) -> float | None:
        """Not delivered, may work later: back off and retry, a bounded number of times."""
        await self._finish(post_id, "failed", error=error)
        job.attempts += 1
        job.result = ChatResult(
            job.chat_id, Outcome.FAILED, fact, error=error, migrated_from=job.migrated_from
        )
        if job.attempts >= self.max_attempts:
            self._hold(job.chat_id, day)
            log.warning(
                "chat %s: daily post failed %d times (%s); trying again later today",
                job.chat_id,
                job.attempts,
                error,
            )
            return None
        delay = min(self.max_backoff, self.backoff * 2 ** (job.attempts - 1))
        return delay * random.uniform(0.8, 1.2)

    async def _leave_room(self) -> None:
        """Waits while the bot's requests of the last second, answers included, fill the
        broadcast's ceiling (only with the bot's own ``MeteredRateLimiter``)."""
        meter = getattr(self.bot, "rate_limiter", None)
        if not isinstance(meter, MeteredRateLimiter):
            return
        while meter.recent() >= self.room and not self._stopping():
            await asyncio.sleep(self.limiter.spacing)

    async def _db(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """A storage call on the storage thread (``Storage.aio``), behind the handlers' calls.

        Each commit waits for an fsync; on the event loop that wait would hold up every other
        chat's send and answer, and so the pacing; in the handlers' lane, a vote would wait for
        the broadcast's queue. A call handed over is finished even if this task is cancelled,
        so an outcome is never lost between the send and its record.
        """
        return await self.storage.aio.background(call, *args, **kwargs)

    async def _finish(
        self, post_id: int, status: str, *, message_id: int | None = None, error: str | None = None
    ) -> None:
        await self._db(self._finish_now, post_id, status, message_id=message_id, error=error)

    def _finish_now(
        self, post_id: int, status: str, *, message_id: int | None = None, error: str | None = None
    ) -> None:
        try:
            self.storage.finish_post(post_id, status=status, message_id=message_id, error=error)
        except Exception:  # the row stays "pending" and becomes "uncertain" at the next start
            log.exception("could not record the result (%s) of daily post %s", status, post_id)
