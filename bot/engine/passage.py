"""More of the passage an answer quoted ("还有呢", "原文怎么说"), always verbatim.

"More" is the whole paragraph the answer quoted from (the sentence in its setting) and the one
after it in the same section, then each next paragraph in turn. "The original" is the whole
paragraph the answer quoted first. Every quote is a whole paragraph, under its locator.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.engine.reply import Reply
from bot.kb.facts import Fact

if TYPE_CHECKING:
    from bot.engine.engine import Engine

MORE_LEAD = "文章接着说："
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
    if whole:
        paragraphs, lead = [main], ORIGINAL_LEAD
    else:
        seen = set(shown)
        unseen = [
            p
            for p in _section_from(engine, main)
            if not {f.id for f in _paragraph_facts(engine, p)} <= seen
        ]
        # the answer's paragraph in full and the one after it; then one new paragraph a time
        paragraphs = unseen[:2] if unseen[:1] == [main] else unseen[:1]
        lead = ORIGINAL_LEAD if paragraphs[:1] == [main] else MORE_LEAD
    if not paragraphs:
        return _nothing_more(engine, shown), ()
    sources, now_shown = [], list(shown)
    for paragraph_id in paragraphs:
        run = _paragraph_facts(engine, paragraph_id)
        text = engine.knowledge.article(run[0].article).paragraph(paragraph_id).text
        sources.append(replace(engine.source(run[0]), quote=text))
        now_shown += [f.id for f in run]
    reply = Reply("answer", lead, tuple(sources), score=1.0)
    return reply, tuple(dict.fromkeys(now_shown))


def _nothing_more(engine: Engine, shown: tuple[str, ...]) -> Reply:
    key = shown[0] if shown else ""
    suggestions = tuple(i.examples[0] for i in engine.related(key) if i.examples) if key else ()
    return Reply("fallback", NOTHING_MORE, suggestions=suggestions)


def _fact(engine: Engine, fact_id: str) -> Fact | None:
    try:
        return engine.knowledge.fact(fact_id)
    except KeyError:
        return None


def _paragraph_facts(engine: Engine, paragraph_id: str) -> list[Fact]:
    facts = [f for f in engine.knowledge.facts if f.paragraph == paragraph_id]
    return sorted(facts, key=lambda f: f.sentence)


def _section_from(engine: Engine, paragraph_id: str) -> list[str]:
    """This paragraph and those after it in its section, in reading order."""
    article = engine.knowledge.article(paragraph_id.split(".")[0])
    for section in article.sections:
        ids = [p.id for p in section.paragraphs]
        if paragraph_id in ids:
            return ids[ids.index(paragraph_id) :]
    return [paragraph_id]  # (a heading or credit line: only itself)
