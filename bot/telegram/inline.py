"""Inline mode: ``@bot 问题`` typed in any chat offers up to five answers to pick from.

Queries come a keystroke at a time, so a sender has a limit of their own, wider than the one
on questions; over it they get an empty answer that is theirs alone and never cached, and
the engine is not asked.
"""

from __future__ import annotations

from telegram import InlineQueryResultsButton, Update
from telegram.ext import ContextTypes

from bot.telegram import render
from bot.telegram.flood import Verdict
from bot.telegram.services import services


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``@bot 问题`` in any chat: up to five answers to pick from."""
    s = services(context)
    query = update.inline_query
    assert query is not None
    text = s.asker.prepare(query.query)
    guard = s.inline_flood
    if text and guard is not None and guard.check(query.from_user.id) is not Verdict.ALLOW:
        # Over the limit: no engine call; this answer is the sender's alone and not cached.
        slow = InlineQueryResultsButton(
            render.INLINE_SLOW_DOWN, start_parameter=render.INLINE_START_PAYLOAD
        )
        await query.answer([], cache_time=0, is_personal=True, button=slow)
        return
    replies = await s.asker.answers(text, limit=5) if text else []
    results = s.renderer.inline_results(replies, context.bot.username)
    button = None
    if not results:
        label = render.INLINE_NOTHING if text else render.INLINE_HINT
        button = InlineQueryResultsButton(label, start_parameter=render.INLINE_START_PAYLOAD)
    await query.answer(results, cache_time=60, button=button)
