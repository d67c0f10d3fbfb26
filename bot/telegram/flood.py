"""Per-user flood protection: a sliding one-minute window of questions per sender.

A sender over the limit is told once to slow down, then ignored until the window has room
again; that keeps one noisy user from costing the bot its Telegram send budget (and the
group its patience) without ever answering them with more than a single notice.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    """What to do with one question."""

    ALLOW = "allow"  # answer it
    WARN = "warn"  # the first question over the limit: send the slow-down notice
    SILENT = "silent"  # over the limit and already warned: say nothing


@dataclass
class _Sender:
    times: deque[float] = field(default_factory=deque)
    warned: bool = False


class FloodGuard:
    """Allows ``limit`` questions per ``window`` seconds per sender.

    Only allowed questions fill the window, so a sender who keeps hammering is let back in
    as soon as their older questions age out. ``clock`` is injectable so tests need not sleep.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_senders: int = 50_000,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_senders = max_senders
        self._senders: dict[int, _Sender] = {}

    def check(self, sender_id: int) -> Verdict:
        """Counts a question from ``sender_id`` (when allowed) and says how to treat it."""
        now = self.clock()
        sender = self._senders.get(sender_id)
        if sender is None:
            if len(self._senders) >= self.max_senders:
                self._forget_idle(now)
            sender = self._senders[sender_id] = _Sender()
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
        while sender.times and sender.times[0] <= now - self.window:
            sender.times.popleft()

    def _forget_idle(self, now: float) -> None:
        """Drops senders with nothing in their window, bounding memory on a busy bot."""
        for key in [k for k, s in self._senders.items() if not s.times or
                    s.times[-1] <= now - self.window]:
            del self._senders[key]
