"""The update handlers: each turns one update into an engine call and one message.

Deciding *whether* a message is for us lives in ``addressing``, *what* to say in ``render``,
button data in ``callbacks``, what every handler does alike in ``plumbing``, the buttons in
``buttons``; these functions only wire them to the Bot API. A handler that decides to reply
marks the update as "due" until the reply is out, so the error handler knows whom to
apologise to.
"""

from __future__ import annotations

import random
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.engine.context import Context as ContextValue
from bot.engine.reply import Reply
from bot.telegram import inline, render
from bot.telegram.addressing import addressed, is_command_like, message_text
from bot.telegram.buttons import on_button
from bot.telegram.plumbing import (
    Context,
    edit,
    flood_ok,
    from_a_person,
    question_for_key,
    record_unanswered,
    replying,
    send,
    sender_id,
)
from bot.telegram.services import Services, services

__all__ = ["COMMANDS", "PEOPLE", "install"]

# New messages and edits from people; channel posts belong to the daily-post handlers.
PEOPLE = (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE) & ~filters.FORWARDED
COMMANDS = filters.UpdateType.MESSAGE & ~filters.FORWARDED & ~filters.IS_AUTOMATIC_FORWARD


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Registers every handler of the question-answering bot in handler group 0."""
    application.add_handlers(
        [
            CommandHandler("start", on_start, filters=COMMANDS),
            CommandHandler("help", on_help, filters=COMMANDS),
            CommandHandler("about", on_about, filters=COMMANDS),
            CommandHandler("fact", on_fact, filters=COMMANDS),
            MessageHandler((filters.TEXT | filters.CAPTION) & PEOPLE, on_message),
            CallbackQueryHandler(on_button),
            InlineQueryHandler(inline.on_inline_query),
        ]
    )


# ---------------------------------------------------------------------- questions


async def on_message(update: Update, context: Context) -> None:
    """A text or caption: answer it if it is a question for us, else stay silent."""
    s = services(context)
    message = update.effective_message
    if message is None or not from_a_person(message):
        return
    edited = update.edited_message is not None
    found = addressed(message, bot_id=context.bot.id, username=context.bot.username)
    if found is None:
        text = message_text(message) or ""
        if not edited and message.chat.type == ChatType.PRIVATE and is_command_like(text):
            with replying(update, s):
                await send(context, message, render.Renderer.notice(render.UNKNOWN_COMMAND))
        return
    previous = s.memory.answer_for(message.chat.id, message.message_id) if edited else None
    if previous is not None and previous.question == found.question:
        return  # an edit that did not change the question (e.g. a link preview appeared)
    with replying(update, s):
        if not found.question:
            if not edited:
                hint = s.renderer.empty_question(context.bot.username, found.via)
                await send(context, message, hint)
            return
        if not await flood_ok(context, s, message, edited):
            return
        reply, after = await _converse(s, message, found.question, edited)
        rendered = s.renderer.reply(reply)
        chat_id = message.chat.id
        answer_id = previous.answer_message_id if previous is not None else None
        shown = s.memory.shown(chat_id, answer_id) if answer_id is not None else None
        if answer_id is None or not await edit(context, chat_id, answer_id, rendered, shown):
            answer_id = (await send(context, message, rendered)).message_id
        s.memory.remember(chat_id, message.message_id, answer_id, found.question, rendered)
        if after is not None:  # only once the reply is out: an unsent one is no context
            s.conversations.put(_conversation_of(message), after)
            s.conversations.answered(chat_id, answer_id, after)
        # Kept once the asker has seen the reply: a failed send is asked again, not kept twice.
        # A person's own id only: an anonymous admin or a channel is no user to forget.
        asker = message.from_user if message.sender_chat is None else None
        user_id = asker.id if asker is not None else None
        record_unanswered(s, found.question, reply, message.chat.type, user_id)


async def _converse(
    s: Services, message: Message, question: str, edited: bool
) -> tuple[Reply, ContextValue | None]:
    """The reply, and the conversation's context after it. A follow-up ("它是谁发布的？")
    is read with the last answer of its conversation, or with the answer it replies to; an
    edited question is read alone (its conversation has moved on since) and leaves the
    context as it is."""
    if edited:
        return await s.asker.ask(question), None
    now = s.conversations.clock()
    target = message.reply_to_message  # a reply to one of our answers follows on from it
    before = s.conversations.of_answer(message.chat.id, target.message_id, now) if target else None
    if before is None:
        before = s.conversations.get(_conversation_of(message), now)
    return await s.asker.converse(question, before, now)


def _conversation_of(message: Message) -> tuple[int, int | None]:
    """A private chat is one conversation; in a group each member has their own."""
    if message.chat.type == ChatType.PRIVATE:
        return (message.chat.id, None)
    return (message.chat.id, sender_id(message))


# ---------------------------------------------------------------------- commands


def _payload(message: Message) -> str:
    """What follows ``/start`` (or ``/start@bot``): the deep-link payload."""
    _, _, rest = (message.text or "").partition(" ")
    return rest.strip()


async def on_start(update: Update, context: Context) -> None:
    """Welcome with example buttons; ``/start <payload>`` opens the fact the link names."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    payload = _payload(message)
    note = ""
    with replying(update, s):
        if payload and payload != render.INLINE_START_PAYLOAD:
            key = s.codec.from_payload(payload)
            reply = s.engine.reply_for(key) if key is not None else None
            if key is not None and reply is not None:
                sent = await send(context, message, s.renderer.reply(reply))
                s.memory.remember(message.chat.id, None, sent.message_id, question_for_key(s, key))
                return
            note = render.EXPIRED_LINK
        user = message.from_user
        name = user.first_name if user and message.sender_chat is None else ""
        welcome = s.renderer.welcome(name, context.bot.username, message.chat.type, note)
        await send(context, message, welcome)


async def on_help(update: Update, context: Context) -> None:
    s = services(context)
    assert update.effective_message is not None
    with replying(update, s):
        await send(context, update.effective_message, s.renderer.help(context.bot.username))


async def on_about(update: Update, context: Context) -> None:
    s = services(context)
    assert update.effective_message is not None
    with replying(update, s):
        await send(context, update.effective_message, s.renderer.about())


async def on_fact(update: Update, context: Context) -> None:
    """A random curated fact with its source, not the same one twice in a row in a chat."""
    s = services(context)
    message = update.effective_message
    assert message is not None
    with replying(update, s):
        if not await flood_ok(context, s, message, edited=False):
            return
        intents = s.engine.daily_intents() or list(s.engine.knowledge.intents)
        last = s.last_fact.get(message.chat.id)
        choices = [i for i in intents if i.id != last] or intents
        intent = random.choice(choices)
        s.last_fact.put(message.chat.id, intent.id)
        reply = s.engine.reply_for(intent.id)
        assert reply is not None
        sent = await send(context, message, s.renderer.reply(reply))
        s.memory.remember(message.chat.id, None, sent.message_id, "/fact")
