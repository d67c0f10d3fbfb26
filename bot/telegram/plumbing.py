"""What every handler does the same way: mark an update as owed a reply, send and edit
bot messages, tell people from forwards and bots, count questions against the flood limit,
note what could not be answered, start a conversation from a button's answer, and apologise
when a handler failed on an update that was owed a reply.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from telegram import Chat, MaybeInaccessibleMessage, Message, ReplyParameters, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot.engine.reply import Reply
from bot.schedule import local_date
from bot.telegram import render
from bot.telegram.flood import Verdict
from bot.telegram.render import NO_PREVIEW, Rendered
from bot.telegram.services import Services, services

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
TELEGRAM_SERVICE_USER_ID = 777000


@contextmanager
def replying(update: Update, s: Services) -> Iterator[None]:
    """Marks ``update`` as owed a reply; left marked if the body raises."""
    s.due.add(update.update_id)
    yield
    s.due.discard(update.update_id)


def in_group(message: MaybeInaccessibleMessage) -> bool:
    return message.chat.type != ChatType.PRIVATE


async def send(
    context: Context, message: MaybeInaccessibleMessage, rendered: Rendered
) -> Message:
    """Sends ``rendered`` to ``message``'s chat: in groups as a reply to ``message``, so the
    asker sees it is for them; in private chats as a plain message."""
    reply_to = None
    thread = None
    if in_group(message):
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


def from_a_person(message: Message) -> bool:
    """False for what is not somebody asking: forwards, channel copies, other bots."""
    if message.forward_origin is not None or message.is_automatic_forward or message.via_bot:
        return False
    if message.sender_chat is not None:
        return True  # an anonymous admin, or a member posting as their channel
    user = message.from_user
    return user is not None and not user.is_bot and user.id != TELEGRAM_SERVICE_USER_ID


def sender_id(message: Message) -> int:
    if message.sender_chat is not None:
        return message.sender_chat.id
    return message.from_user.id if message.from_user else message.chat.id


def question_for_key(s: Services, key: str) -> str:
    """The question a key's button or link stands for (stored with votes on its answer)."""
    for intent in s.engine.knowledge.intents:
        if intent.id == key and intent.examples:
            return intent.examples[0]
    return key


def record_unanswered(
    s: Services, question: str, reply: Reply, chat_type: str, user_id: int | None
) -> None:
    """Counts the question for `factbot stats` and keeps what the article could not answer,
    for curators, with who asked as a keyed hash only (so `/forget` reaches it); not
    questions with no words in them at all ("？"), which the engine meets with a plain request
    for a question. Queued on the storage thread, not awaited: the answer does not wait for
    the note."""
    if not (reply.unanswered or reply.kind in ("answer", "smalltalk")):
        return
    day = local_date(datetime.now(UTC), s.settings.tz)

    def note() -> None:
        s.storage.count_question(day=day, kind=reply.kind, intent=reply.intent or reply.key)
        if reply.unanswered:
            s.storage.record_unanswered(
                question=question, kind=reply.kind, chat_type=chat_type, user_id=user_id
            )

    s.storage.aio.submit(note)


async def flood_ok(context: Context, s: Services, message: Message, edited: bool) -> bool:
    """Counts a question; sends the one slow-down notice when it is the first one too many."""
    verdict = s.flood.check(sender_id(message))
    if verdict is Verdict.WARN and not edited:
        await send(context, message, render.Renderer.notice(render.SLOW_DOWN))
    return verdict is Verdict.ALLOW


def follow_on(
    s: Services, chat: Chat, user_id: int, question: str, reply: Reply, answer_id: int
) -> None:
    """An answer a button showed (once it is out) is what the presser's next follow-up
    ("它…") is about, and what a reply to it is about."""
    key = (chat.id, None) if chat.type == ChatType.PRIVATE else (chat.id, user_id)
    started = s.engine.conversation.started(question, reply, s.conversations.clock())
    s.conversations.put(key, started)
    s.conversations.answered(chat.id, answer_id, started)


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
