"""Follow-up questions: a conversation's short memory, passed in and returned.

`converse(engine, text, context, now) -> (reply, context)`. The context holds the last answered
question as it was read on its own, and its slots: the things it named (the topic: Vidu), the
noun it asked about (高校), the answer's key, the quotes shown so far, and when. A message that
stands alone is read alone; only one that cannot (a pronoun, "X呢", "还有呢", or no subject
of its own) is resolved into a standalone reading from those slots, and that reading goes
through the one normal decision, `engine.ask`, so a follow-up the article does not answer is
declined like any other question. The context is forgotten after `TTL_SECONDS`, or when a
message with a subject of its own starts a new topic. The words that mark a follow-up are data:
`followups` in knowledge/language.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from bot.engine.analysis import Token
from bot.engine.normalize import normalize, strip_invisible
from bot.engine.passage import continuation, shown_facts
from bot.engine.reply import Reply

if TYPE_CHECKING:
    from bot.engine.engine import Engine

TTL_SECONDS = 300.0  # a conversation is forgotten this long after its last answer
MAX_REFERENTS = 2  # readings tried for one pronoun: the likeliest things it may stand for
_TYPE_BY_POS = {"nr": "person", "nrt": "person", "nrfg": "person", "ns": "place", "nt": "org"}

Name = tuple[str, str]  # (canonical text, type: person, place, org, product, ... or "thing")


@dataclass(frozen=True)
class Context:
    """What a conversation remembers of its last answered question (empty: nothing)."""

    question: str = ""  # the question as read on its own, folded: "vidu是谁发布的"
    topic: tuple[Name, ...] = ()  # the things it named, in order: (("vidu", "product"),)
    answer: tuple[Name, ...] = ()  # the things the answer named: (("清华大学", "org"),)
    asked: str = ""  # the noun it asked about, which an ellipsis replaces: 高校
    key: str = ""  # the answer's intent, else its first fact
    shown: tuple[str, ...] = ()  # ids of the facts quoted so far, in order
    at: float = 0.0  # when it was last answered (the caller's clock, in seconds)

    def alive(self, now: float) -> bool:
        return bool(self.key) and 0.0 <= now - self.at <= TTL_SECONDS


EMPTY = Context()


@dataclass(frozen=True)
class _Words:
    """The follow-up words of language.yaml, normalised the way questions are."""

    person: frozenset[str]
    thing: frozenset[str]
    endings: tuple[str, ...]  # longest first
    openers: tuple[str, ...]
    more: tuple[str, ...]
    original: tuple[str, ...]
    fillers: frozenset[str]

    @classmethod
    def of(cls, lists: dict[str, tuple[str, ...]]) -> _Words:
        def words(key: str) -> tuple[str, ...]:
            folded = {normalize(w) for w in lists.get(key, ())} - {""}
            return tuple(sorted(folded, key=lambda w: (-len(w), w)))

        return cls(
            frozenset(words("person_pronouns")),
            frozenset(words("thing_pronouns")),
            words("ellipsis_endings"),
            words("ellipsis_openers"),
            words("more"),
            words("original"),
            frozenset(words("fillers")),
        )


class Conversation:
    """Reads follow-ups for one engine (built once per engine; holds no conversation state)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.analyzer = engine.index.analyzer

    @cached_property
    def words(self) -> _Words:
        return _Words.of(self.engine.knowledge.followups)

    # ------------------------------------------------------------------ the turn

    def converse(self, text: str, context: Context, now: float) -> tuple[Reply, Context]:
        context = context if context.alive(now) else EMPTY
        text = strip_invisible(text or "")
        if not context.key:
            return self._alone(text, now)
        normalised = normalize(text, self.engine.bot_username)
        asks_more = self._asks_more(normalised)
        if asks_more is not None:
            reply, shown = continuation(self.engine, context.shown, whole=asks_more)
            kept = replace(context, shown=shown, at=now) if shown else context
            return reply, kept
        folded = self.analyzer.fold(normalised, fuzzy=True)
        tokens = self.analyzer.tokens(normalised, fuzzy=True)
        pronoun = self._pronoun(tokens)
        if pronoun is not None:
            readings = self._resolve_pronoun(folded, tokens, pronoun, context)
            if readings:
                return self._first_answer(readings, context, now, fallback=None)
            return self._alone(text, now, context)  # 那张图: no thing of the context fits, so it
            # points at something of the article itself
        body = self._ellipsis(folded)
        if body is not None:
            readings = self._resolve_ellipsis(body, context)
            alone = text if self._names_something(self._tokens(body)) else None
            return self._first_answer(readings, context, now, fallback=alone)
        if self._names_something(tokens):
            return self._alone(text, now, context)  # a subject of its own: a new topic
        reply = self.engine.ask(text)
        if reply.kind == "smalltalk" or not context.topic:
            return reply, self._after(text, reply, context, now)
        # No subject of its own ("用了多长时间？"): of the last topic, if the article says so.
        said = [name for name, _ in context.topic]
        if context.asked and context.asked not in folded:
            said.append(context.asked)  # 具体有多少个 (of 北京's 国家实验室)
        reading = _joined(" ".join(said), folded)
        resolved, new = self._first_answer([reading], context, now, fallback=None)
        if resolved.kind == "answer":
            return resolved, new
        return reply, self._after(text, reply, context, now)

    def _alone(self, text: str, now: float, context: Context = EMPTY) -> tuple[Reply, Context]:
        """The message read on its own: a new topic (small talk keeps the conversation)."""
        reply = self.engine.ask(text)
        return reply, self._after(text, reply, context if reply.kind == "smalltalk" else EMPTY, now)

    def _first_answer(
        self, readings: list[str], context: Context, now: float, fallback: str | None
    ) -> tuple[Reply, Context]:
        """The first reading the decision answers; else the message alone (`fallback`) if it
        is answered, else the first reading's refusal, the context kept for the next turn."""
        first: Reply | None = None
        for reading in dict.fromkeys(readings):
            reply = self.engine.ask(reading)
            if reply.kind == "answer":
                return reply, self._after(reading, reply, context, now)
            first = first or reply
        if fallback is not None:
            reply = self.engine.ask(fallback)
            if reply.kind == "answer" or first is None:
                return reply, self._after(fallback, reply, context, now)
        return first or self.engine.ask(""), context

    def _after(self, reading: str, reply: Reply, context: Context, now: float) -> Context:
        """The context after `reply`: a new topic from an answer, the old one kept through
        small talk and refusals of follow-ups, nothing after a refused new question."""
        if reply.kind == "smalltalk":
            return context
        if reply.kind != "answer":
            return EMPTY if not context.key else context
        tokens = self._tokens(normalize(reading, self.engine.bot_username))
        topic = self._names(tokens)
        if not topic:
            noun = next((t.text for t in tokens if _nounish(t)), "")
            topic = ((noun, "thing"),) if noun else context.topic
        said = "".join([reply.lead, *(s.quote for s in reply.sources)])
        nouns = [t.text for t in tokens if _nounish(t) and t.text not in dict(topic)]
        return Context(
            question=self.analyzer.fold(normalize(reading), fuzzy=True),
            topic=topic,
            answer=self._names(self._tokens(normalize(said))),
            asked=nouns[-1] if nouns else "",
            key=reply.intent or (reply.sources[0].fact_id if reply.sources else ""),
            shown=shown_facts(self.engine, reply),
            at=now,
        )

    # ------------------------------------------------------------------ what a message is

    def _asks_more(self, normalised: str) -> bool | None:
        """True for "原文怎么说" (the whole paragraph), False for "还有呢" (what follows), None
        when the message asks something else."""
        compact = normalised.replace(" ", "")
        for whole, phrases in ((True, self.words.original), (False, self.words.more)):
            for phrase in phrases:
                at = compact.find(phrase.replace(" ", ""))
                if at >= 0 and self._only_fillers(compact[:at] + " " + compact[at + len(phrase) :]):
                    return whole
        return None

    def _only_fillers(self, rest: str) -> bool:
        tokens = self._tokens(rest) if rest.strip() else []
        return all(t.text in self.words.fillers or t.kind == "stop" for t in tokens) and not any(
            _asks(t) for t in tokens
        )

    def _pronoun(self, tokens: list[Token]) -> tuple[int, int, str] | None:
        """(first token, end token, "person" or "thing") of a pronoun, single or two tokens."""
        for i in range(len(tokens)):
            for end in (i + 2, i + 1):
                word = "".join(t.text for t in tokens[i:end])
                if end <= len(tokens) and word in self.words.person:
                    return i, end, "person"
                if end <= len(tokens) and word in self.words.thing:
                    return i, end, "thing"
        return None

    def _ellipsis(self, folded: str) -> str | None:
        """The X of "那X呢": a message that names something and asks nothing else."""
        compact = folded.replace(" ", "")
        ending = next((e for e in self.words.endings if compact.endswith(e)), None)
        if ending is None:
            return None
        body = compact[: len(compact) - len(ending)]
        opener = next((o for o in self.words.openers if body.startswith(o)), "")
        body = body[len(opener) :]
        tokens = self._tokens(body)
        if not any(t.kind != "stop" for t in tokens) or any(_asks(t) for t in tokens):
            return None
        return body

    def _names_something(self, tokens: list[Token]) -> bool:
        return bool(self._names(tokens))

    # ------------------------------------------------------------------ readings

    def _resolve_pronoun(
        self, folded: str, tokens: list[Token], pronoun: tuple[int, int, str], context: Context
    ) -> list[str]:
        """The message with its pronoun replaced by what it likely stands for: a person for
        他, a thing for 它; one whose name holds the noun after it first (这个学院 ->
        人工智能学院), and then the noun goes too."""
        start, end, kind = pronoun
        after = tokens[end] if end < len(tokens) else None
        noun = after if after is not None and _noun(after) else None
        spans = _spans(folded, tokens)
        names = list(dict.fromkeys([*context.topic, *context.answer]))
        if context.asked:
            names.append((context.asked, "thing"))
        people = [n for n in names if n[1] == "person"]
        things = [n for n in names if n[1] != "person"]
        if kind == "person":  # (他们 of 硕士: the people asked about, when none was named)
            asked = [n for n in things if n[0] == context.asked]
            ranked = people + asked + [n for n in things if n not in asked]
        else:
            ranked = things + people
        if noun is not None:
            ranked = [n for n in ranked if _fits(n[0], noun.text)]
            ranked.sort(key=lambda n: -_fits(n[0], noun.text))
        readings = []
        for name, _kind in ranked[:MAX_REFERENTS]:
            last = end + 1 if noun is not None and _fits(name, noun.text) >= 2 else end
            cut_from, cut_to = spans[start][0], spans[last - 1][1]
            readings.append(folded[:cut_from] + name + folded[cut_to:])
        return readings

    def _resolve_ellipsis(self, body: str, context: Context) -> list[str]:
        """The last question with the new thing in place of the old one of its kind (上海 for
        北京), else in place of the noun it asked about (科研院所 for 高校); else the last
        question said of it (今年3月 + the question)."""
        question = context.question
        tokens = self._tokens(question)
        new = self._tokens(body)
        kinds = {kind for _, kind in self._names(new)}
        if any(_timely(t) for t in new) and all(_timely(t) or t.kind == "stop" for t in new):
            kinds = {"time"}  # 现在呢 after 今年3月...: another time
        readings = []
        slot = self._slot(question, tokens, kinds)
        if slot is not None:
            readings.append(question[: slot[0]] + body + question[slot[1] :])
        if context.asked and context.asked in question:
            readings.append(question.replace(context.asked, body, 1))
        if slot is None:
            readings.append(_joined(body, question))
        return readings

    def _slot(self, question: str, tokens: list[Token], kinds: set[str]) -> tuple[int, int] | None:
        """Where the question names a thing of one of these kinds (a run of time words counts
        as one: 今年3月), as a span of its text."""
        spans = _spans(question, tokens)
        found: tuple[int, int] | None = None
        for token, (start, end) in zip(tokens, spans, strict=True):
            kind = "time" if _timely(token) else self._kind(token) if token.kind == "entity" else ""
            if kind and kind in kinds:
                if found is not None and found[1] != start:
                    break
                found = (found[0] if found else start, end)
            elif found is not None:
                break
        return found

    # ------------------------------------------------------------------ helpers

    def _tokens(self, normalised: str) -> list[Token]:
        return self.analyzer.tokens(normalised, fuzzy=True) if normalised.strip() else []

    def _names(self, tokens: list[Token]) -> tuple[Name, ...]:
        names = [
            (t.text, self._kind(t))
            for t in tokens
            if t.kind == "entity"
            and t.text not in _GENERIC_PLACES
            and t.text not in self.engine.index.smalltalk_words  # (谢谢 reads as a name)
        ]
        return tuple(dict.fromkeys(names))

    def _kind(self, token: Token) -> str:
        known = self.analyzer.entity_types.get(token.text)
        return known or _TYPE_BY_POS.get(token.pos, "thing")


_GENERIC_PLACES = frozenset(["我国", "全国", "中国"])  # named by nearly every sentence


def _asks(token: Token) -> bool:
    """A question word (什么, 多少, 谁...): the message asks something of its own."""
    return token.kind == "stop" and (
        token.text[:1] in "谁哪几" or token.text.startswith(("什么", "多", "怎", "啥", "为"))
    )


def _timely(token: Token) -> bool:
    """A word of time: 今年, 现在, 3月, 2023年."""
    return token.pos == "t" or (
        token.kind in ("number", "word") and token.text[-1:] in "年月日" and len(token.text) > 1
    )


def _noun(token: Token) -> bool:
    return token.kind in ("word", "entity") and token.pos.startswith("n")


def _nounish(token: Token) -> bool:
    return _noun(token) and len(token.text) > 1


def _fits(name: str, noun: str) -> int:
    """How well a name fits the noun a pronoun came with: 2 if it ends in or holds it
    (人工智能学院 for 学院), 1 if they share a character, else 0."""
    if name.endswith(noun) or noun in name:
        return 2
    return 1 if set(name) & set(noun) else 0


def _spans(folded: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Where each token stands in the folded text (tokens are its words, in order)."""
    spans, at = [], 0
    for token in tokens:
        found = folded.find(token.text, at)
        if found < 0:
            found = at
        spans.append((found, found + len(token.text)))
        at = found + len(token.text)
    return spans


def _joined(first: str, second: str) -> str:
    return f"{first} {second}".strip()


def converse(engine: Engine, text: str, context: Context, now: float) -> tuple[Reply, Context]:
    """One turn of a conversation: the reply to `text`, and the context for the next turn."""
    return engine.conversation.converse(text, context, now)
