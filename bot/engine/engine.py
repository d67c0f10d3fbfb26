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

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.engine.decision import decide
from bot.engine.described import name_described
from bot.engine.index import Candidate, Index
from bot.engine.normalize import MAX_QUESTION_CHARS, normalize
from bot.engine.question import INTERROGATIVE, asking_clauses, clean, parts, read
from bot.engine.replies import CLARIFY, DONT_KNOW, GENERIC_LEAD, NO_QUESTION, Replies, merge
from bot.engine.replies import question_for as _question_for
from bot.engine.reply import Reply, Source
from bot.engine.sections import heading_reply
from bot.engine.verdict import settle
from bot.kb.facts import Fact
from bot.kb.store import Intent, Knowledge, load_knowledge

if TYPE_CHECKING:
    from bot.engine.context import Context, Conversation

__all__ = ["CLARIFY", "DONT_KNOW", "GENERIC_LEAD", "NO_QUESTION", "Engine"]


def _keys(replies: tuple[Reply, Reply]) -> set[str]:
    return {key for reply in replies for key in reply.keys}


class Engine:
    """Loaded once from knowledge/; `ask` is pure: same question, same reply.

    `max_question_chars` is the one length cap on a question (the bot's setting of that
    name): it is cut to that before any other work.
    """

    def __init__(
        self,
        knowledge: Knowledge,
        bot_username: str = "",
        max_question_chars: int = MAX_QUESTION_CHARS,
    ) -> None:
        self.knowledge = knowledge
        self.index = Index(knowledge)
        self.bot_username = bot_username
        self.max_question_chars = max_question_chars
        self.replies = Replies(knowledge)

    @classmethod
    def load(
        cls,
        directory: Path | None = None,
        bot_username: str = "",
        max_question_chars: int = MAX_QUESTION_CHARS,
    ) -> Engine:
        from bot.paths import default_knowledge_dir

        directory = directory or default_knowledge_dir()
        knowledge = load_knowledge(directory, normalise=normalize)
        return cls(knowledge, bot_username, max_question_chars)

    def warm_up(self) -> None:
        """Pays once, now, the set-up costs a first question would otherwise pay (a bot calls
        this at start; a one-off command need not)."""
        self.index.analyzer.warm_up()

    # ------------------------------------------------------------------ asking

    def ask(self, question: str, explain: bool = False) -> Reply:
        """The reply to a message: every surface (private chat, group, inline, CLI) asks
        through here, so they all get the same decision."""
        text = clean(question, self.max_question_chars)
        reply = self._ask_one(text, explain)
        # (only sentences that ask: "我同事说才三五年，我不信。他们研究多久了？" asks once)
        both = self._two_asks(text)  # "数说里的数据来源是哪，截至什么时候"
        if both is not None and (reply.kind != "answer" or set(reply.keys) < _keys(both)):
            return merge(list(both), reply.explanation)
        pieces = parts(text)
        sentences = [s for s in pieces if INTERROGATIVE.search(s.lower())]
        if len(sentences) == 1 and reply.kind != "answer" and len(pieces) > 1:
            alone = self._ask_one(sentences[0], explain)  # "Hi! I'm learning Chinese and
            # reading this piece. Who wrote the article?": the one sentence that asks
            return alone if alone.kind == "answer" else reply
        if len(sentences) < 2 or len(sentences) > 4:
            return reply
        # "刀具是加工什么零件的？效率提升了多少？": two questions, two answers.
        answers = [self._ask_one(part, False) for part in sentences]
        if all(a.kind == "answer" for a in answers) and len({a.intent for a in answers}) > 1:
            return merge(answers, reply.explanation)
        return reply

    def _two_asks(self, text: str) -> tuple[Reply, Reply] | None:
        """A message of two clauses that each ask, the second leaning on the first ("北脑二号
        那个实验用的啥动物 抓的啥东西"): the first answered alone, the second as its follow-up
        (through the conversation, as if sent next); both answers, or None."""
        from bot.engine.context import EMPTY

        asks = asking_clauses(text)
        if len(asks) != 2:
            return None
        first, context = self.converse(asks[0], EMPTY, 0.0)
        if first.kind != "answer":
            return None
        second, _ = self.converse(asks[1], context, 0.0)
        if second.kind != "answer" or set(second.keys) <= set(first.keys):
            return None
        return first, second

    def _ask_one(self, text: str, explain: bool) -> Reply:
        heading = heading_reply(self.knowledge, self.replies, text, self._plain)
        if heading is not None:  # "讲Vidu的那一节小标题是什么": the part that tells of it
            return heading
        question = read(self.index, text, self.bot_username)
        reply = decide(self.index, self.replies, question, explain)
        reply = name_described(self.index, self.replies, question, reply)
        return settle(self.index, self.replies, question, reply)

    def _plain(self, text: str) -> Reply:
        question = read(self.index, text, self.bot_username)
        return decide(self.index, self.replies, question, False)

    @cached_property
    def conversation(self) -> Conversation:
        from bot.engine.context import Conversation

        return Conversation(self)

    def converse(self, text: str, context: Context, now: float) -> tuple[Reply, Context]:
        """One turn of a conversation (text + context -> reply + context; see context.py):
        a follow-up is read with the context's last topic, then decided like any question."""
        return self.conversation.converse(text, context, now)

    def answers(self, question: str, limit: int = 5) -> list[Reply]:
        """Inline mode's choices, best first: only answers the decision gives. The answer to
        the question, then, when it asks several things, each part's own answer. Nothing
        when the decision does not answer (out of scope, small talk, or a clarifying
        question, whose options may answer another question than the one asked)."""
        reply = self.ask(question)
        if reply.kind != "answer":
            return []
        found = [reply]
        if len(reply.keys) > 1:  # several questions in one message: each part's answer too
            text = clean(question, self.max_question_chars)
            found += [self._ask_one(part, False) for part in parts(text)]
        results: list[Reply] = []
        seen: set[tuple[str, ...]] = set()
        for answer in found:
            if answer.kind == "answer" and answer.keys not in seen and len(results) < limit:
                seen.add(answer.keys)
                results.append(answer)
        return results

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

    def paragraphs_for(self, key: str) -> list[tuple[str, str]]:
        """Each whole paragraph an answer's quotes come from, once, with its locator."""
        reply = self.reply_for(key)
        found: dict[str, tuple[str, str]] = {}
        for source in reply.sources if reply else ():
            paragraph = self.paragraph_of(source.fact_id)
            if paragraph is not None:
                found.setdefault(source.paragraph_id, paragraph)
        return list(found.values())

    def related(self, key: str, limit: int = 3) -> list[Intent]:
        """Intents near an intent or fact: sharing its named things, then its section."""
        return self.replies.related(key, limit)

    def daily_intents(self) -> list[Intent]:
        """The intents curated as good facts of the day."""
        return [intent for intent in self.knowledge.intents if intent.daily]

    def question_for(self, candidate: Candidate) -> str:
        return _question_for(candidate)

    def sources(self, facts: tuple[Fact, ...]) -> tuple[Source, ...]:
        return self.replies.sources(facts)

    def source(self, fact: Fact) -> Source:
        return self.replies.source(fact)
