"""More of the passage an answer quoted ("还有呢", "原文怎么说"), always verbatim.

"More" is the whole paragraph the answer quoted a part of (the sentence in its setting), or,
once all of it was shown, the next paragraph of the same section. "The original" is the whole
paragraph the answer quoted first. Either way the quote is one run of the article's text,
under its locator.
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
    facts = [_fact(engine, f) for f in shown]
    facts = [f for f in facts if f is not None]
    if not facts:
        return _nothing_more(engine, shown), ()
    last = _paragraph_facts(engine, facts[-1].paragraph)
    if whole:
        run, lead = _paragraph_facts(engine, facts[0].paragraph), ORIGINAL_LEAD
    elif not set(f.id for f in last) <= set(shown):
        run, lead = last, ORIGINAL_LEAD  # the whole paragraph the answer quoted a part of
    else:
        run, lead = _next_paragraph(engine, facts[-1].paragraph), MORE_LEAD
    if not run:
        return _nothing_more(engine, shown), ()
    source = replace(engine.source(run[0]), quote=_verbatim(engine, run))
    reply = Reply("answer", lead, (source,), score=1.0)
    return reply, tuple(dict.fromkeys([*shown, *(f.id for f in run)]))


def _verbatim(engine: Engine, run: list[Fact]) -> str:
    """The run of sentences as the paragraph prints them (with …… over a gap)."""
    text = engine.knowledge.article(run[0].article).paragraph(run[0].paragraph).text
    start = text.find(run[0].text)
    end = text.find(run[-1].text, max(start, 0))
    numbers = [f.sentence for f in run]
    if start < 0 or end < 0 or numbers != list(range(numbers[0], numbers[0] + len(run))):
        return "……".join(f.text for f in run)
    return text[start : end + len(run[-1].text)]


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


def _next_paragraph(engine: Engine, paragraph_id: str) -> list[Fact]:
    """The facts of the paragraph after this one in the same section, if there is one."""
    article_id = paragraph_id.split(".")[0]
    article = engine.knowledge.article(article_id)
    body = [p for s in article.sections for p in s.paragraphs]
    ids = [p.id for p in body]
    if paragraph_id not in ids:
        return []
    at = ids.index(paragraph_id)
    if at + 1 >= len(body) or body[at + 1].section_id != body[at].section_id:
        return []
    return _paragraph_facts(engine, body[at + 1].id)
