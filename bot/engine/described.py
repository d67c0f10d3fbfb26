"""Descriptions instead of names: "那个像关节一样的黑色圆盒子零件叫什么". The sentence that matches
the description often does not give the name; the one beside it in the same paragraph does
("一个关键核心部件必不可少——RV减速机。一个黑色的圆形盒子……"). A name question is then answered
with the name that sentence gives, and the reply quotes it too."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.engine.evidence import names_something
from bot.engine.index import Index
from bot.engine.question import Question
from bot.engine.reply import Reply
from bot.kb.facts import Fact

if TYPE_CHECKING:
    from bot.engine.replies import Replies

NEAR = 2  # sentences apart, at most, for the name to be the described thing's
BESIDE = 0.85  # a candidate whose name is beside it scores this share: its own name goes first
THINGS = ("product", "event", "document")  # names a described thing has (not who made it)


@dataclass(frozen=True)
class _Quoted:
    """What names_something reads of a candidate: its facts."""

    facts: tuple[Fact, ...]


def namer_beside(
    index: Index,
    facts: tuple[Fact, ...],
    folded: str,
    kinds: tuple[str, ...] | None,
    subject: str = "",
) -> Fact | None:
    """The nearest sentence of the quoted paragraphs that gives a name (of `kinds`) the
    question does not hold, when the quoted sentences give none. It must speak of the kind
    of thing described (零件 asked, "一个关键核心部件……RV减速机": both are 件), or it names
    something else nearby (the model, not the architecture it is built on)."""
    quoted = {f.id for f in facts}
    best: tuple[int, Fact] | None = None
    for fact in index.knowledge.facts:
        if fact.id in quoted:
            continue
        apart = [abs(fact.sentence - f.sentence) for f in facts if f.paragraph == fact.paragraph]
        if not apart or min(apart) > NEAR or (best is not None and min(apart) >= best[0]):
            continue
        if subject and subject[-1] not in index.fact_text[fact.id]:
            continue
        if names_something(index, _Quoted((fact,)), folded, kinds):  # type: ignore[arg-type]
            best = (min(apart), fact)
    return best[1] if best else None


def subject_of(tokens: tuple) -> str:
    """The described thing's word, when a name question asks the name of one (零件 in
    那个零件叫什么), else ""."""
    return tokens[0].text if len(tokens) == 1 and not tokens[0].text.isascii() else ""


def name_described(index: Index, replies: Replies, question: Question, reply: Reply) -> Reply:
    """An answer to a name question whose quotes name nothing new quotes the sentence beside
    them that does."""
    shared = question.features
    if reply.kind != "answer" or shared is None or shared.named is None or not reply.sources:
        return reply
    facts = tuple(index.knowledge.fact(i) for s in reply.sources for i in s.fact_ids)
    kinds = shared.named or THINGS
    if names_something(index, _Quoted(facts), shared.typed, kinds):  # type: ignore[arg-type]
        return reply
    beside = namer_beside(index, facts, shared.typed, kinds, subject_of(shared.subject))
    if beside is None:
        return reply
    return replace(reply, sources=replies.sources((*facts, beside)))
