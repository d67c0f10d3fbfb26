"""bench/engine/rewrite.py: each copy gets its own names and figures, of the same length."""

from __future__ import annotations

from bench.engine.config import KNOWLEDGE
from bench.engine.rewrite import make_rewrites


def test_rewrites_keep_length_and_differ_per_copy() -> None:
    first, second = make_rewrites(KNOWLEDGE, 2)
    text = "北京市拥有92所高校，朱军团队发布Vidu。"
    a, b = first(text), second(text)
    assert len(a) == len(b) == len(text)
    assert len({text, a, b}) == 3
    assert "北京" not in a and "朱军" not in a and "92" not in a
    assert first.distinct("创新是第一动力。") != "创新是第一动力。"
