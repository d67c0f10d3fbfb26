"""The article's title block: its meta: mapping and year read, and made quotable as a section."""

from __future__ import annotations

from bot.kb.article import Paragraph, Section
from bot.kb.article_reader import ArticleReader
from bot.kb.yamlsrc import Mapping, line_of

Meta = dict[str, str | list[str]]

_META_LABELS = {
    "banner": "版面",
    "column": "栏目",
    "title": "标题",
    "subtitle": "副标题",
    "byline": "作者",
}


def read_meta(reader: ArticleReader, data: Mapping) -> tuple[Meta, str]:
    """The meta: mapping (a text or a list of texts per key) and the title in it."""
    meta_node = data.get("meta")
    meta: Meta = {}
    if not isinstance(meta_node, Mapping) or "title" not in meta_node:
        reader.error(line_of(data, "meta", 1), "meta: must be a mapping with at least a title")
    else:
        for key, value in meta_node.items():
            line = line_of(meta_node, key)
            if isinstance(value, list):
                meta[key] = [reader.text(v, line, f"meta {key}") for v in value]
            else:
                meta[key] = reader.text(value, line, f"meta {key}")
    title = meta.get("title", "")
    return meta, title if isinstance(title, str) else ""


def read_year(reader: ArticleReader, data: Mapping) -> int | None:
    """The year the article speaks from (what its 今年 means), if it gives one."""
    year = data.get("year")
    if year is not None and not (isinstance(year, int) and 1900 <= year <= 2100):
        reader.error(line_of(data, "year", 1), "year: must be a year such as 2024")
        return None
    return year


def meta_section(article_id: str, meta: Meta) -> Section:
    """The title block as quotable items, so "谁写的" is answered with the byline itself."""
    extras: list[Paragraph] = []
    for key, label in _META_LABELS.items():
        value = meta.get(key)
        if value:
            text = "".join(value) if isinstance(value, list) else value
            if isinstance(value, list):
                text = " ".join(value)
            extras.append(Paragraph(f"{article_id}.meta.{key}", "meta", 0, text, True, label))
    return Section("meta", "", "", None, None, (), tuple(extras))
