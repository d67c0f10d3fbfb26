"""One chat's post, steps 1 to 4: wait for a send slot, record the intent ("pending"), send,
record what happened - and what each of Telegram's answers means for the chat.

429 -> wait ``retry_after``, then deliver; 5xx, connection errors and timeouts that provably
happened before the request reached Telegram -> bounded retries with backoff, then "failed"
(retried later the same day); a read timeout (Telegram got the request but did not answer) ->
"uncertain", as the message may well have been posted; 403 -> deactivate;
``migrate_to_chat_id`` -> move the subscription and deliver there once; 400 "chat not found"
-> deactivate; any other 400 -> not again today.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

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

from bot import schedule
from bot.daily.choosing import Holds
from bot.daily.compose import DailyPost, compose_post
from bot.daily.outcomes import ChatResult, Job, Outcome, never_reached_telegram, retry_after
from bot.daily.queue import Stop
from bot.daily.ratelimit import Pacer
from bot.daily.records import finish, finish_now, stored
from bot.engine.engine import Engine
from bot.storage import Storage, UnknownChatError

__all__ = ["ChatSender", "SendPolicy", "Today"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SendPolicy:
    """How hard one chat's post is tried."""

    max_attempts: int = 4  # transient failures before the chat is held back
    backoff: float = 1.0  # seconds before the first retry, doubling
    max_backoff: float = 30.0
    max_rate_limit_waits: int = 10  # 429s before the chat is held back
    retry_failed_after: timedelta = timedelta(minutes=30)  # how long a held chat waits
    read_timeout: float | None = None  # None: the bot's own (PTB: 5 s)


@dataclass(frozen=True, slots=True)
class Today:
    """What every chat of one broadcast shares: the day, the engine, the facts it may post
    and the bot's username (for the deep link)."""

    day: date
    engine: Engine
    postable: list[str]
    username: str | None


class ChatSender:
    """Takes one chat's job one try further (``attempt``)."""

    def __init__(
        self,
        bot: Bot,
        storage: Storage,
        pacer: Pacer,
        holds: Holds,
        stop: Stop,
        *,
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        policy: SendPolicy,
    ) -> None:
        self.bot, self.storage, self.pacer, self.holds, self.stop = bot, storage, pacer, holds, stop
        self.clock, self.tz, self.policy = clock, tz, policy

    def hold(self, chat_id: int, day: date, *, for_today: bool = False) -> None:
        until = None if for_today else self.clock() + self.policy.retry_failed_after
        self.holds.hold(chat_id, day, until)

    async def attempt(self, job: Job, today: Today) -> float | None:
        """One try for one chat; returns seconds to wait before the next try, or None when
        the chat is done (``job.result`` set)."""
        wait = self.pacer.windows.wait(job.chat_id)
        if wait > 0:
            return wait
        day = today.day
        if schedule.local_date(self.clock(), self.tz) != day:
            job.result = ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED, error="the day is over")
            return None
        fact = await stored(self.storage, self.storage.next_fact, job.chat_id, today.postable)
        post = compose_post(today.engine, fact, today.username) if fact is not None else None
        if post is None:
            log.warning("no postable fact for chat %s (no intent has daily: true?)", job.chat_id)
            job.result = ChatResult(job.chat_id, Outcome.NOTHING)
            return None
        await self.pacer.slot(self.stop)
        released = False

        def answered() -> None:  # frees the send's place in the window as early as possible
            nonlocal released
            if not released:
                released = True
                self.pacer.limiter.release()

        try:
            if self.stop():
                job.result = ChatResult(job.chat_id, Outcome.NOT_ATTEMPTED, error=self.stop.reason)
                return None
            try:
                post_id = await stored(
                    self.storage, self.storage.begin_post, job.chat_id, day, post.intent_id
                )
            except UnknownChatError:  # unsubscribed and gone meanwhile (e.g. migrated)
                job.result = ChatResult(job.chat_id, Outcome.NOT_SUBSCRIBED)
                return None
            if post_id is None:
                job.result = ChatResult(job.chat_id, Outcome.ALREADY)
                return None
            self.pacer.windows.record(job.chat_id)
            return await self._send(job, post_id, post, day, answered)
        finally:
            answered()

    async def _send(
        self,
        job: Job,
        post_id: int,
        post: DailyPost,
        day: date,
        answered: Callable[[], None] = lambda: None,
    ) -> float | None:
        timeout = self.policy.read_timeout
        try:
            try:
                message = await self.bot.send_message(
                    chat_id=job.chat_id,
                    text=post.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=post.markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    **({} if timeout is None else {"read_timeout": timeout}),
                )
            finally:
                answered()
        except asyncio.CancelledError:  # shutting down: queue the record, no more awaits
            self.storage.aio.submit(
                finish_now, self.storage, post_id, "uncertain", error="cancelled while sending"
            )
            job.result = ChatResult(job.chat_id, Outcome.UNCERTAIN, post.intent_id,
                                    error="cancelled")
            raise
        except Exception as exc:
            return await self._failed(job, post_id, post, day, exc)
        await finish(self.storage, post_id, "sent", message_id=message.message_id)
        job.result = ChatResult(
            job.chat_id, Outcome.SENT, post.intent_id, message.message_id,
            migrated_from=job.migrated_from,
        )
        return None

    async def _done(
        self, job: Job, post_id: int, fact: str, outcome: Outcome, status: str, error: str
    ) -> None:
        await finish(self.storage, post_id, status, error=error)
        job.result = ChatResult(
            job.chat_id, outcome, fact, error=error, migrated_from=job.migrated_from
        )

    async def _failed(
        self, job: Job, post_id: int, post: DailyPost, day: date, exc: Exception
    ) -> float | None:
        """What a send's error means for the chat: seconds until the next try, or None."""
        chat_id, fact = job.chat_id, post.intent_id
        if isinstance(exc, RetryAfter):
            return await self._rate_limited(job, post_id, fact, day, retry_after(exc))
        if isinstance(exc, ChatMigrated):
            return await self._migrated(job, post_id, post, day, exc.new_chat_id)
        if isinstance(exc, Forbidden):
            reason = f"forbidden: {exc.message.removeprefix('Forbidden: ')}"
            await self._done(job, post_id, fact, Outcome.DEACTIVATED, "failed", reason)
            await stored(self.storage, self.storage.deactivate, chat_id, reason)
            log.info("chat %s: the bot was blocked or removed (%s); deactivated", chat_id, exc)
        elif isinstance(exc, BadRequest) and "chat not found" in exc.message.lower():
            await self._done(job, post_id, fact, Outcome.DEACTIVATED, "failed", "chat not found")
            await stored(self.storage, self.storage.deactivate, chat_id, "chat not found")
            log.info("chat %s: chat not found; deactivated", chat_id)
        elif isinstance(exc, BadRequest):  # e.g. no right to post: retrying today will not help
            error = f"bad request: {exc.message}"
            await self._done(job, post_id, fact, Outcome.FAILED, "failed", error)
            self.hold(chat_id, day, for_today=True)
            log.warning("chat %s: daily post rejected: %s", chat_id, exc.message)
        elif isinstance(exc, InvalidToken):
            error = f"invalid token: {exc.message}"
            await self._done(job, post_id, fact, Outcome.FAILED, "failed", error)
            self.stop.reason = "the bot token was rejected"
            log.error("the bot token was rejected; stopping the broadcast")
        elif isinstance(exc, TimedOut) and never_reached_telegram(exc):
            return await self._transient(job, post_id, fact, day, f"timed out: {exc.message}")
        elif isinstance(exc, TimedOut):
            error = f"no answer in time: {exc.message}"
            await self._done(job, post_id, fact, Outcome.UNCERTAIN, "uncertain", error)
            log.warning(
                "chat %s: Telegram did not answer in time; the post may have been delivered, "
                "so it is logged as uncertain and not repeated",
                chat_id,
            )
        elif isinstance(exc, NetworkError):  # 5xx, connection reset or refused
            return await self._transient(job, post_id, fact, day, f"network: {exc.message}")
        else:  # after the request went out: delivery unknown
            log.error("chat %s: unexpected error while sending the daily post", chat_id,
                      exc_info=exc)
            await self._done(job, post_id, fact, Outcome.UNCERTAIN, "uncertain",
                             f"unexpected: {exc!r}")
        return None

    async def _rate_limited(
        self, job: Job, post_id: int, fact: str, day: date, seconds: float
    ) -> float | None:
        """Flood control: wait as asked and deliver, unless it keeps happening."""
        error = f"flood control: retry after {seconds:g}s"
        await self._done(job, post_id, fact, Outcome.FAILED, "failed", error)
        job.rate_waits += 1
        if job.rate_waits > self.policy.max_rate_limit_waits:
            log.warning("chat %s: still rate limited after %d waits", job.chat_id, job.rate_waits)
            self.hold(job.chat_id, day)
            return None
        if job.chat_id > 0:  # no per-chat limit in private chats: the whole bot must wait
            self.pacer.limiter.pause_until(time.monotonic() + seconds)
        return seconds

    async def _migrated(
        self, job: Job, post_id: int, post: DailyPost, day: date, new_id: int
    ) -> float | None:
        """The group became a supergroup: move the subscription and deliver there once."""
        old_id = job.chat_id
        if job.migrated_from is not None:  # migrated twice in one go: give up for today
            await finish(self.storage, post_id, "failed", error=f"migrated again to {new_id}")
            job.result = ChatResult(old_id, Outcome.FAILED, post.intent_id, error="migrated twice")
            return None
        await stored(self.storage, self.storage.migrate_chat, old_id, new_id)
        log.info("chat %s was migrated to %s; subscription moved", old_id, new_id)
        job.chat_id, job.migrated_from = new_id, old_id
        current = await stored(self.storage, self.storage.post_on, new_id, day)
        if current is None or current.id != post_id:  # the new id already had today's post
            job.result = ChatResult(new_id, Outcome.ALREADY, migrated_from=old_id)
            return None
        return await self._send(job, post_id, post, day)

    async def _transient(
        self, job: Job, post_id: int, fact: str, day: date, error: str
    ) -> float | None:
        """Not delivered, may work later: back off and retry, a bounded number of times."""
        await self._done(job, post_id, fact, Outcome.FAILED, "failed", error)
        job.attempts += 1
        policy = self.policy
        if job.attempts >= policy.max_attempts:
            self.hold(job.chat_id, day)
            log.warning(
                "chat %s: daily post failed %d times (%s); trying again later today",
                job.chat_id,
                job.attempts,
                error,
            )
            return None
        delay = min(policy.max_backoff, policy.backoff * 2 ** (job.attempts - 1))
        return delay * random.uniform(0.8, 1.2)
