"""bench/engine.py works: each piece on a tiny input, then the whole script at a small size.

A correctness smoke test only: no figure of time or memory is asserted.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from bench import engine as bench
from bot.engine.reply import Reply
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


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile(values, 99) == 99.0
    assert bench.percentile([3.0], 99) == 3.0
    assert math.isnan(bench.percentile([], 50))


def test_char_bigrams_skip_punctuation_and_fold_width() -> None:
    assert bench.char_bigrams("ＲＶ减速机？") == ["rv", "v减", "减速", "速机"]
    assert bench.char_bigrams("北京，高校") == ["北京", "高校"]


@pytest.mark.parametrize("ranker_class", [bench.WRatioRanker, bench.BM25Ranker])
def test_rankers_find_the_fact_and_thresholds_are_tuned(ranker_class) -> None:
    ranker = ranker_class(FACTS)
    assert ranker.best("北京有多少所高校？")[1] == 0
    assert ranker.best("Vidu能生成几秒的视频")[1] == 1
    threshold, accuracy = bench.tune_threshold(ranker, FACTS, ITEMS)
    baseline = bench.Baseline("b", ranker, FACTS, threshold, accuracy)
    replies = [baseline.ask(item.question) for item in ITEMS]
    assert accuracy == sum(i.judge(r) for i, r in zip(ITEMS, replies, strict=True)) / len(ITEMS)
    assert accuracy <= 3 / 4  # a baseline never makes small talk
    assert all(r.kind in ("answer", "fallback") for r in replies)
    assert all(r.text in FACTS for r in replies if r.kind == "answer")


def test_measure_judges_first_reply_and_times_each_question() -> None:
    def answer(question: str) -> Reply:
        if "高校" in question:
            return Reply("answer", "北京市拥有92所高校")
        return Reply("fallback", "")

    result = bench.measure("stub", answer, ITEMS, repeats=2)
    assert result.correct == [True, False, True, False]
    assert result.counts() == (2, 4)
    assert result.accuracy("oos") == 1.0
    assert len(result.first_ms) == len(result.again_ms) == len(result.first_cpu_ms) == len(ITEMS)
    assert all(t >= 0 for t in result.first_ms + result.again_ms + result.first_cpu_ms)


def test_a_timed_process_reports_its_cpu_and_may_write_bytecode(monkeypatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    cpu: list[float] = []
    code = "import os, sys; print(sys.dont_write_bytecode, 'PYTHONDONTWRITEBYTECODE' in os.environ)"
    elapsed, printed = bench.time_process([sys.executable, "-c", code], cpu)
    assert printed.split() == ["False", "False"]
    assert elapsed > 0 and len(cpu) == 1 and cpu[0] >= 0


def test_rewrites_keep_length_and_differ_per_copy() -> None:
    first, second = bench.make_rewrites(bench.KNOWLEDGE, 2)
    text = "北京市拥有92所高校，朱军团队发布Vidu。"
    a, b = first(text), second(text)
    assert len(a) == len(b) == len(text)
    assert len({text, a, b}) == 3
    assert "北京" not in a and "朱军" not in a and "92" not in a
    assert first.distinct("创新是第一动力。") != "创新是第一动力。"


def test_synthetic_knowledge_loads_and_answers_about_a_copy(tmp_path: Path) -> None:
    from bot.engine.engine import Engine

    built, rewrites = bench.build_synthetic(tmp_path / "kb", 2)
    engine = Engine.load(tmp_path / "kb")  # valid: load_knowledge checks everything
    assert len(engine.knowledge.articles) == 2
    assert built.facts == len(engine.knowledge.facts)
    assert len({f.text for f in engine.knowledge.facts}) == built.facts  # every fact its own
    (item,) = bench.derived_items([ITEMS[0]], rewrites)
    reply = engine.ask(item.question)
    assert item.judge(reply), reply.text


def test_whole_script_runs_small(tmp_path: Path, capsys) -> None:
    sets = tmp_path / "tiny.yaml"
    sets.write_text(
        '- {q: "北京有多少所高校？", expect: ["92"], tag: para}\n'
        '- {q: "上海有多少所高校？", oos: true, tag: near}\n'
        '- {q: "你好", smalltalk: true, tag: small}\n',
        encoding="utf-8",
    )
    argv = ["--quick", "--sets", str(sets), "--factor", "2", "--cold-runs", "1"]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    assert "== 1. Accuracy and latency: 3 questions" in out
    assert "accuracy ratio engine / WRatio" in out
    assert "python -c pass" in out
    assert "2x" in out and "1x (real)" in out
