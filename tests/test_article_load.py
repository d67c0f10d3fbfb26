"""Reading article.yaml (bot/kb/article_load.py and the article_* modules it reads each part with):
what a reader is told a quote's place is, and what a curator is told about a broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.article_load import article_from_plain_text, load_article
from bot.kb.yamlsrc import KnowledgeInvalid

ARTICLE = """\
id: mini
year: 2024
meta:
  title: 小标题
  byline: 记者 甲
sections:
  - id: s1
    heading: 第一节 更多说明
    paragraphs:
      - 第一段。
      - join: [第二, {dropped: "（转版）"}, 段。]
databox:
  box: 数说
  heading: 北京创新
  scope: 截至2023年底
  groups:
    - id: g1
      heading: 高校
      items: [92所高校]
  credit: 资料来源：某处
"""


def _write(folder: Path, text: str) -> Path:
    (folder / "raw.txt").write_text("原文\n", encoding="utf-8")
    path = folder / "article.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _errors(path: Path) -> list[str]:
    with pytest.raises(KnowledgeInvalid) as caught:
        load_article(path)
    return [str(error) for error in caught.value.errors]


def test_every_part_gets_its_place_in_the_reader_terms(tmp_path: Path) -> None:
    article = load_article(_write(tmp_path, ARTICLE))
    places = {p.text: article.locator(p) for p in article.paragraphs()}
    assert places == {
        "第一段。": "《小标题》· 第一节 · 第1段",
        "第二段。": "《小标题》· 第一节 · 第2段",
        "92所高校": "《小标题》· 数说 · 高校（截至2023年底） · 第1项",
        "第一节 更多说明": "《小标题》· 第一节 · 标题",
        "高校": "《小标题》· 数说 · 高校（截至2023年底） · 标题",
        "数说 北京创新": "《小标题》· 数说 · 标题",
        "资料来源：某处": "《小标题》· 数说 · 来源说明",
        "小标题": "《小标题》· 标题",
        "记者 甲": "《小标题》· 作者",
    }
    assert article.year == 2024 and article.byline == "记者 甲"
    assert [f.text for f in article.fragments if f.dropped] == ["（转版）"]


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        ("  - id: s1\n", "  - id: S 1\n", "section id must be a short lowercase name"),
        ("    - id: g1\n", "    - id: s1\n", "duplicate section id s1 (ids must be unique)"),
        ('{dropped: "（转版）"}', '{dropped: ""}', "dropped: needs the raw text that is left out"),
        ("      items: [92所高校]\n", "      items: []\n", "items: must be a non-empty list"),
        ("year: 2024\n", "year: 1066\n", "year: must be a year such as 2024"),
        ("  box: 数说\n", "  box: ''\n", "databox box must be non-empty text"),
    ],
)
def test_a_broken_part_is_reported_at_its_line(
    tmp_path: Path, before: str, after: str, message: str
) -> None:
    text = ARTICLE.replace(before, after)
    assert text != ARTICLE
    line = ARTICLE[: ARTICLE.index(before)].count("\n") + 1
    path = _write(tmp_path, text)
    assert any(e.startswith(f"{path}:{line}: {message}") for e in _errors(path)), _errors(path)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = ARTICLE.replace("id: mini", "id: Mini").replace("      - 第一段。\n", "      - ''\n")
    errors = _errors(_write(tmp_path, text))
    assert len(errors) == 2
    assert "id must be a short lowercase name such as bj" in errors[0]
    assert "a paragraph must be non-empty text" in errors[1]


def test_plain_text_is_a_title_and_one_section_of_paragraphs(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text("标题\n\n  第一段。\n第二段。\n", encoding="utf-8")
    article = article_from_plain_text(raw, "plain")
    assert article.title == "标题"
    body = article.sections[0].paragraphs
    assert [(p.id, p.text) for p in body] == [
        ("plain.body.p1", "第一段。"),
        ("plain.body.p2", "第二段。"),
    ]
    assert article.locator(body[1]) == "《标题》· 正文 · 第2段"
