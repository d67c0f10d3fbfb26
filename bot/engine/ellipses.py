"""Ellipses in a conversation ("科研院所呢？", "那肥城的战略目标呢"), for bot/engine/context.py.

"X呢" is the last question asked of X (bot/engine/followup.py builds those readings); when the
article has no such answer, the message alone, but only as far as what it names allows: a place
put for the last frame's, or a thing the article says many things of, is read alone only for a
thing asked of it besides. A mixin of `Conversation`, which holds the engine and the reader.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.engine.followwords import nounish, timely
from bot.engine.normalize import normalize
from bot.engine.reply import Reply

if TYPE_CHECKING:
    from bot.engine.context import Context
    from bot.engine.engine import Engine
    from bot.engine.followup import Reader

MAX_ALONE_FACTS = 2  # "X呢" is read alone only of a thing this few sentences name


class Ellipses:
    """The ellipsis stage of a conversation (holds no conversation state)."""

    engine: Engine
    read: Reader
    _folded_facts: list[str] | None

    def _ellipsis_reply(
        self, text: str, body: str, context: Context, now: float
    ) -> tuple[Reply, Context]:
        """ "X呢" as the last question asked of X, unless that gives the last answer again
        without saying X (照片呢 after 图表谁做的, 天津呢 after a figure for 津冀); if the
        article has no such answer, the message alone, but only when that answer speaks of X
        itself and, when X is only a name, the article says little else of it and it is no
        place put for the last frame's (保定·中关村创新中心呢 -> what the article says of it;
        清华呢 is not answered with one of its several sentences about 清华大学, nor 那北京的
        科学家呢 after a count of 深圳's, but 那肥城的战略目标呢 asks a thing of its own)."""

        def new(reply: Reply) -> bool:
            return reply.key != context.key or self._says(reply, body)

        tokens = self.read.tokens(body)
        named = [name for name, _ in self.read.names(tokens)]
        only_names = all(  # 保定那边 (but not 雄安的二期入驻率)
            t.kind in ("entity", "stop") or t.pos.startswith(("r", "f")) for t in tokens
        )
        sibling = self._sibling_item(named, context) if only_names else None
        if sibling is not None:
            reading, reply = sibling
            return reply, self._after(reading, reply, context, now)
        readings = self.read.resolve_ellipsis(text, body, context)
        reply, after = self._first_answer(readings, context, now, admits=new)
        if reply.kind == "answer":
            if context.asked and not after.asked and body in after.question.replace(" ", ""):
                after = replace(after, asked=body)  # 科研院所 put for 高校 is asked about now
            return reply, after
        wanted = named
        if self._names_only_refused(tokens, context):
            asked = context.question.replace(" ", "")
            own = [t.text for t in tokens if nounish(t) and t.text not in asked]
            own = [noun for noun in own if noun not in named]
            wanted = named + own
            if not own or any(t.text in self.read.words.other for t in tokens):
                return reply, after  # (那北京的科学家呢 after a count of 深圳's; 那清华的其他
                # 成果呢: other things than the last answer's)
        alone = self.engine.ask(text)
        about = self._quotes(alone, wanted) if named else self._says(alone, body, True)
        if alone.kind == "answer" and new(alone) and about:
            return alone, self._after(text, alone, context, now)
        return reply, after

    def _sibling_item(self, named: list[str], context: Context) -> tuple[str, Reply] | None:
        """天津呢 after one item of a list (the data box's figure for 雄安's park): the answer
        for the other item of that list about a body of each of these (folded) names (天津滨海
        —中关村科技园, not 北京 merely mentioned), and a question it answers (its first curated
        one) as the message's reading."""
        knowledge = self.engine.knowledge
        try:
            fact = knowledge.fact(context.shown[0]) if context.shown and named else None
            article = knowledge.article(fact.article) if fact else None
        except KeyError:
            return None
        if fact is None or article is None or not article.paragraph(fact.paragraph).is_item:
            return None
        items = [p.id for p in article.section(fact.section).paragraphs if p.is_item]
        for item in items:
            facts = [f for f in knowledge.facts if f.paragraph == item and f.id != fact.id]
            bodies = [self._fold(normalize(e)).replace(" ", "") for f in facts for e in f.entities]
            about = all(any(n in b and n != b for b in bodies) for n in named)
            if item != fact.paragraph and facts and about:
                own = [i for i in knowledge.intents if facts[0].id in i.facts and i.examples]
                intent = min(own, key=lambda i: len(i.facts), default=None)  # (not the box's)
                reply = self.engine.reply_for(intent.id if intent else facts[0].id)
                if reply is not None:
                    return (intent.examples[0] if intent else facts[0].text), reply
        return None

    def _names_only_refused(self, tokens: list, context: Context) -> bool:
        """Is this the body of an ellipsis that, were it only its names, is never read alone:
        a place put for the last frame's (那河北呢 after a figure of 津冀), or a thing the
        article says many things of (清华呢)? Then only a thing asked of it besides (那肥城的
        战略目标呢), which the answer alone must quote too, lets it be."""
        names = self.read.names(tokens)
        framed = {kind for _, kind in self.read.names(self.read.tokens(context.question))}
        if names and all(kind == "place" for _, kind in names) and "place" in framed:
            return True
        return any(self._naming(name) > MAX_ALONE_FACTS for name, _ in names)

    def _naming(self, name: str) -> int:
        """How many of the article's sentences name this (folded) name."""
        if self._folded_facts is None:
            self._folded_facts = [
                self._fold(normalize(f.text)).replace(" ", "") for f in self.engine.knowledge.facts
            ]
        return sum(name in text for text in self._folded_facts)

    def _says(self, reply: Reply, body: str, examples: bool = False) -> bool:
        """Does the answer say the things this (folded) text names, in its answer line (with
        no line of its own, its quotes), or, with `examples`, in the questions curated for its
        intent (照片呢 -> "照片是谁拍的")? 科研人员呢 is not answered by "北京有1000余所科研
        院所" again; 今年3月的时候呢 names no thing, so the same answer may say it."""
        named = [
            t.text
            for t in self.read.tokens(body)
            if (t.kind == "entity" or nounish(t)) and not timely(t)
        ]
        if examples and not named:
            named = [body.replace(" ", "")]  # (二期呢 alone must say 二期 itself)
        said = [reply.lead] if reply.intent else [s.quote for s in reply.sources]
        if examples and reply.intent:
            intent = next((i for i in self.engine.knowledge.intents if i.id == reply.intent), None)
            said += intent.examples if intent else ()
        folded = [self._fold(normalize(text)).replace(" ", "") for text in said]
        return all(any(name in text for text in folded) for name in named)



def part_for_part(question: str, asked: str, body: str) -> list[str]:
    """The last question asked of one part of a whole it named (三城一区, 三城是哪三个) with the
    other part in its place (那一区呢: 一区是哪个), when the body is that other part."""
    other = asked.replace(body, "", 1) if body in asked and body != asked else ""
    at = question.find(other, question.find(asked) + len(asked)) if other else -1
    return [question[:at] + body + question[at + len(other) :]] if at >= 0 else []
