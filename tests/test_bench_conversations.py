"""bench/conversations.py runs and prints its side-by-side table (figures are not asserted)."""

from __future__ import annotations

from bench.conversations import main
from tests.conftest import KNOWLEDGE


def test_the_benchmark_prints_context_beside_alone(capsys) -> None:
    assert main(["--sets", str(KNOWLEDGE / "eval" / "conv_dev1.yaml"), "--rounds", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("conversations of 1 files")
    assert out[1].split() == ["turn", "tag", "turns", "with", "context", "asked", "alone"]
    rows = {line.split()[0]: line.split()[1:] for line in out[2:-1]}
    assert set(rows) == {"standalone", "pronoun", "ellipsis", "more", "oos", "all"}
    assert out[-1].startswith("CPU per turn: ") and "with context" in out[-1]
