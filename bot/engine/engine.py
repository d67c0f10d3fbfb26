"""engine.ask(question) -> Reply: pure and synchronous, the same for the CLI, the bot and tests.

A question goes through these stages, each a module of its own:
1. question.py reads it once: cleaned and cut to the length cap, normalised, folded, split into
   labelled tokens and content words, its lead-in clauses, and what it asks (features.py);
2. candidates.py short-lists the candidates that share a word or a character pair with it;
3. scoring.py scores each: how much the question reads like the intent's examples, and how much
   of its content the candidate covers (coverage.py);
4. checks.py vetoes a candidate that does not give what is asked, however similar the wording:
   every named thing must be covered ("上海有多少所高校" is not answered with Beijing's figure),
   a figure in the unit asked, a name when one is asked for, and so on (evidence.py);
5. decision.py answers with the best admissible candidate when it is clearly best, asks to
   clarify between close ones, replies with small talk (smalltalk.py), or falls back: the
   article does not say, and here is what it can answer; replies.py builds the Reply.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.engine.decision import CLARIFY_AT, decide
from bot.engine.features import features
from bot.engine.index import Candidate, Index
from bot.engine.normalize import normalize
from bot.engine.question import clean, parts, read
from bot.engine.replies import CLARIFY, DONT_KNOW, GENERIC_LEAD, NO_QUESTION, Replies, merge
from bot.engine.replies import question_for as _question_for
from bot.engine.reply import Reply, Source
from bot.engine.scoring import rank
from bot.kb.facts import Fact
from bot.kb.store import Intent, Knowledge, load_knowledge

if TYPE_CHECKING:
    from bot.engine.context import Context, Conversation

__all__ = ["CLARIFY", "DONT_KNOW", "GENERIC_LEAD", "NO_QUESTION", "Engine"]


class Engine:
    """Loaded once from knowledge/; `ask` is pure: same question, same reply."""

    def __init__(self, knowledge: Knowledge, bot_username: str = "") -> None:
        self.knowledge = knowledge
        self.index = Index(knowledge)
        self.bot_username = bot_username
        self.replies = Replies(knowledge)

    @classmethod
    def load(cls, directory: Path | None = None, bot_username: str = "") -> Engine:
        from bot.paths import default_knowledge_dir

        directory = directory or default_knowledge_dir()
        return cls(load_knowledge(directory, normalise=normalize), bot_username)

    # ------------------------------------------------------------------ asking

    def ask(self, question: str, explain: bool = False) -> Reply:
        text = clean(question)
        reply = self._ask_one(text, explain)
        sentences = parts(text)
        if len(sentences) < 2 or len(sentences) > 4:
            return reply
        # "刀具是加工什么零件的？效率提升了多少？": two questions, two answers.
        answers = [self._ask_one(part, False) for part in sentences]
        if all(a.kind == "answer" for a in answers) and len({a.intent for a in answers}) > 1:
            return merge(answers, reply.explanation)
        return reply

    def _ask_one(self, text: str, explain: bool) -> Reply:
        return decide(self.index, self.replies, read(self.index, text, self.bot_username), explain)

    @cached_property
    def conversation(self) -> Conversation:
        from bot.engine.context import Conversation

        return Conversation(self)

    def converse(self, text: str, context: Context, now: float) -> tuple[Reply, Context]:
        """One turn of a conversation (text + context -> reply + context; see context.py):
        a follow-up is read with the context's last topic, then decided like any question."""
        return self.conversation.converse(text, context, now)

    def answers(self, question: str, limit: int = 5) -> list[Reply]:
        """Up to `limit` distinct answers, best first (inline mode offers several)."""
        asked = read(self.index, clean(question), self.bot_username)
        asked = replace(
            asked,
            names=frozenset(),
            lead_in=frozenset(),
            features=features(
                self.index, asked.folded, asked.tokens, asked.content, asked.normalised
            )
            if asked.content
            else None,
        )
        replies: list[Reply] = []
        seen: set[str] = set()
        for scored in rank(self.index, asked) if asked.content else []:
            key = scored.candidate.facts[0].id  # one result per quoted sentence
            if scored.admissible and scored.score >= CLARIFY_AT and key not in seen:
                seen.add(key)
                replies.append(self.replies.answer(scored, None))
            if len(replies) == limit:
                break
        return replies

    # ------------------------------------------------------------------ by key

    def reply_for(self, key: str) -> Reply | None:
        """The answer for an intent id or a fact id (deep links, buttons, daily posts)."""
        return self.replies.for_key(key)

    def paragraph_of(self, fact_id: str) -> tuple[str, str] | None:
        """The whole paragraph a quote comes from, and its locator (the 原文 button)."""
        try:
            fact = self.knowledge.fact(fact_id)
        except KeyError:
            return None
        article = self.knowledge.article(fact.article)
        return article.paragraph(fact.paragraph).text, fact.where

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

    def _facts_of(self, key: str) -> list[Fact]:
        for intent in self.knowledge.intents:
            if intent.id == key:
                return [self.knowledge.fact(f) for f in intent.facts]
        try:
            return [self.knowledge.fact(key)]
        except KeyError:
            return []

    def daily_intents(self) -> list[Intent]:
        """The intents curated as good facts of the day."""
        return [intent for intent in self.knowledge.intents if intent.daily]

    def question_for(self, candidate: Candidate) -> str:
        return _question_for(candidate)

    def sources(self, facts: tuple[Fact, ...]) -> tuple[Source, ...]:
        return self.replies.sources(facts)

    def source(self, fact: Fact) -> Source:
        return self.replies.source(fact)
