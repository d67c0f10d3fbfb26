"""Follow-ups that read like the last answer's but ask what its passage leaves unsaid, for
bot/engine/context.py: the names of what it only counts (那家医院叫什么 after 河北一家医院),
a part of a figure it gives for a whole (其中河北有多少家). bot/engine/unsaid.py tells them;
this mixin of `Conversation` gives it the passage, the message's nouns and the reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine.followwords import asks_quantity, content_nouns
from bot.engine.normalize import normalize
from bot.engine.reply import Reply
from bot.engine.unsaid import asks_names_of_counted, asks_part_of_whole

if TYPE_CHECKING:
    from bot.engine.context import Context
    from bot.engine.engine import Engine
    from bot.engine.followup import Reader


class Unasked:
    """The unsaid checks of a conversation (holds no conversation state)."""

    engine: Engine
    read: Reader

    def _fold(self, text: str) -> str:
        return self.engine.index.analyzer.fold(text, fuzzy=True)

    def _passage(self, fact_ids: tuple[str, ...]) -> str:
        """The article's text of these facts, in order."""
        texts = []
        for fact_id in fact_ids:
            try:
                texts.append(self.engine.knowledge.fact(fact_id).text)
            except KeyError:
                continue
        return "。".join(texts)

    def _names_of_counted(self, folded: str, tokens: list, context: Context) -> bool:
        """A follow-up asking the names of what the last passage only counts (那7个人都叫什么,
        那家医院叫什么); only one about that passage: every name it gives is in it. With no
        noun or pronoun of its own (分别是哪几个), it asks of the last question's."""
        passage = self._passage(context.shown)
        words = self.read.words
        in_passage = self._fold(normalize(passage)).replace(" ", "")
        if any(name not in in_passage for name, _ in self.read.names(tokens)):
            return False
        asking = "".join((*words.names, *words.members))
        said = [t.text for t in tokens if t.kind in ("word", "frame") and len(t.text) > 1]
        quiet = words.more | words.fillers | words.person | words.thing
        if any(w not in asking and w not in quiet and w not in in_passage for w in said):
            return False  # 它在哪家医院研发的: not the hospital the passage counts (推广应用)
        nouns = _named_one(folded, content_nouns(tokens), words.names)
        if not nouns and self.read.pronoun(tokens) is None:  # (它叫什么: of its referent)
            nouns = content_nouns(self.read.tokens(context.question))
        compact = folded.replace(" ", "")
        at = min((compact.find(w) for w in words.names if w in compact), default=-1)
        plural = tuple(w for w in words.person if "们" in w or "些" in w)
        if at > 0 and any(0 <= compact.find(n) < at for n in nouns if n not in asking):
            plural = ()  # 他们培育的那个品种叫啥: the 品种's name, not theirs
        return asks_names_of_counted(folded, nouns, passage, (words.names, words.members, plural))

    def _part_of_whole(self, folded: str, tokens: list, reply: Reply) -> bool:
        """A breakdown (其中河北有多少家) answered with a quote that never names the part, or
        gives no figure beside it."""
        parts = [name for name, _ in self.read.names(tokens)]
        quoted = self._fold(normalize("".join(s.quote for s in reply.sources)))
        quantity = any(asks_quantity(t) for t in tokens)
        return asks_part_of_whole(folded, parts, self.read.words.breakdown, quoted, quantity)


def _named_one(folded: str, nouns: list[str], names: tuple[str, ...]) -> list[str]:
    """Of a message asking a name, only the noun it asks the name of, the last before the
    asking words (企业那边的负责人叫啥 asks the 负责人's, not the 企业's); else every noun."""
    compact = folded.replace(" ", "")
    at = min((compact.find(w) for w in names if w in compact), default=-1)
    if at < 0:
        return nouns
    before = [(compact.rfind(noun, 0, at), noun) for noun in nouns]
    last = max((pair for pair in before if pair[0] >= 0), default=None)
    return [last[1]] if last else nouns
