"""The cleaned article: metadata, sections in reading order, numbered paragraphs, the data box.

Every string here is verbatim from the article's raw text; this module only gives it structure
and a human locator (section, paragraph) for each piece that a quote can come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.kb.yamlsrc import (
    KnowledgeError,
    KnowledgeInvalid,
    Mapping,
    display_path,
    line_of,
    load_yaml,
)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph (or data-box item): what a quote is taken from."""

    id: str  # e.g. "bj.s1.p4"
    section_id: str
    number: int  # 1-based within its section: 第N段 / 第N项
    text: str
    is_item: bool = False  # a data-box item rather than a running paragraph
    label: str = ""  # what it is when it is not body text: 标题, 作者, 栏目, 来源说明...
    of_box: bool = False  # the title or credit of a whole box (数说), not of one section


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    name: str  # short form for locators: the heading's first part
    box: str | None = None  # the sidebar/box it stands in (相关链接, 数说), if any
    scope: str | None = None  # e.g. 截至2023年底 for the data box
    paragraphs: tuple[Paragraph, ...] = ()
    extras: tuple[Paragraph, ...] = ()  # its heading and credit line, quotable but not 第N段


@dataclass(frozen=True)
class Fragment:
    """One verbatim piece of the raw text as used in the cleaned article (or dropped from it)."""

    text: str
    dropped: bool = False
    line: int = 0  # where it stands in article.yaml


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    meta: dict[str, str | list[str]]
    sections: tuple[Section, ...]
    raw_path: Path
    source_path: Path
    fragments: tuple[Fragment, ...] = field(default=(), repr=False)
    year: int | None = None  # the year it speaks from: what its 今年 and 去年 mean

    @property
    def byline(self) -> str:
        value = self.meta.get("byline", "")
        return value if isinstance(value, str) else ""

    def paragraphs(self) -> list[Paragraph]:
        """Body paragraphs and items in reading order, then headings, credits and metadata."""
        body = [p for s in self.sections for p in s.paragraphs]
        return body + [p for s in self.sections for p in s.extras]

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def paragraph(self, paragraph_id: str) -> Paragraph:
        for paragraph in self.paragraphs():
            if paragraph.id == paragraph_id:
                return paragraph
        raise KeyError(paragraph_id)

    def locator(self, paragraph: Paragraph) -> str:
        """`《title》· section · 第N段`: where a quote stands, in the reader's terms."""
        section = self.section(paragraph.section_id)
        if section.id == "meta":
            return f"《{self.title}》· {paragraph.label}"
        place = section.name
        if section.box and section.box != section.name:
            place = f"{section.box} · {place}"
        if section.scope:
            place = f"{place}（{section.scope}）"
        if paragraph.of_box and section.box:
            return f"《{self.title}》· {section.box} · {paragraph.label}"
        if paragraph.label:
            return f"《{self.title}》· {place} · {paragraph.label}"
        unit = "项" if paragraph.is_item else "段"
        return f"《{self.title}》· {place} · 第{paragraph.number}{unit}"


_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def short_name(heading: str) -> str:
    """The first part of a two-part heading ("1个月实现自主研发新突破 瞄准…" -> the first part)."""
    return heading.split()[0].rstrip("：:") if heading.split() else heading


class _Reader:
    """Collects errors while reading one cleaned-article file, instead of stopping at the first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = display_path(path)
        self.errors: list[KnowledgeError] = []
        self.fragments: list[Fragment] = []
        self.boxes: set[str] = set()

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.errors.append(KnowledgeError(self.shown, line, message, hint))

    def text(self, value: object, line: int, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.error(line, f"{what} must be non-empty text", "write it as a quoted string")
            return ""
        self.fragments.append(Fragment(value, line=line))
        return value

    def paragraph_text(self, value: object, line: int) -> str:
        """A paragraph is a string, or {join: [pieces]} where a piece may be {dropped: text}."""
        if isinstance(value, str):
            return self.text(value, line, "a paragraph")
        if (
            isinstance(value, Mapping)
            and set(value) == {"join"}
            and isinstance(value["join"], list)
        ):
            pieces: list[str] = []
            for index, piece in enumerate(value["join"]):
                piece_line = line_of(value["join"], index, line)
                if isinstance(piece, Mapping) and set(piece) == {"dropped"}:
                    if isinstance(piece["dropped"], str) and piece["dropped"]:
                        self.fragments.append(
                            Fragment(piece["dropped"], dropped=True, line=piece_line)
                        )
                    else:
                        self.error(piece_line, "dropped: needs the raw text that is left out")
                else:
                    pieces.append(self.text(piece, piece_line, "a joined piece"))
            if not pieces:
                self.error(line, "join: needs at least one piece of text")
            return "".join(pieces)
        self.error(line, "a paragraph must be text or a `join:` list", "see the header comment")
        return ""


def load_article(path: Path) -> Article:
    """Read a cleaned article (article.yaml), reporting every structural problem with its line."""
    data = load_yaml(path)
    reader = _Reader(path)
    if not isinstance(data, Mapping):
        raise KnowledgeInvalid([KnowledgeError(reader.shown, 1, "expected a mapping at the top")])
    article_id = data.get("id")
    if not isinstance(article_id, str) or not _ID.match(article_id):
        reader.error(line_of(data, "id", 1), "id must be a short lowercase name such as bj")
        article_id = "article"
    raw_name = data.get("raw", "raw.txt")
    raw_path = path.parent / str(raw_name)
    if not raw_path.is_file():
        reader.error(line_of(data, "raw", 1), f"raw text {raw_name} not found beside this file")

    meta_node = data.get("meta")
    meta: dict[str, str | list[str]] = {}
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
    title = title if isinstance(title, str) else ""
    year = data.get("year")
    if year is not None and not (isinstance(year, int) and 1900 <= year <= 2100):
        reader.error(line_of(data, "year", 1), "year: must be a year such as 2024")
        year = None

    sections: list[Section] = []
    seen: set[str] = set()
    nodes = data.get("sections")
    if not isinstance(nodes, list) or not nodes:
        reader.error(line_of(data, "sections", 1), "sections: must be a non-empty list")
        nodes = []
    for index, node in enumerate(nodes):
        line = line_of(nodes, index)
        if not isinstance(node, Mapping):
            reader.error(line, "each section must be a mapping with id, heading and paragraphs")
            continue
        section = _read_section(reader, node, article_id, seen)
        if section:
            sections.append(section)
    box = data.get("databox")
    if box is not None:
        sections.extend(_read_databox(reader, box, article_id, seen))
    sections.append(_meta_section(article_id, meta))
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


_META_LABELS = {
    "banner": "版面",
    "column": "栏目",
    "title": "标题",
    "subtitle": "副标题",
    "byline": "作者",
}


def _meta_section(article_id: str, meta: dict[str, str | list[str]]) -> Section:
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


def _extras(
    article_id: str, section_id: str, heading: str, credit: str | None
) -> tuple[Paragraph, ...]:
    extras = [Paragraph(f"{article_id}.{section_id}.heading", section_id, 0, heading, True, "标题")]
    if credit:
        extras.append(
            Paragraph(f"{article_id}.{section_id}.credit", section_id, 0, credit, True, "来源说明")
        )
    return tuple(extras)


def _section_id(reader: _Reader, node: Mapping, seen: set[str]) -> str | None:
    section_id = node.get("id")
    if not isinstance(section_id, str) or not _ID.match(section_id):
        reader.error(line_of(node, "id"), "section id must be a short lowercase name such as s1")
        return None
    if section_id in seen:
        reader.error(
            line_of(node, "id"), f"duplicate section id {section_id}", "ids must be unique"
        )
        return None
    seen.add(section_id)
    return section_id


def _read_section(
    reader: _Reader, node: Mapping, article_id: str, seen: set[str]
) -> Section | None:
    section_id = _section_id(reader, node, seen)
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
    if section_id is None:
        return None
    paragraphs = tuple(
        Paragraph(f"{article_id}.{section_id}.p{n}", section_id, n, text)
        for n, text in enumerate(texts, start=1)
    )
    extras = _extras(article_id, section_id, heading, credit)
    if subheading:
        extras += (
            Paragraph(
                f"{article_id}.{section_id}.subheading", section_id, 0, subheading, True, "副题"
            ),
        )
    return Section(section_id, heading, short_name(heading), box, None, paragraphs, extras)


def _read_databox(reader: _Reader, box: object, article_id: str, seen: set[str]) -> list[Section]:
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
        section_id = _section_id(reader, group, seen)
        heading = reader.text(group.get("heading"), line_of(group, "heading"), "group heading")
        items = group.get("items")
        if not isinstance(items, list) or not items:
            reader.error(line_of(group, "items"), "items: must be a non-empty list")
            items = []
        texts = [reader.text(v, line_of(items, i), "an item") for i, v in enumerate(items)]
        if section_id is None:
            continue
        paragraphs = tuple(
            Paragraph(f"{article_id}.{section_id}.i{n}", section_id, n, text, is_item=True)
            for n, text in enumerate(texts, start=1)
        )
        extras = _extras(article_id, section_id, heading, None)
        sections.append(
            Section(section_id, heading, short_name(heading), name, scope, paragraphs, extras)
        )
    credit = None
    if "credit" in box:
        credit = reader.text(box["credit"], line_of(box, "credit"), "databox credit")
    if sections:  # the box's own title and credit belong to the box as a whole
        first = sections[0]
        own = (
            Paragraph(
                f"{article_id}.{first.id}.box",
                first.id,
                0,
                f"{name} {box_heading}",
                True,
                "标题",
                True,
            ),
            *(
                [
                    Paragraph(
                        f"{article_id}.{first.id}.credit",
                        first.id,
                        0,
                        credit,
                        True,
                        "来源说明",
                        True,
                    )
                ]
                if credit
                else []
            ),
        )
        sections[0] = Section(
            first.id,
            first.heading,
            first.name,
            first.box,
            first.scope,
            first.paragraphs,
            first.extras + own,
        )
    return sections


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
