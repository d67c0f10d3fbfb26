"""Outgoing pacing for the broadcast, within Telegram's documented flood limits.

Telegram allows about 30 messages per second overall and 20 per minute into one group or
channel; beyond that it answers 429 and may make the bot wait far longer. Pacing ourselves is
cheaper than being told to slow down.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

__all__ = ["ChatWindow", "MeteredRateLimiter", "Pacer", "SendWindow"]


class SendWindow:
    """At most ``rate`` sends per second in any one-second window, evenly spaced.

    A send counts from the moment it is handed to the network until one window after its
    answer came back. Telegram counts it somewhere in between, so this bound holds on
    Telegram's side too, whatever happens on the way: an event-loop stall, a slow answer, or
    another limiter further down (PTB's ``AIORateLimiter``) holding requests back and then
    releasing them together - spacing alone would let such a burst through, and Telegram
    would answer it with 429s. The price is the round-trip time: a send occupies its place
    for one window plus one round trip, so the rate reached is ``rate / (1 + rtt)``.
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0, got {rate!r}")
        self.limit = max(1, math.floor(rate))  # sends per window...
        self.window = self.limit / rate  # ...of this many seconds (1.0 for whole rates)
        self.spacing = 1.0 / rate
        self._clock = clock
        self._lock = asyncio.Lock()  # waiters are served in order
        self._freed = asyncio.Event()
        self._answered: deque[float] = deque()  # when recent sends got their answer
        self._in_flight = 0
        self._last = -math.inf
        self._paused_until = -math.inf

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def acquire(self) -> None:
        """Waits until one more send fits; pair every call with ``release``."""
        async with self._lock:
            while True:
                now = self._clock()
                while self._answered and self._answered[0] <= now - self.window:
                    self._answered.popleft()
                wait = max(self._last + self.spacing, self._paused_until) - now
                if self._in_flight + len(self._answered) >= self.limit:
                    if self._answered:  # room again when the oldest answer leaves the window
                        wait = max(wait, self._answered[0] + self.window - now)
                    else:  # all in flight: room again when one is answered (and a window on)
                        self._freed.clear()
                        await self._freed.wait()
                        continue
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._in_flight += 1
            self._last = now

    def release(self) -> None:
        """The send got its answer (or never went out)."""
        self._in_flight -= 1
        self._answered.append(self._clock())
        self._freed.set()

    def pause_until(self, instant: float) -> None:
        """No send before ``instant`` (Telegram asked the whole bot to wait)."""
        self._paused_until = max(self._paused_until, instant)


class ChatWindow:
    """At most ``limit`` sends into one group or channel in any ``window`` seconds.

    Private chats are not counted (Telegram's per-chat limit is for groups and channels).
    Chats with no send inside the window are forgotten once a window, so a broadcast to
    thousands of groups leaves nothing behind a minute after it (a list per chat, not a
    deque: a deque costs ten times the memory, and a chat holds ``limit`` times at most).
    """

    def __init__(
        self, limit: int, window: float = 60.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sent: dict[int, list[float]] = {}
        self._pruned = clock()

    def wait(self, chat_id: int) -> float:
        """Seconds until a send into ``chat_id`` would stay within the limit (0 = now)."""
        history = self._sent.get(chat_id)
        if chat_id > 0 or not history:
            return 0.0
        now = self._clock()
        old = 0
        while old < len(history) and history[old] <= now - self.window:
            old += 1
        del history[:old]
        if len(history) < self.limit:
            return 0.0
        return history[0] + self.window - now

    def record(self, chat_id: int) -> None:
        if chat_id < 0:
            now = self._clock()
            if now - self._pruned >= self.window:
                self.prune()
            self._sent.setdefault(chat_id, []).append(now)

    def prune(self) -> None:
        """Forgets chats with no send inside the window (keeps memory flat across days)."""
        self._pruned = now = self._clock()
        cutoff = now - self.window
        for chat_id in [c for c, h in self._sent.items() if not h or h[-1] <= cutoff]:
            del self._sent[chat_id]

    @property
    def held(self) -> int:
        """Chats remembered."""
        return len(self._sent)


class MeteredRateLimiter(AIORateLimiter):
    """PTB's ``AIORateLimiter`` that also notes when each request bound for a chat was made.

    Answers and daily posts share Telegram's overall limit, and answers do not wait for the
    broadcast: the broadcast reads ``recent`` and sends only while the bot as a whole stays
    below its ceiling, so the limiter never has a queue for an answer to wait in.
    """

    def __init__(
        self,
        *args: Any,
        clock: Callable[[], float] = time.monotonic,
        horizon: float = 1.0,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self._clock = clock
        # the longest window ``recent`` is asked about: older times are dropped as new ones
        # come, so a day without a broadcast (nobody asking) does not keep a day of them
        self.horizon = horizon
        self._made: deque[float] = deque()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if data.get("chat_id") is not None:
            now = self._clock()
            self._made.append(now)
            self._forget_before(now - self.horizon)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    def recent(self, window: float = 1.0) -> int:
        """Requests for a chat made in the last ``window`` seconds."""
        if window > self.horizon:
            raise ValueError(f"window {window} is longer than the horizon {self.horizon}")
        cutoff = self._clock() - window
        self._forget_before(cutoff)
        return len(self._made)

    def _forget_before(self, cutoff: float) -> None:
        made = self._made
        while made and made[0] <= cutoff:
            made.popleft()

    @property
    def held(self) -> int:
        """Request times held (no ``__len__``: PTB tests a rate limiter for truth)."""
        return len(self._made)


class Pacer:
    """A broadcast's place in the bot's send budget: its own even pace under ``ceiling`` of
    Telegram's overall limit, each group's per-minute window, and - with the bot's
    ``MeteredRateLimiter`` - room left for answers: a post waits while the whole bot made
    ``room`` or more requests in the last second."""

    def __init__(
        self, rate_limiter: object, overall_rate: float, group_per_minute: int, ceiling: float
    ) -> None:
        self.meter = rate_limiter if isinstance(rate_limiter, MeteredRateLimiter) else None
        self.limiter = SendWindow(overall_rate * ceiling)
        self.room = max(1, math.floor(overall_rate * ceiling))
        self.windows = ChatWindow(group_per_minute, 60.0)
        self._gate = asyncio.Lock()

    async def slot(self, stopping: Callable[[], bool]) -> None:
        """Waits for a send's place; pair with ``limiter.release()`` once it is answered."""
        async with self._gate:  # one at a time, so the count of recent requests stays true
            while self.meter is not None and self.meter.recent() >= self.room and not stopping():
                await asyncio.sleep(self.limiter.spacing)
            await self.limiter.acquire()
