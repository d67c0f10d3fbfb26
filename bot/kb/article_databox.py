"""The data box (数说): groups of numbered items, one section each, with the box's own title."""

from __future__ import annotations

from bot.kb.article import Paragraph, Section
from bot.kb.article_reader import ArticleReader
from bot.kb.article_sections import heading_extras, section_id, short_name
from bot.kb.yamlsrc import Mapping, line_of


def read_databox(
    reader: ArticleReader, box: object, article_id: str, seen: set[str]
) -> list[Section]:
    """The box's groups as sections; the first also carries the box's title and credit."""
    if not isinstance(box, Mapping):
        reader.error(getattr(box, "line", 0), "databox: must be a mapping")
        return []
    name = reader.text(box.get("box"), line_of(box, "box"), "databox box")
    box_heading = reader.text(box.get("heading"), line_of(box, "heading"), "databox heading")
    scope = box.get("scope")
    if scope is not None:
        scope = reader.text(scope, line_of(box, "scope"), "databox scope")
    sections: list[Section] = []
    groups = box.get("groups")
    if not isinstance(groups, list) or not groups:
        reader.error(line_of(box, "groups"), "databox groups: must be a non-empty list")
        groups = []
    for index, group in enumerate(groups):
        if not isinstance(group, Mapping):
            reader.error(line_of(groups, index), "each group needs id, heading and items")
            continue
        section = _read_group(reader, group, article_id, seen, (name, scope))
        if section:
            sections.append(section)
    credit = None
    if "credit" in box:
        credit = reader.text(box["credit"], line_of(box, "credit"), "databox credit")
    if sections:  # the box's own title and credit belong to the box as a whole
        sections[0] = _with_box_title(sections[0], article_id, f"{name} {box_heading}", credit)
    return sections


def _read_group(
    reader: ArticleReader,
    group: Mapping,
    article_id: str,
    seen: set[str],
    place: tuple[str, str | None],
) -> Section | None:
    """One group: its heading and items (第N项), in the box `place` names (box, scope)."""
    found_id = section_id(reader, group, seen)
    heading = reader.text(group.get("heading"), line_of(group, "heading"), "group heading")
    items = group.get("items")
    if not isinstance(items, list) or not items:
        reader.error(line_of(group, "items"), "items: must be a non-empty list")
        items = []
    texts = [reader.text(v, line_of(items, i), "an item") for i, v in enumerate(items)]
    if found_id is None:
        return None
    paragraphs = tuple(
        Paragraph(f"{article_id}.{found_id}.i{n}", found_id, n, text, is_item=True)
        for n, text in enumerate(texts, start=1)
    )
    extras = heading_extras(article_id, found_id, heading, None)
    name, scope = place
    return Section(found_id, heading, short_name(heading), name, scope, paragraphs, extras)


def _with_box_title(first: Section, article_id: str, title: str, credit: str | None) -> Section:
    """The box's first section with the title and credit of the whole box among its extras."""
    prefix = f"{article_id}.{first.id}"
    own = [Paragraph(f"{prefix}.box", first.id, 0, title, True, "标题", True)]
    if credit:
        own.append(Paragraph(f"{prefix}.credit", first.id, 0, credit, True, "来源说明", True))
    return Section(
        first.id,
        first.heading,
        first.name,
        first.box,
        first.scope,
        first.paragraphs,
        first.extras + tuple(own),
    )
