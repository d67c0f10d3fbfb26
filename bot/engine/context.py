"""Follow-up questions: a conversation's short memory, passed in and returned.

`converse(engine, text, context, now) -> (reply, context)`. The context holds the last answered
question as it was read on its own, and its slots: the things it named (the topic: Vidu), the
noun it asked about (高校), the answer's key, the quotes shown so far, and when. A message that
stands alone is read alone; only one that cannot (a pronoun, "X呢", "还有呢", or no subject
of its own) is resolved into a standalone reading from those slots, and that reading goes
through the one normal decision, `engine.ask`, so a follow-up the article does not answer is
declined like any other question. The context is forgotten after `TTL_SECONDS`, or when a
message with a subject of its own starts a new topic. The words that mark a follow-up are data:
`followups` in knowledge/language.yaml. The stages live beside it: mores.py (requests for more),
ellipses.py ("X呢"), followup.py (what a message is and its readings), referents.py (what
那家研究院 points at when no kept name fits), unasked.py (what the passage leaves unsaid).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.engine.ellipses import Ellipses
from bot.engine.followup import Name, Reader, joined
from bot.engine.followwords import asks_quantity, asks_word, content_nouns, nounish
from bot.engine.mores import Mores
from bot.engine.normalize import mentions_removed, normalize, strip_invisible
from bot.engine.passage import box_credit, box_of, of_the_box, shown_facts
from bot.engine.referents import which_body
from bot.engine.replies import DONT_KNOW
from bot.engine.reply import Reply
from bot.engine.unasked import Unasked

if TYPE_CHECKING:
    from bot.engine.engine import Engine

TTL_SECONDS = 300.0  # a conversation is forgotten this long after its last answer
_COMMAND = re.compile(r"^\s*/[A-Za-z]\w*(?:@\w+)?")
STANDS_ALONE = 0.85  # an answer to a message alone this sure is taken without the context


@dataclass(frozen=True)
class Context:
    """What a conversation remembers of its last answered question (empty: nothing)."""

    question: str = ""  # the question as read on its own, folded: "vidu是谁发布的"
    topic: tuple[Name, ...] = ()  # the things it named, in order: (("vidu", "product"),)
    answer: tuple[Name, ...] = ()  # the things the answer named: (("清华大学", "org"),)
    earlier: tuple[Name, ...] = ()  # the topic before this one (它们 may stand for both)
    asked: str = ""  # the noun it asked about, which an ellipsis replaces: 高校
    key: str = ""  # the answer's intent, else its first fact
    shown: tuple[str, ...] = ()  # ids of the facts quoted so far, in order
    mores: int = 0  # replies to "more" since the answer
    at: float = 0.0  # when it was last answered (the caller's clock, in seconds)

    def alive(self, now: float) -> bool:
        return bool(self.key) and 0.0 <= now - self.at <= TTL_SECONDS


EMPTY = Context()


class Conversation(Ellipses, Unasked):
    """Reads follow-ups for one engine (built once per engine; holds no conversation state)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.analyzer = engine.index.analyzer
        self.read = Reader(engine)
        self.mores = Mores(engine, self.read)
        self._folded_facts: list[str] | None = None  # the article's sentences, folded (lazily)

    # ------------------------------------------------------------------ the turn

    def converse(self, text: str, context: Context, now: float) -> tuple[Reply, Context]:
        context = context if context.alive(now) else EMPTY
        text = strip_invisible(text or "")
        if not context.key:
            return self._alone(text, now)
        normalised = normalize(_addressing_removed(text), self.engine.bot_username)
        folded = self.analyzer.fold(normalised, fuzzy=True)
        tokens = self.analyzer.tokens(normalised, fuzzy=True)
        of_people = any(t.text in self.read.words.person for t in tokens)  # (他们是哪来的)
        credit = None
        if not self.read.names(tokens) and not of_people:
            credit = self._credit_asked(folded, context)
        if credit is not None:  # 那部分是原创报道吗, 它的内容是哪来的: what its credit line says
            return credit, self._after(folded, credit, context, now)
        more = self.mores.reply(_addressing_removed(text), context)
        if more is not None:
            reply, shown = more
            return reply, self._more(context, shown, now) if shown else context
        if self._names_of_counted(folded, tokens, context):
            return self._declined(context), context
        reply, after = self._resolved(text, normalised, folded, tokens, context, now)
        if reply.kind == "answer" and self._part_of_whole(folded, tokens, reply):
            return self._declined(context), context
        return reply, after

    def _resolved(
        self,
        text: str,
        normalised: str,
        folded: str,
        tokens: list,
        context: Context,
        now: float,
    ) -> tuple[Reply, Context]:
        """A follow-up read with the context's slots (or alone, when it stands alone)."""
        if not self.read.asks_something(tokens):
            reply = self.engine.ask(text)  # "？", "它": nothing to resolve, nothing to forget
            return reply, self._after(text, reply, context, now)
        boxed = self.read.of_passage(normalised, box_of(self.engine, context.shown))
        if boxed is not None:  # 这部分谁做的图, of the 数说 box shown
            reply = self.engine.ask(boxed)
            if reply.kind == "answer" and of_the_box(self.engine, reply):
                return reply, self._after(boxed, reply, context, now)
        pronoun = self.read.pronoun(tokens)
        if pronoun is not None:
            readings = self.read.resolve_pronoun(normalised, folded, tokens, pronoun, context)
            if readings:
                return self._pronoun_reply(readings, context, now)
            return self._alone(text, now, context)  # 那张图: no thing of the context fits, so it
            # points at something of the article itself
        body = self.read.ellipsis(folded)
        if body is None:
            body = self._leading_ellipsis(folded, context)
        if body is not None:
            return self._ellipsis_reply(text, body, context, now)
        if self.read.names_something(tokens):
            return self._alone(text, now, context)  # a subject of its own: a new topic
        body = which_body(self.engine, folded, content_nouns(tokens), context.shown)
        if body:  # 哪个研究所 after "研究所全面实行……": the one its section names
            reading = f"{body}是什么"
            reply = self.engine.ask(reading)
            if reply.kind == "answer" and self._quotes(reply, [body]):
                return reply, self._after(reading, reply, context, now)
        reply = self.engine.ask(text)
        bare = not content_nouns(tokens)  # (谁研发的: nothing but what it asks)
        elsewhere = reply.kind == "answer" and not self._of_context(reply, context)
        if reply.kind == "smalltalk" or not context.topic:
            return reply, self._after(text, reply, context, now)
        if _stands_alone(reply) and not (bare and elsewhere):
            return reply, self._after(text, reply, context, now)
        # No subject of its own ("用了多长时间？"): of the last topic, if the article says so.
        nationwide = self.read.generic_subject(tokens)  # 那全国平均是多少 after 北京's figure
        said = [name for name, kind in context.topic if not (nationwide and kind == "place")]
        if context.asked and context.asked not in folded:
            said.append(context.asked)  # 具体有多少个 (of 北京's 国家实验室)
        reading = joined(" ".join(said), folded)
        resolved, new = self._first_answer([reading], context, now)
        if resolved.kind == "answer":
            return resolved, new
        if elsewhere and (bare or not any(asks_word(t) for t in tokens)):
            return self._declined(context), context  # 能免费用吗 after Vidu: a yes or no of
            # Vidu, never of 肥城's free space; 谁研发的 after RV减速机 never of the robot
        return reply, self._after(text, reply, context, now)

    def _leading_ellipsis(self, folded: str, context: Context) -> str | None:
        """The X of "X呢，大概多少人": an ellipsis clause, then one that only asks again what
        the last question asked (a figure after a figure), naming nothing of its own."""
        first, _, rest = folded.partition(" ")
        body = self.read.ellipsis(first) if rest.strip() else None
        tokens = self.read.tokens(rest)
        asking = [t for t in tokens if asks_word(t)]
        last = self.read.tokens(context.question)
        if body is None or not asking or self.read.names_something(tokens):
            return None
        if not all(asks_quantity(t) for t in asking) or not any(asks_quantity(t) for t in last):
            return None  # (科研院所呢，都有哪些 asks which, not how many again)
        return body

    def _credit_asked(self, folded: str, context: Context) -> Reply | None:
        """The answer quoting the box's credit line to a message that asks where what was
        shown comes from (那部分是原创报道吗, 它的内容是哪来的), when that stands in a box."""
        compact = folded.replace(" ", "")
        credit = box_credit(self.engine, context.shown)
        if not credit or not any(word in compact for word in self.read.words.provenance):
            return None
        intents = [i for i in self.engine.knowledge.intents if credit in i.facts]
        intent = min(intents, key=lambda i: len(i.facts), default=None)
        return self.engine.reply_for(intent.id if intent else credit)

    def _more(self, context: Context, shown: tuple[str, ...], now: float) -> Context:
        return replace(context, shown=shown, mores=context.mores + 1, at=now)

    # ------------------------------------------------------------------ refusals

    def _declined(self, context: Context) -> Reply:
        """The refusal of a follow-up the article does not answer, suggesting what it can
        answer near the last topic."""
        related = [i for i in self.engine.related(context.key) if i.examples]
        return Reply(
            "fallback",
            DONT_KNOW,
            suggestions=tuple(i.examples[0] for i in related),
            suggestion_keys=tuple(i.id for i in related),
            unanswered=True,
        )

    def started(self, question: str, reply: Reply, now: float) -> Context:
        """The context of an answer shown without a message of the user's (a suggestion
        button): as if `question` had been asked and answered so."""
        return self._after(question, reply, EMPTY, now)

    def _alone(self, text: str, now: float, context: Context = EMPTY) -> tuple[Reply, Context]:
        """The message read on its own: a new topic (small talk keeps the conversation)."""
        reply = self.engine.ask(text)
        return reply, self._after(text, reply, context if reply.kind == "smalltalk" else EMPTY, now)

    def _first_answer(
        self,
        readings: list[str],
        context: Context,
        now: float,
        admits: Callable[[Reply], bool] | None = None,
    ) -> tuple[Reply, Context]:
        """The first reading the decision answers (with an answer `admits` takes), else the
        first one's refusal (the context kept for the next turn)."""
        first: Reply | None = None
        for reading in dict.fromkeys(readings):
            reply = self.engine.ask(reading)
            if reply.kind == "answer" and (admits is None or admits(reply)):
                return reply, self._after(reading, reply, context, now)
            if reply.kind != "answer":
                first = first or reply
        if first is None:
            first = self._declined(context) if readings else self.engine.ask("")
        return first, context

    def _pronoun_reply(
        self, readings: list[tuple[str, str]], context: Context, now: float
    ) -> tuple[Reply, Context]:
        """The likeliest referent's reading, with the rest of the topic, else after the last
        question, when that alone is answered from elsewhere in the article (他们都是从哪些单位
        来的 of 肥城's 硕士, not the sidebar's sources); a less
        likely referent only when the answer quotes it itself (它 after "Vidu是谁发布的":
        清华大学 when Vidu does not fit), and never a place the answer only mentioned."""
        first, referent = readings[0]
        reply, after = self._first_answer([first], context, now)
        if reply.kind == "answer" and not self._of_context(reply, context):
            rest = [name for name, _ in context.topic if name != referent and name not in first]
            fuller = joined(" ".join(rest), first)
            wider = [fuller] if rest else []
            if any(asks_word(t) for t in self.read.tokens(first)):  # (not a yes or no)
                wider.append(joined(context.question, first))  # 他们都是从哪来的 after 肥城
                # 常驻多少硕士
            for reading in dict.fromkeys(wider):
                other = self.engine.ask(reading)
                if other.kind == "answer" and self._of_context(other, context):
                    return other, self._after(reading, other, context, now)
        kinds = dict([*context.answer, *context.topic])
        for reading, referent in readings[1:]:
            if reply.kind == "answer" or referent == context.asked:
                break  # (a common noun asked about is no name to try in second place)
            if kinds.get(referent) == "place":
                continue
            other = self.engine.ask(reading)
            if other.kind == "answer" and self._quotes(other, [referent]):
                return other, self._after(reading, other, context, now)
        return reply, after

    def _of_context(self, reply: Reply, context: Context) -> bool:
        """Does the answer quote the section the conversation was in?"""
        seen = self._sections(context.shown)
        return not seen or bool(self._sections(s.fact_id for s in reply.sources) & seen)

    def _sections(self, fact_ids: Iterable[str]) -> set[tuple[str, str]]:
        found = set()
        for fact_id in fact_ids:
            try:
                fact = self.engine.knowledge.fact(fact_id)
            except KeyError:
                continue
            found.add((fact.article, fact.section))
        return found

    def _quotes(self, reply: Reply, names: list[str]) -> bool:
        """Does the reply quote every one of these names (in their canonical form)?"""
        quoted = self.analyzer.fold(normalize("".join(s.quote for s in reply.sources)))
        return all(name in quoted.replace(" ", "") for name in names)

    def _after(self, reading: str, reply: Reply, context: Context, now: float) -> Context:
        """The context after `reply`: a new topic from an answer, the old one kept through
        small talk and refusals of follow-ups, nothing after a refused new question."""
        if reply.kind == "smalltalk":
            return context
        if reply.kind != "answer":
            return EMPTY if not context.key else context
        tokens = [
            t
            for t in self.read.tokens(normalize(reading, self.engine.bot_username))
            if not self.read.guessed_name(t)
        ]
        topic = self.read.names(tokens)
        if not topic:
            noun = next((t.text for t in tokens if nounish(t)), "")
            topic = ((noun, "thing"),) if noun else context.topic

        # what the answer named: in its answer line first, then in its quotes
        def names_of(text: str) -> tuple[Name, ...]:
            said = self.read.tokens(normalize(text))
            return self.read.names([t for t in said if not self.read.guessed_name(t)])

        quoted = "。".join(s.quote for s in reply.sources)
        said = names_of(reply.lead) + names_of(quoted) if reply.intent else names_of(quoted)
        nouns = [t.text for t in tokens if nounish(t) and t.text not in dict(topic)]
        return Context(
            question=self.analyzer.fold(normalize(reading), fuzzy=True),
            topic=topic,
            earlier=context.topic if topic != context.topic else context.earlier,
            answer=tuple(dict.fromkeys(said)),
            asked=nouns[-1] if nouns else "",
            key=reply.intent or (reply.sources[0].fact_id if reply.sources else ""),
            shown=shown_facts(self.engine, reply),
            at=now,
        )


def _addressing_removed(text: str) -> str:
    """The message without what only addresses a bot in a group (@name, a leading /ask),
    which would otherwise read as words of its own: "@factbot_bot 还有呢"."""
    return mentions_removed(_COMMAND.sub("", text))


def _stands_alone(reply: Reply) -> bool:
    """An answer to the message alone that reads like one of the curated questions: the
    message needs no context ("生产成本降低了多少？" after any topic)."""
    return reply.kind == "answer" and reply.score >= STANDS_ALONE


def converse(engine: Engine, text: str, context: Context, now: float) -> tuple[Reply, Context]:
    """One turn of a conversation: the reply to `text`, and the context for the next turn."""
    return engine.conversation.converse(text, context, now)
