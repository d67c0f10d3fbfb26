"""More of the passage an answer quoted ("还有呢", "原文怎么说", "还有别的成绩吗"), verbatim.

The first "more" after an answer is its passage: every paragraph the answer quoted from, in full
(each sentence in its setting), with the one after its first in the same section; then each
next paragraph in turn (and at the end of the section, those before). "The original" is the
paragraphs the answer quoted from, with those between them. "Other X" is the nearest paragraph
of the section that speaks of X and says something not shown yet. Every quote is a whole
paragraph, under its locator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.engine.normalize import normalize
from bot.engine.reply import Reply
from bot.kb.facts import Fact

if TYPE_CHECKING:
    from bot.engine.engine import Engine

MAX_PARAGRAPHS = 3  # paragraphs in one reply to "more"
MORE_LEAD = "文章接着说："
BEFORE_LEAD = "在这之前，文章说："
ORIGINAL_LEAD = "原文是这样写的："
FULL_AND_NEXT_LEAD = "这一段的原文，和文章接着说的："
NOTHING_MORE = "关于这一点，文章就说了这些。你可以接着问："


def shown_facts(engine: Engine, reply: Reply) -> tuple[str, ...]:
    """Every fact a reply quotes (a quote may join several sentences of a paragraph)."""
    shown: list[str] = []
    for source in reply.sources:
        for fact in _paragraph_facts(engine, source.paragraph_id):
            if fact.id == source.fact_id or fact.text in source.quote:
                shown.append(fact.id)
    return tuple(dict.fromkeys(shown))


def continuation(
    engine: Engine, shown: tuple[str, ...], whole: bool, first: bool = True
) -> tuple[Reply, tuple[str, ...]]:
    """The reply to "more" (or, with `whole`, to "the original") after `shown` facts, the
    first one after the answer or a later one, and the facts shown once it is sent; () when
    there is nothing left to show."""
    facts = [f for f in (_fact(engine, i) for i in shown) if f is not None]
    if not facts:
        return _nothing_more(engine, shown), ()
    main = facts[0].paragraph  # the paragraph the answer quoted first
    quoted = list(dict.fromkeys(f.paragraph for f in facts))  # every one it quoted from
    seen = set(shown)
    unseen = [
        p
        for p in _section_from(engine, main)
        if not {f.id for f in _paragraph_facts(engine, p)} <= seen
    ]
    if whole:
        paragraphs, lead = _spanned(engine, quoted)[:MAX_PARAGRAPHS], ORIGINAL_LEAD
    elif first or unseen[:1] == [main]:
        # the passage: the answer's paragraphs in full, and the one after its first (even when
        # the answer quoted that paragraph whole: "详细说说" asks for it in its setting)
        after = [p for p in unseen if p != main][:1]
        paragraphs = list(dict.fromkeys([main, *after, *quoted]))[:MAX_PARAGRAPHS]
        lead = ORIGINAL_LEAD if main in unseen or len(paragraphs) == 1 else FULL_AND_NEXT_LEAD
    else:  # then one new paragraph at a time
        paragraphs = unseen[:1]
        lead = _lead_for(engine, paragraphs, main)
    if not paragraphs:
        return _nothing_more(engine, shown), ()
    return _quoting(engine, paragraphs, lead, shown)


def others(
    engine: Engine,
    shown: tuple[str, ...],
    words: tuple[str, ...],
    fold: Callable[[str], str],
    whole: bool = False,
) -> tuple[Reply, tuple[str, ...]] | None:
    """The reply to "还有别的X吗" or "原文咋说X的" after `shown` facts: the paragraph of the
    passage that speaks of every one of these (folded) words and says something not shown yet,
    in reading order from the answer's; else the one already shown that speaks of them. With
    `whole` ("the original"), one the answer quoted from comes first. None when the passage
    never speaks of them."""
    facts = [f for f in (_fact(engine, i) for i in shown) if f is not None]
    if not facts or not words:
        return None
    main, seen = facts[0].paragraph, set(shown)
    folded = {
        p: [(f.id, fold(normalize(f.text)).replace(" ", "")) for f in _paragraph_facts(engine, p)]
        for p in _section_from(engine, main)
    }
    speaking = [
        p for p, texts in folded.items() if all(w in "".join(t for _, t in texts) for w in words)
    ]
    fresh = [
        p
        for p in speaking
        if any(i not in seen and any(w in t for w in words) for i, t in folded[p])
    ]
    quoted = [p for p in speaking if p in {f.paragraph for f in facts}]
    paragraphs = ((quoted if whole else []) or fresh or speaking)[:1]
    if not paragraphs:
        return None
    lead = ORIGINAL_LEAD if whole else _lead_for(engine, paragraphs, main)
    return _quoting(engine, paragraphs, lead, shown)


def box_of(engine: Engine, shown: tuple[str, ...]) -> str:
    """The box (相关链接, 数说) the first shown fact stands in, or "" in the running text."""
    fact = _fact(engine, shown[0]) if shown else None
    if fact is None:
        return ""
    try:
        return engine.knowledge.article(fact.article).section(fact.section).box or ""
    except KeyError:
        return ""


def box_credit(engine: Engine, shown: tuple[str, ...]) -> str:
    """The fact of the credit line (综合各媒体报道) of the box the first shown fact stands in,
    or "" when it stands in none or its box has no credit."""
    box = box_of(engine, shown)
    if not box:
        return ""
    article = engine.knowledge.article(engine.knowledge.fact(shown[0]).article)
    for section in article.sections:
        for paragraph in section.extras if section.box == box else ():
            facts = _paragraph_facts(engine, paragraph.id)
            if paragraph.id.endswith(".credit") and facts:
                return facts[0].id
    return ""


def of_the_box(engine: Engine, reply: Reply) -> bool:
    """Does the reply quote what a box says of itself: its title, heading or credit line?"""
    for source in reply.sources:
        article = engine.knowledge.article(source.paragraph_id.split(".")[0])
        try:
            if article.paragraph(source.paragraph_id).label:
                return True
        except KeyError:
            continue
    return False


def section_text(engine: Engine, shown: tuple[str, ...]) -> tuple[str, str]:
    """The text of the paragraphs these facts stand in, and of the section of the first (what
    a request for more may name, and what it may speak of)."""
    facts = [f for f in (_fact(engine, i) for i in shown) if f is not None]
    if not facts:
        return "", ""
    article = engine.knowledge.article(facts[0].article)
    quoted = dict.fromkeys(f.paragraph for f in facts)
    section = _section_ids(engine, facts[0].paragraph)
    return (
        "".join(engine.knowledge.article(p.split(".")[0]).paragraph(p).text for p in quoted),
        "".join(article.paragraph(p).text for p in section),
    )


def _spanned(engine: Engine, quoted: list[str]) -> list[str]:
    """The paragraphs an answer quoted from, with those between them in the first one's section
    (an answer quoting 第3段 and 第1段 stands in the passage of 第1至3段, in reading order),
    then those of other sections."""
    ids = _section_ids(engine, quoted[0])
    at = sorted(ids.index(p) for p in quoted if p in ids)
    if at[-1] - at[0] >= MAX_PARAGRAPHS:
        return quoted
    return list(dict.fromkeys([*ids[at[0] : at[-1] + 1], *quoted]))


def _lead_for(engine: Engine, paragraphs: list[str], main: str) -> str:
    if not paragraphs or paragraphs[0] == main:
        return ORIGINAL_LEAD
    later = _number(engine, paragraphs[0]) > _number(engine, main)
    return MORE_LEAD if later else BEFORE_LEAD


def _quoting(
    engine: Engine, paragraphs: list[str], lead: str, shown: tuple[str, ...]
) -> tuple[Reply, tuple[str, ...]]:
    """These whole paragraphs quoted, each under its locator, and the facts shown after."""
    sources, now_shown = [], list(shown)
    for paragraph_id in paragraphs:
        run = _paragraph_facts(engine, paragraph_id)
        text = engine.knowledge.article(run[0].article).paragraph(paragraph_id).text
        sources.append(replace(engine.source(run[0]), quote=text))
        now_shown += [f.id for f in run]
    keys = tuple(source.fact_id for source in sources)  # (the 原文 and vote buttons' keys)
    reply = Reply(
        "answer",
        lead,
        tuple(sources),
        score=1.0,
        keys=keys,
        related=engine.replies.has_related(keys[0]),
    )
    return reply, tuple(dict.fromkeys(now_shown))


def _nothing_more(engine: Engine, shown: tuple[str, ...]) -> Reply:
    related = [i for i in engine.related(shown[0]) if i.examples] if shown else []
    return Reply(
        "fallback",
        NOTHING_MORE,
        suggestions=tuple(i.examples[0] for i in related),
        suggestion_keys=tuple(i.id for i in related),
    )


def _fact(engine: Engine, fact_id: str) -> Fact | None:
    try:
        return engine.knowledge.fact(fact_id)
    except KeyError:
        return None


def _paragraph_facts(engine: Engine, paragraph_id: str) -> list[Fact]:
    facts = [f for f in engine.knowledge.facts if f.paragraph == paragraph_id]
    return sorted(facts, key=lambda f: f.sentence)


def _number(engine: Engine, paragraph_id: str) -> int:
    return engine.knowledge.article(paragraph_id.split(".")[0]).paragraph(paragraph_id).number


def _section_ids(engine: Engine, paragraph_id: str) -> list[str]:
    """The paragraphs of this one's section, in reading order (a heading: only itself)."""
    article = engine.knowledge.article(paragraph_id.split(".")[0])
    for section in article.sections:
        ids = [p.id for p in section.paragraphs]
        if paragraph_id in ids:
            return ids
    return [paragraph_id]


def _section_from(engine: Engine, paragraph_id: str) -> list[str]:
    """This paragraph, those after it in its section in reading order, then those before it,
    nearest first (at the end of a section, more is what led up to it)."""
    ids = _section_ids(engine, paragraph_id)
    at = ids.index(paragraph_id)
    return ids[at:] + ids[:at][::-1]
