"""What a follow-up message is, and how it reads on its own (bot/engine/context.py decides).

A message leans on the last answer when it holds a pronoun (它, 他, 这个学院, it), is an
ellipsis ("科研院所呢？", "what about Tianjin?") or asks for more ("还有呢", "原文怎么说": told
in bot/engine/mores.py). Its standalone readings put the context's slots back in: the referent
in place of the pronoun, the new thing into the last question's frame in place of the old one of
its kind. The words that mark these are data (`followups` in knowledge/language.yaml), loaded
once per engine.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.engine.analysis import Token
from bot.engine.ellipses import part_for_part
from bot.engine.followwords import (
    Words,
    asks_word,
    is_noun,
    plural,
    timely,
)
from bot.engine.normalize import normalize
from bot.engine.referents import asks_its_name, head_noun, passage_names, pointed_into

if TYPE_CHECKING:
    from bot.engine.context import Context
    from bot.engine.engine import Engine

MAX_REFERENTS = 2  # readings tried for one pronoun: the likeliest things it may stand for
_TYPE_BY_POS = {"nr": "person", "nrt": "person", "nrfg": "person", "ns": "place", "nt": "org"}

Name = tuple[str, str]  # (canonical text, type: person, place, org, product, ... or "thing")


class Reader:
    """Tells what a message is and builds its standalone readings (no conversation state)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.analyzer = engine.index.analyzer
        self.words = Words.of(engine.knowledge.followups)
        self.terms = frozenset(normalize(t.term) for t in engine.knowledge.terms)

    def asks_something(self, tokens: list[Token]) -> bool:
        """Does the message ask anything beyond its pronouns and particles: a word the
        knowledge uses, or a question word ("它是谁" does; "它", "？", "xxxx" do not)?"""
        pronouns = self.words.person | self.words.thing
        return any(asks_word(t) for t in tokens) or any(
            t.kind != "stop" and t.text not in pronouns and self.engine.index.known(t.text)
            for t in tokens
        )

    def pronoun(self, tokens: list[Token]) -> tuple[int, int, str, bool] | None:
        """(first token, end token, "person" or "thing", whether a noun after it is its own)
        of a pronoun of one or two tokens."""
        for i in range(len(tokens)):
            for end in (i + 2, i + 1):
                word = "".join(t.text for t in tokens[i:end])
                if end > len(tokens) or not (word in self.words.person or word in self.words.thing):
                    continue
                if word in self.words.locatives and i and is_noun(tokens[i - 1]):
                    continue  # 地图上面: where on a thing it names, not a pronoun
                inside = word in self.words.locatives and i and tokens[i - 1].pos.startswith("p")
                if self.names_something(tokens[:i]) and not inside:
                    return None  # "姚智是谁，他得过什么奖": 他 is the message's own 姚智 (but
                    # 中关村在这里面: the last topic)
                if word in self.words.person and self._demonstrative_at(tokens, end):
                    return i, self._demonstrative_at(tokens, end), "thing", True  # 他那个研究所:
                    # his institute, which the noun says
                kind = "person" if word in self.words.person else "thing"
                return i, end, kind, word in self.words.demonstratives
        return None

    def _demonstrative_at(self, tokens: list[Token], at: int) -> int:
        """The end of a demonstrative of one or two tokens starting at `at` (0: none)."""
        for end in (at + 2, at + 1):
            word = "".join(t.text for t in tokens[at:end])
            if end <= len(tokens) and word in self.words.demonstratives:
                return end
        return 0

    def ellipsis(self, folded: str) -> str | None:
        """The X of "那X呢": a message that names something and asks nothing else."""
        compact = folded.replace(" ", "")
        ending = next((e for e in self.words.endings if compact.endswith(e)), "")
        body = compact[: len(compact) - len(ending)]
        opener = next((o for o in self.words.openers if body.startswith(o)), "")
        if not ending and not opener:
            return None
        body = body[len(opener) :]
        tokens = self.tokens(body)
        if not any(t.kind != "stop" for t in tokens) or any(asks_word(t) for t in tokens):
            return None
        return body

    def of_passage(self, normalised: str, box: str) -> str | None:
        """The message with the words pointing at the passage shown (这段消息是哪来的) put as
        the box it stands in (相关链接的消息是哪来的); None without such words or a box."""
        compact = normalised.replace(" ", "")
        for pointer in self.words.passage if box else ():
            at = compact.find(pointer)
            if at >= 0:
                rest = compact[at + len(pointer) :].removeprefix("的")
                return f"{compact[:at]}{box}的{rest}"
        return None

    def generic_subject(self, tokens: list[Token]) -> bool:
        """Is the message's first word a place as wide as the country (那全国平均是多少), its
        subject, not a scope after a preposition (在全国排第几)?"""
        first = next((t for t in tokens if t.kind != "stop" or t.pos.startswith("p")), None)
        return first is not None and first.text in _GENERIC_PLACES

    def names_something(self, tokens: list[Token]) -> bool:
        return bool(self.names(tokens))

    # ------------------------------------------------------------------ readings

    def resolve_pronoun(
        self,
        normalised: str,
        folded: str,
        tokens: list[Token],
        pronoun: tuple[int, int, str, bool],
        context: Context,
    ) -> list[tuple[str, str]]:
        """(reading, referent): the message with its pronoun replaced by what it likely
        stands for, likeliest first: a person for
        他, a thing for 它; one whose name holds the noun after it first (这个学院 ->
        人工智能学院), and then the noun goes too."""
        start, end, kind, takes_noun = pronoun
        spans = _spans(folded, tokens)
        own = {name for name, _ in self.names(tokens)}  # (它现在只在北京吗: 它 is not 北京)
        names = [n for n in dict.fromkeys([*context.topic, *context.answer]) if n[0] not in own]
        if context.asked:
            names.append((context.asked, "thing"))
        after = tokens[end] if end < len(tokens) and takes_noun else None
        noun = (
            after
            if after is not None and (is_noun(after) or head_noun(after, [n for n, _ in names]))
            else None
        )
        people = [n for n in names if n[1] == "person"]
        things = [n for n in names if n[1] != "person"]
        word = "".join(t.text for t in tokens[start:end])
        if kind == "person" and people and not plural(word):
            ranked = people  # 他 after 阮珏 is never his institute
        elif kind == "person":  # (他们 of 硕士: the people asked about, when none was named)
            asked = [n for n in things if n[0] == context.asked]
            ranked = people + asked + [n for n in things if n not in asked]
        else:
            ranked = things + people
        pointed: list[tuple[str, str]] = []
        if noun is not None:
            ranked = [n for n in ranked if _fits(n[0], noun.text)]
            if not any(_fits(n[0], noun.text) > 1 for n in ranked):
                shown = passage_names(self.engine, context.shown, noun.text)
                ranked = shown + ranked  # 那家研究院 of the photo's section
                if not shown:
                    pointed = pointed_into(self.engine, normalised, word, noun.text, context)
            if noun.text in self.terms and not any(_fits(n[0], noun.text) > 1 for n in ranked):
                return []  # 那个协同创新推动专项: a name of the article's own, not one before
            ranked.sort(key=lambda n: -_fits(n[0], noun.text))
        elif kind == "thing" and plural(word):
            ranked = [*_both(context), *ranked]  # 它们 after 夸父 then 悟道3.0: both
        at = _find_word(normalised, word)
        readings = list(pointed)
        for name, _kind in ranked[:MAX_REFERENTS]:
            if at < 0:  # (the pronoun reads otherwise once folded: replace it there)
                last = end + 1 if noun is not None and _fits(name, noun.text) >= 1 else end
                cut_from, cut_to = spans[start][0], spans[last - 1][1]
                readings.append((folded[:cut_from] + name + folded[cut_to:], name))
                continue
            # In the text as the user wrote it (normalised), so an English question stays
            # English: "how much does it cost" -> "how much does vidu cost".
            cut_to = at + len(word)
            rest = normalised[cut_to:]
            if noun is not None and _fits(name, noun.text) >= 1 and rest.startswith(noun.text):
                cut_to += len(noun.text)
            readings.append((_joined_at(normalised[:at], name, normalised[cut_to:]), name))
        if noun is not None and asks_its_name(folded, noun.text, self.words.names):
            readings += [(f"{name}是什么", name) for _, name in readings[len(pointed) :]]
            # 那家研究院叫什么: the name pointed at is the answer, in what the article says of it
        return readings

    def resolve_ellipsis(self, text: str, body: str, context: Context) -> list[str]:
        """The last question with the new thing in place of the old one of its kind (上海 for
        北京), else in place of the noun it asked about (科研院所 for 高校); else the last
        question said of it (今年3月 + the question)."""
        question = context.question
        tokens = self.tokens(question)
        new = self.tokens(body)
        kinds = {kind for _, kind in self.names(new)}
        if any(timely(t) for t in new) and all(timely(t) or t.kind == "stop" for t in new):
            kinds = {"time"}  # 现在呢 after 今年3月...: another time
        readings = []
        slot = self._slot(question, tokens, kinds)
        if slot is not None:
            readings.append(question[: slot[0]] + body + question[slot[1] :])
        if context.asked and context.asked in question:
            readings += part_for_part(question, context.asked, body)
            readings.append(question.replace(context.asked, body, 1))
        if slot is None and not self.names(new) and not _capitalised(text, body):
            readings.append(joined(body, question))  # (a name is never just prepended:
            # "上海 + 北京有多少所高校" would read as Beijing's question)
        return readings

    def _slot(self, question: str, tokens: list[Token], kinds: set[str]) -> tuple[int, int] | None:
        """Where the question names a thing of one of these kinds (a run of time words counts
        as one: 今年3月), as a span of its text."""
        spans = _spans(question, tokens)
        found: tuple[int, int] | None = None
        for token, (start, end) in zip(tokens, spans, strict=True):
            kind = "time" if timely(token) else self.kind(token) if token.kind == "entity" else ""
            if kind and kind in kinds:
                if found is not None and found[1] != start:
                    break
                found = (found[0] if found else start, end)
            elif found is not None:
                break
        return found

    # ------------------------------------------------------------------ helpers

    def tokens(self, normalised: str) -> list[Token]:
        return self.analyzer.tokens(normalised, fuzzy=True) if normalised.strip() else []

    def names(self, tokens: list[Token]) -> tuple[Name, ...]:
        names = [
            (t.text, self.kind(t))
            for t in tokens
            if t.kind == "entity"
            and t.text not in _GENERIC_PLACES
            and t.text not in self.engine.index.smalltalk_words  # (谢谢 reads as a name)
        ]
        return tuple(dict.fromkeys(names))

    def guessed_name(self, token: Token) -> bool:
        """Is this a person, place or body only by the segmenter's guess at a word of the
        article that the knowledge never names so (上市, 累累硕果, 高清)? Such a word is no
        slot of a context (a guessed thing, 锂电, is)."""
        return (
            token.kind == "entity"
            and token.pos in _TYPE_BY_POS
            and token.text not in self.analyzer.entity_types
            and self.engine.index.known(token.text)
        )

    def kind(self, token: Token) -> str:
        known = self.analyzer.entity_types.get(token.text)
        return known or _TYPE_BY_POS.get(token.pos, "thing")


_CAPITALISED = re.compile(r"\b[A-Z][a-z]+")
_GENERIC_PLACES = frozenset(["我国", "全国", "中国"])  # named by nearly every sentence


def _both(context: Context) -> list[Name]:
    """The things of the last two topics, when they are of one kind (夸父 and 悟道3.0, two
    products): what a plural pronoun stands for."""
    last = next((n for n in context.topic if n[1] != "person"), None)
    before = next((n for n in context.earlier if n[1] != "person"), None)
    if last is None or before is None or last == before or last[1] != before[1]:
        return []
    return [(f"{before[0]}和{last[0]}", last[1])]


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


def _capitalised(text: str, body: str) -> bool:
    """Does the body hold a word the user capitalised (and Shanghai?): a name in English."""
    return any(word.lower() in body for word in _CAPITALISED.findall(text))


def _find_word(text: str, word: str) -> int:
    """Where a word stands in a text (a Latin one only as a whole word), or -1."""
    if word.isascii():
        found = re.search(rf"\b{re.escape(word)}\b", text)
        return found.start() if found else -1
    return text.find(word)


def _joined_at(before: str, name: str, after: str) -> str:
    """A name put between two parts of a text, spaced where a Latin word meets it."""
    left = " " if before[-1:].isascii() and before[-1:].isalnum() else ""
    right = " " if after[:1].isascii() and after[:1].isalnum() else ""
    return f"{before}{left}{name}{right}{after}"


def joined(first: str, second: str) -> str:
    return f"{first} {second}".strip()
