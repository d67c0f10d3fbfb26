"""Kind words (language.yaml `kinds:`): a question asking for an event or a document is
covered by a sentence naming one, and the list is checked like the rest of knowledge/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.store import load_language


@pytest.mark.parametrize(
    "question", ["北脑二号是在哪个活动上发布的", "北脑二号是在哪个event上release的"]
)
def test_an_event_asked_for_is_given_by_the_event_named(engine, question: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer"
    assert "2024中关村论坛年会开幕式上" in reply.text  # (the quote names the event)


def test_a_document_asked_for_is_given_by_the_document_named(engine) -> None:
    reply = engine.ask("文章提到6G了吗？是哪个policy文件里说的")
    assert reply.kind == "answer"
    assert "《推动未来产业创新发展的实施意见》" in reply.text


def test_an_event_the_article_does_not_name_is_still_declined(engine) -> None:
    assert engine.ask("上海车展是在哪个活动上开幕的").kind != "answer"


@pytest.mark.parametrize(
    ("kinds", "line", "problem"),
    [
        ("kinds:\n  meeting: [会议]\n", 4, "kinds: unknown type 'meeting'"),
        ("kinds:\n  event: 会议\n", 4, "kinds 'event': must be a list of words"),
        ("kinds:\n  event: [会议]\n  document: [会议]\n", 5, "'会议' is a word for 'event' and"),
    ],
)
def test_a_bad_kinds_list_is_an_error_at_its_line(
    tmp_path: Path, kinds: str, line: int, problem: str
) -> None:
    path = tmp_path / "language.yaml"
    path.write_text("stopwords: [的]\nframe_words: [数量]\n" + kinds, encoding="utf-8")
    _language, errors = load_language(path)
    [error] = [str(e) for e in errors if "kinds" in e.message]
    assert error.startswith(f"{path}:{line}: ") and problem in error
