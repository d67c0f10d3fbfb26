"""Reply building: the decision's outcome as a Reply, with each quote's source (one quote per
paragraph, its locator), clarifying or suggested questions, and the explanation if asked."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from bot.engine.index import Candidate
from bot.engine.reply import Reply, Source
from bot.engine.scoring import Scored
from bot.kb.facts import Fact
from bot.kb.store import Intent, Knowledge

NO_QUESTION = "请问一个关于这篇文章的问题，例如："
DONT_KNOW = "抱歉，这篇文章里没有提到这一点，我不能凭空回答。你可以问我："
CLARIFY = "你是想问以下哪个问题？"
GENERIC_LEAD = "文章中是这样说的："


class Replies:
    """Builds replies from scored candidates; knows the article, not the question."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        chosen = [intent for intent in knowledge.intents if intent.daily][:3]
        chosen = chosen or list(knowledge.intents[:3])
        self.default_suggestions = tuple(intent.examples[0] for intent in chosen)
        self.default_keys = tuple(intent.id for intent in chosen)
        self._has_related: dict[str, bool] = {}  # the knowledge is fixed for our lifetime

    def answer(self, best: Scored, notes: dict | None) -> Reply:
        candidate = best.candidate
        lead = candidate.intent.answer if candidate.intent else GENERIC_LEAD
        return Reply(
            "answer",
            lead,
            sources=self.sources(candidate.facts),
            score=best.score,
            intent=candidate.intent.id if candidate.intent else None,
            explanation=notes,
            keys=(candidate.id,),
            related=self.has_related(candidate.id),
        )

    def clarify(self, close: list[Scored], notes: dict | None) -> Reply:
        questions: dict[str, str] = {}  # question -> key, in order
        for scored in close:
            questions.setdefault(question_for(scored.candidate), scored.candidate.id)
        chosen = list(questions.items())[:3]
        return Reply(
            "clarify",
            CLARIFY,
            suggestions=tuple(q for q, _ in chosen),
            score=close[0].score if close else 0.0,
            explanation=notes,
            suggestion_keys=tuple(k for _, k in chosen),
            unanswered=True,
        )

    def smalltalk(self, item_id: str, text: str, notes: dict | None) -> Reply:
        helps = item_id in ("help", "who_are_you")
        return Reply(
            "smalltalk",
            text,
            suggestions=self.default_suggestions if helps else (),
            score=1.0,
            intent=item_id,
            explanation=notes,
            suggestion_keys=self.default_keys if helps else (),
        )

    def no_question(self, notes: dict | None) -> Reply:
        """A message with nothing to look up ("？"): a request for a question, not a gap in
        the article (so not unanswered)."""
        return Reply(
            "fallback",
            NO_QUESTION,
            suggestions=self.default_suggestions,
            explanation=notes,
            suggestion_keys=self.default_keys,
        )

    def dont_know(self, ranked: list[Scored], notes: dict | None) -> Reply:
        chosen = self.suggest(ranked)
        return Reply(
            "fallback",
            DONT_KNOW,
            suggestions=tuple(q for q, _ in chosen),
            score=ranked[0].score if ranked else 0.0,
            explanation=notes,
            suggestion_keys=tuple(k for _, k in chosen),
            unanswered=True,
        )

    def suggest(self, ranked: list[Scored]) -> list[tuple[str, str]]:
        """Up to three questions the bot can answer, nearest to what was asked first, each
        with the key it stands for."""
        questions: dict[str, str] = {}
        for scored in ranked:
            if scored.coverage <= 0 or scored.candidate.intent is None:
                continue
            questions.setdefault(question_for(scored.candidate), scored.candidate.id)
            if len(questions) == 3:
                return list(questions.items())
        for question, key in zip(self.default_suggestions, self.default_keys, strict=True):
            if question not in questions and len(questions) < 3:
                questions[question] = key
        return list(questions.items())

    def for_key(self, key: str) -> Reply | None:
        """The answer for an intent id or a fact id (deep links, buttons, daily posts)."""
        for intent in self.knowledge.intents:
            if intent.id == key:
                return Reply(
                    "answer",
                    intent.answer,
                    tuple(self.source(self.knowledge.fact(f)) for f in intent.facts),
                    score=1.0,
                    intent=intent.id,
                    keys=(intent.id,),
                    related=self.has_related(intent.id),
                )
        try:
            fact = self.knowledge.fact(key)
        except KeyError:
            return None
        return Reply(
            "answer",
            GENERIC_LEAD,
            (self.source(fact),),
            score=1.0,
            keys=(key,),
            related=self.has_related(key),
        )

    def related(self, key: str, limit: int = 3) -> list[Intent]:
        """Intents near an intent or fact: sharing its named things, then its section."""
        facts = self._facts_of(key)
        if not facts:
            return []
        names = {e for f in facts for e in f.entities}
        sections = {(f.article, f.section) for f in facts}
        own = {f.id for f in facts}
        ranked = []
        for position, intent in enumerate(self.knowledge.intents):
            if intent.id == key or own >= set(intent.facts):
                continue
            theirs = [self.knowledge.fact(f) for f in intent.facts]
            shared = len(names & {e for f in theirs for e in f.entities})
            same_section = any((f.article, f.section) in sections for f in theirs)
            if shared or same_section:
                ranked.append((-shared, not same_section, position, intent))
        return [entry[-1] for entry in sorted(ranked)[:limit]]

    def has_related(self, key: str) -> bool:
        found = self._has_related.get(key)
        if found is None:
            found = self._has_related[key] = bool(self.related(key, limit=1))
        return found

    def _facts_of(self, key: str) -> list[Fact]:
        for intent in self.knowledge.intents:
            if intent.id == key:
                return [self.knowledge.fact(f) for f in intent.facts]
        try:
            return [self.knowledge.fact(key)]
        except KeyError:
            return []

    def sources(self, facts: tuple[Fact, ...]) -> tuple[Source, ...]:
        """One quote per paragraph: sentences of the same paragraph are quoted together in
        reading order (with …… where the article has sentences between them), under one
        locator. The first fact stays the main one: its paragraph comes first."""
        groups: dict[str, list[Fact]] = {}
        for fact in facts:
            groups.setdefault(fact.paragraph, []).append(fact)
        result = []
        for group in groups.values():
            main = self.source(group[0])
            if len(group) > 1:
                ordered = sorted(group, key=lambda f: f.sentence)
                quote = ordered[0].text
                for before, after in pairwise(ordered):
                    gap = "" if after.sentence == before.sentence + 1 else "……"
                    quote += gap + after.text
                main = replace(main, quote=quote, quoted=tuple(f.id for f in ordered))
            result.append(main)
        return tuple(result)

    def source(self, fact: Fact) -> Source:
        article = self.knowledge.article(fact.article)
        paragraph = article.paragraph(fact.paragraph)
        section = article.section(paragraph.section_id)
        return Source(
            article=article.title,
            section=section.name,
            paragraph=paragraph.number,
            quote=fact.text,
            fact_id=fact.id,
            paragraph_id=paragraph.id,
            locator=fact.where,
        )


def question_for(candidate: Candidate) -> str:
    """The question a candidate answers, as a suggestion shows it."""
    if candidate.intent is not None:
        return candidate.intent.examples[0]
    return candidate.facts[0].text[:30]


def merge(replies: list[Reply], explanation: dict | None) -> Reply:
    """One answer from several: their lines in order, their quotes without repeats."""
    sources: list = []
    for reply in replies:
        sources += [s for s in reply.sources if s.fact_id not in {x.fact_id for x in sources}]
    return Reply(
        "answer",
        "\n".join(dict.fromkeys(r.lead for r in replies)),
        sources=tuple(sources),
        score=min(r.score for r in replies),
        intent=replies[0].intent,
        explanation=explanation,
        keys=tuple(dict.fromkeys(k for r in replies for k in r.keys)),
        related=replies[0].related,
    )


def describe(scored: Scored) -> dict:
    """One candidate as the explanation shows it."""
    return {
        "candidate": scored.candidate.key,
        "score": round(scored.score, 3),
        "resemblance": round(scored.resemblance, 3),
        "coverage": round(scored.coverage, 3),
        "uncovered": scored.uncovered,
        "blocking": scored.blocking,
        "admissible": scored.admissible,
    }
