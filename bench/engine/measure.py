"""Asking a system every question: judged replies and the time each took."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.reply import Reply
from bot.evaluate import Item, load_items

Answerer = Callable[[str], Reply]


def load_sets(paths: Sequence[Path]) -> list[Item]:
    """Every question of the given eval files, in order (the format of knowledge/eval/*.yaml)."""
    return [item for path in paths for item in load_items(path)]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: a value that was actually measured, never an interpolation."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Measured:
    """One system's replies to a list of questions: right or wrong, and how long each took."""

    name: str
    kinds: list[str] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)  # the first ask of each question
    again_ms: list[float] = field(default_factory=list)  # median of the later asks, if any
    first_cpu_ms: list[float] = field(default_factory=list)  # CPU time of each first ask

    def counts(self, kind: str | None = None) -> tuple[int, int]:
        hits = [ok for k, ok in zip(self.kinds, self.correct, strict=True) if kind in (None, k)]
        return sum(hits), len(hits)

    def accuracy(self, kind: str | None = None) -> float | None:
        passed, total = self.counts(kind)
        return passed / total if total else None


def measure(name: str, answer: Answerer, items: Sequence[Item], repeats: int = 1) -> Measured:
    """Ask every question `repeats` times and judge the first reply.

    The first ask is what a user with a new question waits for; the engine caches some work per
    word, so asking again is faster, and the median of the later asks (shown beside it) is also
    less at the mercy of a busy machine. p50/p99 are taken over questions.
    """
    result = Measured(name)
    for item in items:
        times: list[float] = []
        for run in range(max(1, repeats)):
            start, cpu = time.perf_counter(), time.process_time()
            reply = answer(item.question)
            times.append((time.perf_counter() - start) * 1000)
            if run == 0:
                result.first_cpu_ms.append((time.process_time() - cpu) * 1000)
                result.correct.append(item.judge(reply))
        result.kinds.append(item.kind)
        result.first_ms.append(times[0])
        result.again_ms.append(statistics.median(times[1:] or times))
    return result
