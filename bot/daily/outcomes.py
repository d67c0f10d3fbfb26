"""What a broadcast produces: each chat's outcome, the report, and the job a chat is while
its post is on its way. Also how a send's error reads (a flood wait, a timeout that may or
may not have reached Telegram)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

import httpx
from telegram.error import RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.storage import Post

__all__ = [
    "BroadcastReport",
    "ChatResult",
    "Job",
    "Outcome",
    "never_reached_telegram",
    "retry_after",
]


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
class Job:
    """One chat's post, from the queue to its outcome (``result``)."""

    chat_id: int
    origin: int
    attempts: int = 0  # transient failures so far
    rate_waits: int = 0  # 429s so far
    migrated_from: int | None = None
    result: ChatResult | None = None


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def retry_after(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait."""
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
