"""Per-user flood protection: a sliding one-minute window of questions per sender.

A sender over the limit is told once to slow down, then ignored until the window has room
again; that keeps one noisy user from costing the bot its Telegram send budget (and the
group its patience) without ever answering them with more than a single notice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    """What to do with one question."""

    ALLOW = "allow"  # answer it
    WARN = "warn"  # the first question over the limit: send the slow-down notice
    SILENT = "silent"  # over the limit and already warned: say nothing


class _Sender:
    """One sender's allowed questions inside the window (a list: a deque costs ten times
    the memory, and a window holds ``limit`` times at most)."""

    __slots__ = ("times", "warned")

    def __init__(self) -> None:
        self.times: list[float] = []
        self.warned = False


class FloodGuard:
    """Allows ``limit`` questions per ``window`` seconds per sender.

    Only allowed questions fill the window, so a sender who keeps hammering is let back in
    as soon as their older questions age out. ``clock`` is injectable so tests need not sleep.

    Memory stays bounded on a bot that meets ever new senders: once a window, senders with
    nothing left in theirs are forgotten (to them that changes nothing: an empty window
    allows), and past ``max_senders`` at once the one seen least recently goes first.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_senders: int = 20_000,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_senders = max_senders
        self._senders: dict[int, _Sender] = {}
        self._swept = clock()

    def check(self, sender_id: int) -> Verdict:
        """Counts a question from ``sender_id`` (when allowed) and says how to treat it."""
        now = self.clock()
        if now - self._swept >= self.window:
            self._forget_idle(now)
        sender = self._senders.pop(sender_id, None)
        if sender is None:
            sender = _Sender()
            if len(self._senders) >= self.max_senders:
                del self._senders[next(iter(self._senders))]
        self._senders[sender_id] = sender  # the most recently seen last
        self._expire(sender, now)
        if len(sender.times) < self.limit:
            sender.times.append(now)
            sender.warned = False
            return Verdict.ALLOW
        if sender.warned:
            return Verdict.SILENT
        sender.warned = True
        return Verdict.WARN

    def _expire(self, sender: _Sender, now: float) -> None:
        times, cutoff = sender.times, now - self.window
        old = 0
        while old < len(times) and times[old] <= cutoff:
            old += 1
        if old:
            del times[:old]

    def _forget_idle(self, now: float) -> None:
        """Drops senders with nothing in their window."""
        self._swept = now
        cutoff = now - self.window
        for key in [k for k, s in self._senders.items() if not s.times or s.times[-1] <= cutoff]:
            del self._senders[key]

    @property
    def held(self) -> int:
        """Senders remembered."""
        return len(self._senders)
