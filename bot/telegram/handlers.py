"""The update handlers: each turns one update into an engine call and one message.

Deciding *whether* a message is for us lives in ``addressing``, *what* to say in ``render``,
button data in ``callbacks``; these functions only wire them to the Bot API. A handler that
decides to reply marks the update as "due" until the reply is out, so the error handler
knows whom to apologise to.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from telegram import (
    Chat,
    MaybeInaccessibleMessage,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.engine.context import Context as ContextValue
from bot.engine.reply import Reply
from bot.schedule import local_date
from bot.telegram import inline, render
from bot.telegram.addressing import addressed, is_command_like, message_text, strip_mentions
from bot.telegram.callbacks import Action
from bot.telegram.flood import Verdict
from bot.telegram.render import NO_PREVIEW, Rendered
from bot.telegram.services import Services, services

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
TELEGRAM_SERVICE_USER_ID = 777000
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


# ---------------------------------------------------------------------- plumbing


@contextmanager
def replying(update: Update, s: Services) -> Iterator[None]:
    """Marks ``update`` as owed a reply; left marked if the body raises."""
    s.due.add(update.update_id)
    yield
    s.due.discard(update.update_id)


def _in_group(message: MaybeInaccessibleMessage) -> bool:
    return message.chat.type != ChatType.PRIVATE


async def send(
    context: Context, message: MaybeInaccessibleMessage, rendered: Rendered
) -> Message:
    """Sends ``rendered`` to ``message``'s chat: in groups as a reply to ``message``, so the
    asker sees it is for them; in private chats as a plain message."""
    reply_to = None
    thread = None
    if _in_group(message):
        reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
        if isinstance(message, Message) and message.is_topic_message:
            thread = message.message_thread_id
    return await context.bot.send_message(
        message.chat.id,
        rendered.text,
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=rendered.markup,
        reply_parameters=reply_to,
        message_thread_id=thread,
    )


async def edit(
    context: Context, chat_id: int, message_id: int, rendered: Rendered, current: object = None
) -> bool:
    """Replaces a bot message; False if it is gone. An edit that would change nothing is
    not sent (``current``: the message as shown, see ``render.shows``) and counts as done,
    as does Telegram's "not modified" should it come anyway."""
    if render.shows(current, rendered):
        return True
    try:
        await context.bot.edit_message_text(
            rendered.text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=rendered.markup,
        )
    except BadRequest as exc:
        text = str(exc).lower()
        if "not modified" in text:
            log.debug("edit of message %s in chat %s changed nothing", message_id, chat_id)
            return True
        if "not found" in text or "can't be edited" in text:
            return False
        raise
    return True


def _from_a_person(message: Message) -> bool:
    """False for what is not somebody asking: forwards, channel copies, other bots."""
    if message.forward_origin is not None or message.is_automatic_forward or message.via_bot:
        return False
    if message.sender_chat is not None:
        return True  # an anonymous admin, or a member posting as their channel
    user = message.from_user
    return user is not None and not user.is_bot and user.id != TELEGRAM_SERVICE_USER_ID


def _sender_id(message: Message) -> int:
    if message.sender_chat is not None:
        return message.sender_chat.id
    return message.from_user.id if message.from_user else message.chat.id


def _question_for_key(s: Services, key: str) -> str:
    """The question a key's button or link stands for (stored with votes on its answer)."""
    for intent in s.engine.knowledge.intents:
        if intent.id == key and intent.examples:
            return intent.examples[0]
    return key


def _record_unanswered(s: Services, question: str, reply: Reply, chat_type: str) -> None:
    """Counts the question for `factbot stats` and keeps what the article could not answer,
    for curators; not questions with no words in them at all ("？"), which the engine meets
    with a plain request for a question. Queued on the storage thread, not awaited: the
    answer does not wait for the note."""
    if not (reply.unanswered or reply.kind in ("answer", "smalltalk")):
        return
    day = local_date(datetime.now(UTC), s.settings.tz)

    def note() -> None:
        s.storage.count_question(day=day, kind=reply.kind, intent=reply.intent or reply.key)
        if reply.unanswered:
            s.storage.record_unanswered(question=question, kind=reply.kind, chat_type=chat_type)

    s.storage.aio.submit(note)


async def _flood_ok(context: Context, s: Services, message: Message, edited: bool) -> bool:
    """Counts a question; sends the one slow-down notice when it is the first one too many."""
    verdict = s.flood.check(_sender_id(message))
    if verdict is Verdict.WARN and not edited:
        await send(context, message, render.Renderer.notice(render.SLOW_DOWN))
    return verdict is Verdict.ALLOW


# ---------------------------------------------------------------------- questions


async def on_message(update: Update, context: Context) -> None:
    """A text or caption: answer it if it is a question for us, else stay silent."""
    s = services(context)
    message = update.effective_message
    if message is None or not _from_a_person(message):
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
        if not await _flood_ok(context, s, message, edited):
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
        _record_unanswered(s, found.question, reply, message.chat.type)


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
    return (message.chat.id, _sender_id(message))


def _follow_on(
    s: Services, chat: Chat, user_id: int, question: str, reply: Reply, answer_id: int
) -> None:
    """An answer a button showed (once it is out) is what the presser's next follow-up
    ("它…") is about, and what a reply to it is about."""
    key = (chat.id, None) if chat.type == ChatType.PRIVATE else (chat.id, user_id)
    started = s.engine.conversation.started(question, reply, s.conversations.clock())
    s.conversations.put(key, started)
    s.conversations.answered(chat.id, answer_id, started)


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
                s.memory.remember(message.chat.id, None, sent.message_id, _question_for_key(s, key))
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
        if not await _flood_ok(context, s, message, edited=False):
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


# ---------------------------------------------------------------------- buttons


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
            asked = _question_for_key(s, button.key)
            follow_on = (message.chat, query.from_user.id, asked, reply)
            if button.action is Action.SUGGEST:
                # Answer in place of the clarify message; the vote keeps the original question.
                asked = s.memory.question_of(chat_id, message.message_id) or asked
                # A message Telegram no longer has (date 0) cannot be edited.
                if message.is_accessible and await edit(
                    context, chat_id, message.message_id, rendered, message
                ):
                    s.memory.remember(chat_id, None, message.message_id, asked, rendered)
                    _follow_on(s, *follow_on, message.message_id)
                    await query.answer()
                    return
            sent = await send(context, message, rendered)
            s.memory.remember(chat_id, None, sent.message_id, asked, rendered)
            _follow_on(s, *follow_on, sent.message_id)
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


# ---------------------------------------------------------------------- errors


async def apologise(update: object, context: Context) -> None:
    """Tells the user something went wrong, only if their update was owed a reply."""
    if not isinstance(update, Update) or not isinstance(context.error, Exception):
        return
    s = services(context)
    if update.update_id not in s.due:
        return
    s.due.discard(update.update_id)
    if isinstance(context.error, Forbidden):
        return  # blocked or removed: nobody to tell
    if isinstance(context.error, TimedOut):
        return  # Telegram was slow, and may well have delivered the reply after all
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(render.APOLOGY)
        elif update.effective_message is not None:
            await send(context, update.effective_message, render.Renderer.notice(render.APOLOGY))
    except TelegramError as exc:
        log.warning("could not send the apology for update %s: %s", update.update_id, exc)
