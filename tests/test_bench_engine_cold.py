"""bench/engine/cold.py: a timed process reports its CPU time and may write bytecode caches."""

from __future__ import annotations

import sys

from bench.engine.cold import time_process


def test_a_timed_process_reports_its_cpu_and_may_write_bytecode(monkeypatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    cpu: list[float] = []
    code = "import os, sys; print(sys.dont_write_bytecode, 'PYTHONDONTWRITEBYTECODE' in os.environ)"
    elapsed, printed = time_process([sys.executable, "-c", code], cpu)
    assert printed.split() == ["False", "False"]
    assert elapsed > 0 and len(cpu) == 1 and cpu[0] >= 0
