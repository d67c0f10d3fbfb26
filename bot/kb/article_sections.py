"""The article's sections: ids checked, headings and paragraphs read, numbered for locators."""

from __future__ import annotations

from bot.kb.article import Paragraph, Section
from bot.kb.article_reader import SHORT_ID, ArticleReader
from bot.kb.yamlsrc import Mapping, line_of


def short_name(heading: str) -> str:
    """The first part of a two-part heading ("1个月实现自主研发新突破 瞄准…" -> the first part)."""
    return heading.split()[0].rstrip("：:") if heading.split() else heading


def heading_extras(
    article_id: str, section_id: str, heading: str, credit: str | None
) -> tuple[Paragraph, ...]:
    """A section's heading and credit line: quotable, though neither is a 第N段."""
    extras = [Paragraph(f"{article_id}.{section_id}.heading", section_id, 0, heading, True, "标题")]
    if credit:
        extras.append(
            Paragraph(f"{article_id}.{section_id}.credit", section_id, 0, credit, True, "来源说明")
        )
    return tuple(extras)


def section_id(reader: ArticleReader, node: Mapping, seen: set[str]) -> str | None:
    """The node's id if it is a valid one not seen before in this article (then it is seen)."""
    found = node.get("id")
    if not isinstance(found, str) or not SHORT_ID.match(found):
        reader.error(line_of(node, "id"), "section id must be a short lowercase name such as s1")
        return None
    if found in seen:
        reader.error(line_of(node, "id"), f"duplicate section id {found}", "ids must be unique")
        return None
    seen.add(found)
    return found


def read_sections(
    reader: ArticleReader, data: Mapping, article_id: str, seen: set[str]
) -> list[Section]:
    """Every section of `sections:`, in reading order; a broken one is reported and left out."""
    sections: list[Section] = []
    nodes = data.get("sections")
    if not isinstance(nodes, list) or not nodes:
        reader.error(line_of(data, "sections", 1), "sections: must be a non-empty list")
        nodes = []
    for index, node in enumerate(nodes):
        line = line_of(nodes, index)
        if not isinstance(node, Mapping):
            reader.error(line, "each section must be a mapping with id, heading and paragraphs")
            continue
        section = read_section(reader, node, article_id, seen)
        if section:
            sections.append(section)
    return sections


def read_section(
    reader: ArticleReader, node: Mapping, article_id: str, seen: set[str]
) -> Section | None:
    """One section: its box, heading, optional subheading, paragraphs and credit."""
    found_id = section_id(reader, node, seen)
    box = node.get("box")
    if box is not None and box in reader.boxes:
        pass  # the parts of one box repeat its name: the page prints it once
    elif box is not None:
        box = reader.text(box, line_of(node, "box"), "box")
        reader.boxes.add(box)
    heading = reader.text(node.get("heading"), line_of(node, "heading"), "heading")
    subheading = None
    if "subheading" in node:
        subheading = reader.text(node["subheading"], line_of(node, "subheading"), "subheading")
    paragraphs_node = node.get("paragraphs")
    if not isinstance(paragraphs_node, list) or not paragraphs_node:
        reader.error(line_of(node, "paragraphs"), "paragraphs: must be a non-empty list")
        paragraphs_node = []
    texts = [
        reader.paragraph_text(value, line_of(paragraphs_node, i))
        for i, value in enumerate(paragraphs_node)
    ]
    credit = None
    if "credit" in node:
        credit = reader.text(node["credit"], line_of(node, "credit"), "credit")
    if found_id is None:
        return None
    paragraphs = tuple(
        Paragraph(f"{article_id}.{found_id}.p{n}", found_id, n, text)
        for n, text in enumerate(texts, start=1)
    )
    extras = heading_extras(article_id, found_id, heading, credit)
    if subheading:
        extras += (
            Paragraph(f"{article_id}.{found_id}.subheading", found_id, 0, subheading, True, "副题"),
        )
    return Section(found_id, heading, short_name(heading), box, None, paragraphs, extras)
