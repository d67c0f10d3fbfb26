"""The text and button of one daily post, built from the engine's answer for an intent.

A post reads: a short headline, the fact line, the verbatim quote in a ``<blockquote>`` with
its locator, and a button that deep-links into a private chat with the bot
(``https://t.me/<bot>?start=<intent_id>``), where the Telegram part answers that intent and
takes follow-up questions.
Everything from the knowledge is HTML-escaped: article text may contain ``<`` or ``&``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine.engine import Engine
from bot.telegram.callbacks import deep_link

__all__ = ["BUTTON_TEXT", "DailyPost", "compose_post"]

BUTTON_TEXT = "💬 私聊机器人，继续提问"
HEADLINE = "📌 每日一事实"
# Telegram's limit is 4096 characters; leave room for the headline and locator.
MAX_QUOTE_CHARS = 3000


@dataclass(frozen=True, slots=True)
class DailyPost:
    intent_id: str
    text: str  # HTML
    markup: InlineKeyboardMarkup | None


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def compose_post(engine: Engine, intent_id: str, bot_username: str | None) -> DailyPost | None:
    """The post for ``intent_id``; None if the knowledge no longer has an answer for it."""
    reply = engine.reply_for(intent_id)
    if reply is None or reply.kind != "answer":
        return None
    intent = next((i for i in engine.knowledge.intents if i.id == intent_id), None)
    title = intent.title if intent is not None and intent.title else ""
    headline = f"{HEADLINE}｜{title}" if title else HEADLINE
    parts = [f"<b>{_esc(headline)}</b>", "", _esc(reply.lead)]
    if reply.sources:
        source = reply.sources[0]  # the intent's main quote
        quote = source.quote
        if len(quote) > MAX_QUOTE_CHARS:
            quote = quote[: MAX_QUOTE_CHARS - 1] + "…"
        parts += ["", f"<blockquote>{_esc(quote)}</blockquote>", f"来源：{_esc(source.locator)}"]
    # The Telegram part owns the /start payload format, so it builds the link.
    markup = (
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(BUTTON_TEXT, url=deep_link(bot_username, intent_id))]]
        )
        if bot_username
        else None
    )
    return DailyPost(intent_id, "\n".join(parts), markup)
