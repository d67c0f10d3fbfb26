"""The cleaned article: metadata, sections in reading order, numbered paragraphs, the data box.

Every string here is verbatim from the article's raw text; this module only gives it structure
and a human locator (section, paragraph) for each piece that a quote can come from. Reading one
from article.yaml is bot.kb.article_load's job (with article_meta, article_sections and
article_databox, one part of the file each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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
