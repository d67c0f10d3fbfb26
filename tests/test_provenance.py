"""`factbot check` proves the cleaned article is its raw text: every quote verbatim, every raw
character used once. Broken copies of the knowledge, checked by the CLI as a user runs it."""

from __future__ import annotations

from pathlib import Path

from bot.kb.article_load import load_article
from bot.kb.provenance import check_article
from tests.conftest import KNOWLEDGE, run_cli

RAW_92 = "北京市拥有92所高校、1000余所科研院所，"


def _edit(path: Path, old: str, new: str) -> int:
    """Replace `old` once; returns the line it stands on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _line(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def test_the_shipped_article_is_its_raw_text() -> None:
    article = load_article(KNOWLEDGE / "sources" / "bj" / "article.yaml")
    assert check_article(article) == []


def test_an_edited_figure_is_refused_by_check_and_never_quoted(knowledge_copy: Path) -> None:
    article = knowledge_copy / "sources" / "bj" / "article.yaml"
    raw = knowledge_copy / "sources" / "bj" / "raw.txt"
    line = _edit(article, RAW_92, RAW_92.replace("92", "95"))
    run_cli("--knowledge", str(knowledge_copy), "build")  # facts.yaml now quotes the 95

    checked = run_cli("--knowledge", str(knowledge_copy), "check")
    assert checked.returncode == 1
    assert (
        f"{article}:{line}: not verbatim: this says “北京市拥有95所高校、10” where "
        f"{raw}:{_line(raw, RAW_92)} says “北京市拥有92所高校、10”"
    ) in checked.stderr
    assert "in the raw text but not in the cleaned article" not in checked.stderr

    asked = run_cli("--knowledge", str(knowledge_copy), "ask", "北京有多少所高校？")
    assert asked.returncode == 1 and "95" not in asked.stdout
    assert "not verbatim" in asked.stderr


def test_raw_text_left_out_is_reported_at_its_raw_line(knowledge_copy: Path) -> None:
    article = knowledge_copy / "sources" / "bj" / "article.yaml"
    raw = knowledge_copy / "sources" / "bj" / "raw.txt"
    sentence = "千年古都，处处跃动着竞逐新质生产力的蓬勃朝气。"
    _edit(article, sentence, "")
    run_cli("--knowledge", str(knowledge_copy), "build")
    checked = run_cli("--knowledge", str(knowledge_copy), "check")
    assert checked.returncode == 1
    assert (
        f"{raw}:{_line(raw, sentence)}: “{sentence}” is in the raw text but not in the cleaned "
        "article"
    ) in checked.stderr


def test_a_piece_used_twice_is_reported(knowledge_copy: Path) -> None:
    article = knowledge_copy / "sources" / "bj" / "article.yaml"
    quoted = f'      - "{RAW_92}'
    text = article.read_text(encoding="utf-8")
    start = text.index(quoted.strip())
    end = text.index("\n", start)
    paragraph = text[start:end]
    line = _edit(article, paragraph, f"{paragraph}\n          - {paragraph.lstrip('- ')}")
    checked = run_cli("--knowledge", str(knowledge_copy), "check")
    assert checked.returncode == 1
    assert f"{article}:{line + 1}: “{RAW_92}" in checked.stderr
    assert "is used twice" in checked.stderr
