"""bench/engine/measure.py: percentiles of measured values, and replies judged and timed."""

from __future__ import annotations

import math

from bench.engine.measure import measure, percentile
from bot.engine.reply import Reply
from bot.evaluate import Item

ITEMS = [
    Item("北京有多少所高校？", "answer", ("92",)),
    Item("Vidu能生成几秒的视频", "answer", ("8秒",)),
    Item("今天天气怎么样？", "oos"),
    Item("你好", "smalltalk"),
]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert math.isnan(percentile([], 50))


def test_measure_judges_first_reply_and_times_each_question() -> None:
    def answer(question: str) -> Reply:
        if "高校" in question:
            return Reply("answer", "北京市拥有92所高校")
        return Reply("fallback", "")

    result = measure("stub", answer, ITEMS, repeats=2)
    assert result.correct == [True, False, True, False]
    assert result.counts() == (2, 4)
    assert result.accuracy("oos") == 1.0
    assert len(result.first_ms) == len(result.again_ms) == len(result.first_cpu_ms) == len(ITEMS)
    assert all(t >= 0 for t in result.first_ms + result.again_ms + result.first_cpu_ms)
