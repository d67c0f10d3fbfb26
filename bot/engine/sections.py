"""Questions about the article's parts: the heading of the part that tells of a thing
("讲Vidu的那一节小标题是什么", "RV减速机是在哪个部分讲的").

The thing is found as any question is (the rest of the message, asked on its own); the reply
gives the heading of the part its sentence stands in, quoting the heading and the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.engine.replies import Replies
from bot.engine.reply import Reply
from bot.kb.facts import Fact
from bot.kb.store import Knowledge

# A heading asked for, or the part a thing is told in.
_ASKS = re.compile(
    r"(?:小标题|标题|题目)[^，,。？?]{0,10}(?:什么|啥|哪|叫)"
    r"|(?:哪个|哪一|哪)(?:个)?(?:部分|节|章节|板块|小标题)"
)
# The words that say so, taken out to leave the thing asked about.
_FRAME = re.compile(
    r"小标题|标题|题目|章节|板块|部分|一节|那节|这节|哪节|栏目"
    r"|那一|这一|哪一|那个|这个|哪个|那|这|哪"
    r"|是在|讲的是|讲到|讲了|讲|介绍了|介绍|写到|写的|写|谈到|谈|提到|关于|说的|说要|说"
    r"|是什么|是啥|叫什么|叫啥|什么|啥|出现在|出现|在|里面|里|中|的|呢|呀|吗|啊|了|是|叫"
    r"|[，,。？?！!“”\"'\s]"
)
# The thing a part is said to tell of: 讲|Vidu|的那一节, 介绍|京津冀区域创新地图|那部分.
_TOLD = re.compile(
    r"(?:讲|介绍|关于|谈|写|提到)(?:的是|了|到)?(.{2,20}?)的?(?:那|这)?一?个?(?:部分|节|段|板块|小标题)"
)
_MIN_REST = 2


def asks_heading(text: str) -> bool:
    return _ASKS.search(text) is not None


def heading_reply(
    knowledge: Knowledge, replies: Replies, text: str, ask: Callable[[str], Reply]
) -> Reply | None:
    """The heading of the part that tells of what the message names, or None when it asks
    no heading, names nothing else, or the thing is not found (the usual decision then)."""
    if not asks_heading(text):
        return None
    told = _TOLD.search(text)
    tries = [_FRAME.sub("", told.group(1))] if told else []
    tries.append(_FRAME.sub("", text))
    found = next(
        (r for r in map(ask, (t for t in tries if len(t) >= _MIN_REST)) if _found(r)), None
    )
    if found is None:
        return None  # "文章有哪几个小标题": the headings themselves (an intent answers it)
    fact = knowledge.fact(found.sources[0].fact_id)
    heading = _heading_of(knowledge, fact)
    if heading is None or heading.id == fact.id:
        return None
    return Reply(
        "answer",
        f"讲这件事的那一部分，小标题是：{heading.text}",
        replies.sources((heading,)) + replies.sources((fact,)),
        score=found.score,
        keys=(heading.id, fact.id),
        related=replies.has_related(fact.id),
    )


def _found(reply: Reply) -> bool:
    return reply.kind == "answer" and bool(reply.sources)


def _heading_of(knowledge: Knowledge, fact: Fact) -> Fact | None:
    """The heading fact of the section the fact's paragraph stands in, if it has one."""
    section = fact.paragraph.rsplit(".", 1)[0]
    return next(
        (f for f in knowledge.facts if f.paragraph == f"{section}.heading"), None
    )
