"""bench/unanswered.py prints both files' cost side by side (figures are not asserted)."""

from __future__ import annotations

from bench.unanswered import main


def test_the_benchmark_prints_without_and_with_the_asker(capsys) -> None:
    assert main(["--rows", "200"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("200 unanswered questions")
    assert out[1].startswith("without the asker") and out[2].startswith("with its keyed hash")
    assert out[3].startswith("the hash costs +")  # a hash and an index entry: more bytes
