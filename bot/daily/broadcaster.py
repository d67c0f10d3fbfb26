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

A broadcast goes through stages, each in its own module: which chats are due and which are
held back after a failure (``choosing``); a queue of one job per chat worked by a bounded pool
(``queue``); one chat's steps 1-4 and what Telegram's answer means for it (``sending``, with
the pacing of ``ratelimit``); the records in SQLite (``records``); the outcomes and the report
(``outcomes``). This module puts them together.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from telegram import Bot

from bot import schedule
from bot.config import Settings
from bot.daily.choosing import Holds, chosen_now, due_chats
from bot.daily.outcomes import (
    BroadcastReport,
    ChatResult,
    Job,
    Outcome,
    never_reached_telegram,
)
from bot.daily.queue import Stop, run_jobs
from bot.daily.ratelimit import ChatWindow, Pacer, SendWindow
from bot.daily.records import stored
from bot.daily.sending import ChatSender, SendPolicy, Today
from bot.engine.engine import Engine
from bot.storage import Post, Storage

__all__ = [
    "BROADCAST_CEILING",
    "BroadcastReport",
    "Broadcaster",
    "ChatResult",
    "Outcome",
    "never_reached_telegram",
]

log = logging.getLogger(__name__)
# The broadcast sends only while the whole bot (answers included) makes fewer requests a
# second than this share of ``global_send_rate``: answers take what they need, the broadcast
# the rest, and a burst of answers still fits under Telegram's limit without queueing.
BROADCAST_CEILING = 0.8


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
        # Answers go through the same limit (PTB's rate limiter, Telegram's 30 a second): the
        # broadcast keeps below ``ceiling`` of it, less what the rest of the bot is sending.
        self.pacer = Pacer(
            getattr(bot, "rate_limiter", None),
            settings.global_send_rate,
            settings.group_send_rate_per_minute,
            ceiling,
        )
        # Chats that failed today are not hammered every minute.
        self.holds = Holds()
        self.stop = Stop()
        policy = SendPolicy(max_attempts, backoff, max_backoff, max_rate_limit_waits,
                            retry_failed_after, read_timeout)
        self.sender = ChatSender(
            bot, storage, self.pacer, self.holds, self.stop, clock=clock, tz=self.tz,
            policy=policy,
        )
        self._recovered = False
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @property
    def limiter(self) -> SendWindow:
        return self.pacer.limiter

    @property
    def windows(self) -> ChatWindow:
        return self.pacer.windows

    # --- startup -------------------------------------------------------------------------------

    async def recover(self) -> list[Post]:
        """Once per process, before the first send: rows a dead process left "pending" become
        "uncertain" and are never sent again that day."""
        if self._recovered:
            return []
        self._recovered = True
        rows = await stored(self.storage, self.storage.recover_interrupted)
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
        return await due_chats(self.storage, self.tz, now or self.clock(), self.holds)

    def forget_old(self, today: date) -> None:
        """Drops holds of earlier days and send windows with nothing inside, so a day's
        failures and a broadcast's thousands of groups are not kept past their use."""
        self.holds.forget_before(today)
        self.pacer.windows.prune()

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
            today = schedule.local_date(self.clock(), self.tz)
            todo, early = await chosen_now(self.storage, today, chat_ids)
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
        jobs = [Job(chat_id, chat_id) for chat_id in chat_ids]
        report = BroadcastReport(day.isoformat())
        if not jobs:
            return report
        self.stop.reset(should_stop)
        self.pacer.windows.prune()
        today = Today(day, engine, [i.id for i in engine.daily_intents()], self._bot_username())
        log.info("daily posts for %s: %d chat(s) to post to", day, len(jobs))

        async def attempt(job: Job) -> float | None:
            return await self.sender.attempt(job, today)

        await run_jobs(jobs, attempt, workers=self.max_in_flight, stop=self.stop)
        report.results = [job.result for job in jobs if job.result is not None]
        report.seconds = time.monotonic() - started
        log.info("daily posts for %s done in %.1fs: %s", day, report.seconds, report.counts())
        return report

    def _bot_username(self) -> str | None:
        try:
            return self.bot.username
        except RuntimeError:  # not initialized: posts go out without the deep-link button
            log.warning("the bot is not initialized; daily posts will have no deep link")
            return None
