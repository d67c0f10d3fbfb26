"""More of the passage an answer quoted ("还有呢", "原文怎么说"), always verbatim.

"More" is every paragraph the answer quoted from, in full (each sentence in its setting), with
the one after its first in the same section; then each next paragraph in turn (and at the end
of the section, those before). "The original"
is the paragraphs the answer quoted from. Every quote is a whole paragraph, under its locator.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.engine.reply import Reply
from bot.kb.facts import Fact

if TYPE_CHECKING:
    from bot.engine.engine import Engine

MAX_PARAGRAPHS = 3  # paragraphs in one reply to "more"
MORE_LEAD = "文章接着说："
BEFORE_LEAD = "在这之前，文章说："
ORIGINAL_LEAD = "原文是这样写的："
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
    engine: Engine, shown: tuple[str, ...], whole: bool
) -> tuple[Reply, tuple[str, ...]]:
    """The reply to "more" (or, with `whole`, to "the original") after `shown` facts, and the
    facts shown once it is sent; () when there is nothing left to show."""
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
        paragraphs, lead = quoted[:MAX_PARAGRAPHS], ORIGINAL_LEAD
    elif unseen[:1] == [main]:
        # the answer's paragraphs in full, and the one after its first
        paragraphs = list(dict.fromkeys([main, *unseen[1:2], *quoted]))[:MAX_PARAGRAPHS]
        lead = ORIGINAL_LEAD
    else:  # then one new paragraph at a time
        paragraphs = unseen[:1]
        later = paragraphs and _number(engine, paragraphs[0]) > _number(engine, main)
        lead = MORE_LEAD if later else BEFORE_LEAD
    if not paragraphs:
        return _nothing_more(engine, shown), ()
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


def _section_from(engine: Engine, paragraph_id: str) -> list[str]:
    """This paragraph, those after it in its section in reading order, then those before it,
    nearest first (at the end of a section, more is what led up to it)."""
    article = engine.knowledge.article(paragraph_id.split(".")[0])
    for section in article.sections:
        ids = [p.id for p in section.paragraphs]
        if paragraph_id in ids:
            at = ids.index(paragraph_id)
            return ids[at:] + ids[:at][::-1]
    return [paragraph_id]  # (a heading or credit line: only itself)
