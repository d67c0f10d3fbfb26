"""bench/engine/baselines.py: both rankers find the right fact and their thresholds are tuned."""

from __future__ import annotations

import pytest

from bench.engine.baselines import Baseline, BM25Ranker, WRatioRanker, char_bigrams, tune_threshold
from bot.evaluate import Item

FACTS = [
    "北京市拥有92所高校、1000余所科研院所。",
    "Vidu还只能生成8秒的视频。",
    "创新是引领发展的第一动力。",
]
ITEMS = [
    Item("北京有多少所高校？", "answer", ("92",)),
    Item("Vidu能生成几秒的视频", "answer", ("8秒",)),
    Item("今天天气怎么样？", "oos"),
    Item("你好", "smalltalk"),
]


def test_char_bigrams_skip_punctuation_and_fold_width() -> None:
    assert char_bigrams("ＲＶ减速机？") == ["rv", "v减", "减速", "速机"]
    assert char_bigrams("北京，高校") == ["北京", "高校"]


@pytest.mark.parametrize("ranker_class", [WRatioRanker, BM25Ranker])
def test_rankers_find_the_fact_and_thresholds_are_tuned(ranker_class) -> None:
    ranker = ranker_class(FACTS)
    assert ranker.best("北京有多少所高校？")[1] == 0
    assert ranker.best("Vidu能生成几秒的视频")[1] == 1
    threshold, accuracy = tune_threshold(ranker, FACTS, ITEMS)
    baseline = Baseline("b", ranker, FACTS, threshold, accuracy)
    replies = [baseline.ask(item.question) for item in ITEMS]
    assert accuracy == sum(i.judge(r) for i, r in zip(ITEMS, replies, strict=True)) / len(ITEMS)
    assert accuracy <= 3 / 4  # a baseline never makes small talk
    assert all(r.kind in ("answer", "fallback") for r in replies)
    assert all(r.text in FACTS for r in replies if r.kind == "answer")
