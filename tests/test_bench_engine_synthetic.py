"""bench/engine/synthetic.py: a synthetic knowledge base loads, and answers about its copy."""

from __future__ import annotations

from pathlib import Path

from bench.engine.rewrite import derived_items
from bench.engine.synthetic import build_synthetic
from bot.evaluate import Item


def test_synthetic_knowledge_loads_and_answers_about_a_copy(tmp_path: Path) -> None:
    from bot.engine.engine import Engine

    built, rewrites = build_synthetic(tmp_path / "kb", 2)
    engine = Engine.load(tmp_path / "kb")  # valid: load_knowledge checks everything
    assert len(engine.knowledge.articles) == 2
    assert built.facts == len(engine.knowledge.facts)
    assert len({f.text for f in engine.knowledge.facts}) == built.facts  # every fact its own
    (item,) = derived_items([Item("北京有多少所高校？", "answer", ("92",))], rewrites)
    reply = engine.ask(item.question)
    assert item.judge(reply), reply.text
