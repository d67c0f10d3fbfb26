"""python -m bench.engine works end to end at a small size (bench/engine/cli.py and its parts).

A correctness smoke test only: no figure of time or memory is asserted; the pieces have their
own tests in tests/test_bench_engine_*.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.engine.cli import main
from bench.engine.config import ROOT


def test_whole_script_runs_small(tmp_path: Path, capsys) -> None:
    sets = tmp_path / "tiny.yaml"
    sets.write_text(
        '- {q: "北京有多少所高校？", expect: ["92"], tag: para}\n'
        '- {q: "上海有多少所高校？", oos: true, tag: near}\n'
        '- {q: "你好", smalltalk: true, tag: small}\n',
        encoding="utf-8",
    )
    argv = ["--quick", "--sets", str(sets), "--factor", "2", "--cold-runs", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "== 1. Accuracy and latency: 3 questions" in out
    assert "accuracy ratio engine / WRatio" in out
    assert "python -c pass" in out
    assert "2x" in out and "1x (real)" in out


def test_the_module_runs_with_its_own_usage() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.engine", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("usage: python -m bench.engine")
    assert "How good and how fast the question-answering engine is" in done.stdout
