"""The rest of a list the last answer quoted but only partly said, for "还有什么成绩" (mores.py).

A quote may be a list ("7人入选……；1个教授团队2项研究成果入选……；首次培育出“优薯1号”……")
while the answer line says one item of it ("“优薯1号”是……首次培育出的概念性品种"). Asked for
other things of the kind the list speaks of, the user wants the items not said yet, which stand
in the very paragraph shown: a later paragraph that merely names the kind ("傲人成绩的背后")
tells no other one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.engine.normalize import normalize
from bot.engine.reply import Reply

if TYPE_CHECKING:
    from bot.engine.context import Context
    from bot.engine.engine import Engine

_ITEMS = re.compile(r"[；;]")
LISTED_LEAD = "这一段还列出了：{items}。"


def rest_of_list(
    engine: Engine,
    context: Context,
    kinds: tuple[str, ...],
    said_in: Callable[[str, str], bool],
) -> tuple[Reply, tuple[str, ...]] | None:
    """The reply naming the items of the first quoted fact's list that the answer line did not
    say, when that fact speaks of the kinds asked (成绩 in 成绩单); None when it is no list, the
    answer said all of it or none of it, or more was already shown. `said_in(item, lead)` tells
    whether the answer line says an item (by its names and figures)."""
    if context.mores or not context.shown or not kinds:
        return None
    try:
        fact = engine.knowledge.fact(context.shown[0])
    except KeyError:
        return None
    folded = engine.index.analyzer.fold(normalize(fact.text), fuzzy=True).replace(" ", "")
    items = [item.strip() for item in _ITEMS.split(fact.text) if item.strip()]
    answer = engine.reply_for(context.key)
    if len(items) < 2 or answer is None or not all(kind in folded for kind in kinds):
        return None
    unsaid = [item for item in items if not said_in(item, answer.lead)]
    if not unsaid or len(unsaid) == len(items):
        return None
    source = next((s for s in answer.sources if s.fact_id == fact.id), engine.source(fact))
    reply = Reply(
        "answer",
        LISTED_LEAD.format(items="；".join(item.rstrip("。") for item in unsaid)),
        (source,),
        score=1.0,
        keys=(fact.id,),
        related=engine.replies.has_related(fact.id),
    )
    return reply, context.shown
