"""Reading an article: a cleaned article.yaml part by part, or plain text with no curation.

load_article reports every structural problem of the file at once, with its line, as the
loader of all knowledge does (bot.kb.store).
"""

from __future__ import annotations

from pathlib import Path

from bot.kb.article import Article, Fragment, Paragraph, Section
from bot.kb.article_databox import read_databox
from bot.kb.article_meta import meta_section, read_meta, read_year
from bot.kb.article_reader import SHORT_ID, ArticleReader
from bot.kb.article_sections import read_sections
from bot.kb.yamlsrc import (
    KnowledgeError,
    KnowledgeInvalid,
    Mapping,
    display_path,
    line_of,
    load_yaml,
)


def load_article(path: Path) -> Article:
    """Read a cleaned article (article.yaml), reporting every structural problem with its line."""
    data = load_yaml(path)
    reader = ArticleReader(path)
    if not isinstance(data, Mapping):
        raise KnowledgeInvalid([KnowledgeError(reader.shown, 1, "expected a mapping at the top")])
    article_id = data.get("id")
    if not isinstance(article_id, str) or not SHORT_ID.match(article_id):
        reader.error(line_of(data, "id", 1), "id must be a short lowercase name such as bj")
        article_id = "article"
    raw_name = data.get("raw", "raw.txt")
    raw_path = path.parent / str(raw_name)
    if not raw_path.is_file():
        reader.error(line_of(data, "raw", 1), f"raw text {raw_name} not found beside this file")
    meta, title = read_meta(reader, data)
    year = read_year(reader, data)
    seen: set[str] = set()
    sections = read_sections(reader, data, article_id, seen)
    box = data.get("databox")
    if box is not None:
        sections.extend(read_databox(reader, box, article_id, seen))
    sections.append(meta_section(article_id, meta))
    if reader.errors:
        raise KnowledgeInvalid(reader.errors)
    return Article(
        id=article_id,
        title=title,
        meta=meta,
        sections=tuple(sections),
        raw_path=raw_path,
        source_path=path,
        fragments=tuple(reader.fragments),
        year=year,
    )


def article_from_plain_text(raw_path: Path, article_id: str) -> Article:
    """Structure a plain-text article dropped into knowledge/sources/ with no cleaned version.

    The first non-empty line is the title; the other lines are paragraphs of one section. This
    lets a second article be answered from by fact retrieval alone, with no curation first.
    """
    lines = [line.strip() for line in raw_path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise KnowledgeInvalid([KnowledgeError(display_path(raw_path), 1, "the article is empty")])
    title, body = lines[0], lines[1:] or lines[:1]
    paragraphs = tuple(
        Paragraph(f"{article_id}.body.p{n}", "body", n, text) for n, text in enumerate(body, 1)
    )
    section = Section("body", "正文", "正文", None, None, paragraphs)
    fragments = tuple(Fragment(text) for text in lines)
    return Article(article_id, title, {"title": title}, (section,), raw_path, raw_path, fragments)
