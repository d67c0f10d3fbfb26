"""Scoring a question set (evaluate.py): a claim's item may require the verdict its reply gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluate import evaluate, load_items
from bot.kb.yamlsrc import KnowledgeInvalid


def test_a_claim_must_get_its_verdict(engine, tmp_path: Path) -> None:
    questions = tmp_path / "claims.yaml"
    questions.write_text(
        '- {q: "北京的高校有一百所吧", expect: ["92"], verdict: "no", tag: claim}\n'
        '- {q: "北京的高校有一百所吧", expect: ["92"], verdict: "yes", tag: claim}\n'
        '- {q: "北京有多少所高校？", expect: ["92"], tag: para}\n'
        '- {q: "Vidu是生数科技发布的吧？", oos: true, verdict: "unstated", tag: near}\n',
        encoding="utf-8",
    )
    report = evaluate(engine, load_items(questions))
    assert (report.passed, report.total) == (3, 4)
    [(item, reply)] = report.failures
    assert item.verdict == "yes" and reply.verdict == "no"
    assert "with verdict yes" in item.expected()


def test_an_unknown_verdict_is_an_error_at_its_line(tmp_path: Path) -> None:
    questions = tmp_path / "bad.yaml"
    questions.write_text(
        '- {q: "北京有多少所高校？", expect: ["92"]}\n'
        '- {q: "北京的高校有一百所吧", expect: ["92"], verdict: "maybe"}\n',
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeInvalid) as raised:
        load_items(questions)
    assert ":2:" in str(raised.value) and "verdict" in str(raised.value)


def test_an_unstated_claim_may_expect_what_the_article_does_say(engine, tmp_path: Path) -> None:
    questions = tmp_path / "unstated.yaml"
    questions.write_text(
        '- {q: "Vidu是生数科技发布的吧？", expect: ["一家科技企业"], verdict: "unstated"}\n'
        '- {q: "Vidu是生数科技发布的吧？", expect: ["生数科技"], verdict: "unstated"}\n'
        '- {q: "Vidu是生数科技发布的吧？", expect: ["一家科技企业"], verdict: "no"}\n',
        encoding="utf-8",
    )
    report = evaluate(engine, load_items(questions))
    assert (report.passed, report.total) == (1, 3)  # the quote shown, and that verdict only
