"""The buttons under the bot's messages: 原文, 相关, suggestions, examples and votes."""

from __future__ import annotations

from telegram import MaybeInaccessibleMessage, Message, Update

from bot.telegram import render
from bot.telegram.addressing import addressed, message_text, strip_mentions
from bot.telegram.callbacks import Action
from bot.telegram.flood import Verdict
from bot.telegram.plumbing import Context, edit, follow_on, question_for_key, replying, send
from bot.telegram.services import Services, services

__all__ = ["on_button"]


async def on_button(update: Update, context: Context) -> None:
    """原文, 相关, suggestions, examples and votes; anything unrecognised is called stale."""
    s = services(context)
    query = update.callback_query
    assert query is not None
    button = s.codec.decode(query.data)
    message = query.message
    if button is None or message is None:
        await query.answer(render.STALE_BUTTON)
        return
    if button.action in (Action.UP, Action.DOWN):
        await _vote(update, context, s, message, button.key, button.action is Action.UP)
        return
    if s.flood.check(query.from_user.id) is not Verdict.ALLOW:
        await query.answer(render.SLOW_DOWN)
        return
    with replying(update, s):
        chat_id = message.chat.id
        if button.action is Action.ORIGINAL:
            rendered = s.renderer.original(s.engine.paragraphs_for(button.key))
            if rendered is None:
                await query.answer(render.STALE_BUTTON)
                return
            await send(context, message, rendered)
        elif button.action is Action.RELATED:
            rendered = s.renderer.related(s.engine.related(button.key, limit=3))
            if rendered is None:
                await query.answer(render.NO_RELATED)
                return
            await send(context, message, rendered)
        else:
            reply = s.engine.reply_for(button.key)
            if reply is None:
                await query.answer(render.STALE_BUTTON)
                return
            rendered = s.renderer.reply(reply)
            asked = question_for_key(s, button.key)
            turn = (message.chat, query.from_user.id, asked, reply)
            if button.action is Action.SUGGEST:
                # Answer in place of the clarify message; the vote keeps the original question.
                asked = s.memory.question_of(chat_id, message.message_id) or asked
                # A message Telegram no longer has (date 0) cannot be edited.
                if message.is_accessible and await edit(
                    context, chat_id, message.message_id, rendered, message
                ):
                    s.memory.remember(chat_id, None, message.message_id, asked, rendered)
                    follow_on(s, *turn, message.message_id)
                    await query.answer()
                    return
            sent = await send(context, message, rendered)
            s.memory.remember(chat_id, None, sent.message_id, asked, rendered)
            follow_on(s, *turn, sent.message_id)
        await query.answer()


async def _vote(
    update: Update,
    context: Context,
    s: Services,
    message: MaybeInaccessibleMessage,
    key: str,
    up: bool,
) -> None:
    query = update.callback_query
    assert query is not None
    reply = s.engine.reply_for(key)
    if reply is None or not reply.sources:
        await query.answer(render.STALE_BUTTON)
        return
    question = s.memory.question_of(message.chat.id, message.message_id)
    if question is None and isinstance(message, Message) and message.reply_to_message:
        # After a restart: in groups the answer replies to the question it answers.
        asked = message.reply_to_message
        found = addressed(asked, bot_id=context.bot.id, username=context.bot.username)
        question = found.question if found else strip_mentions(message_text(asked) or "", "")
    await s.storage.aio.record_vote(
        chat_id=message.chat.id,
        message_id=message.message_id,
        user_id=query.from_user.id,
        question=question or None,
        fact_id=reply.sources[0].fact_id,
        vote=1 if up else -1,
    )
    await query.answer(render.VOTED_UP if up else render.VOTED_DOWN)
