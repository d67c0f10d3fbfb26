"""Is a message a question for us, and what exactly is the question?

In private chats every text is a question. In groups (privacy mode on) the bot is addressed
only by ``/ask`` (``/ask 问题``, ``/ask问题``, ``/ask@bot 问题``), by an @mention, or by a
reply to one of its messages. Telegram marks ``/ask北京`` as plain text - a Chinese character
is a letter, so no ``bot_command`` entity - so the command is recognised here from the text
itself, and the question is always the text after it, never whitespace-split ``args``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from telegram import Message

_ASK = re.compile(r"/ask(?:@(?P<bot>[A-Za-z0-9_]{1,32}))?(?![A-Za-z0-9_@])", re.IGNORECASE)
_COMMAND_LIKE = re.compile(r"/[A-Za-z0-9_]")
_EDGE_PUNCTUATION = " \t\r\n,，:：;；、"

Via = Literal["private", "ask", "mention", "reply"]


@dataclass(frozen=True)
class Addressed:
    """A message meant for the bot; ``question`` may be empty (``/ask`` alone)."""

    question: str
    via: Via


def _mention(username: str) -> re.Pattern[str]:
    # Telegram usernames are ASCII; a Chinese character right after still ends the mention
    # for our purposes ("@bot北京有几所高校" is plainly meant for us).
    return re.compile(
        rf"(?<![A-Za-z0-9_])@{re.escape(username)}(?![A-Za-z0-9_])[\s,，:：;；、]*", re.IGNORECASE
    )


def strip_mentions(text: str, username: str) -> str:
    """``text`` without @mentions of the bot (and the comma or colon after one), trimmed."""
    if username:
        text = _mention(username).sub(" ", text)
    return " ".join(text.split()).strip(_EDGE_PUNCTUATION)


def message_text(message: Message) -> str | None:
    """The text a question can be in: the message text or a photo's caption."""
    return message.text if message.text is not None else message.caption


def is_command_like(text: str) -> bool:
    """Starts like a bot command (``/word``), whether or not Telegram marked it as one."""
    return _COMMAND_LIKE.match(text) is not None


def ask_question(text: str, username: str) -> str | None:
    """The question after a leading ``/ask`` meant for us, "" if none, None if no ``/ask``."""
    match = _ASK.match(text)
    if match is None:
        return None
    target = match.group("bot")
    if target is not None and target.lower() != username.lower():
        return None  # /ask@otherbot
    return strip_mentions(text[match.end() :], username)


def mentions(text: str, username: str) -> bool:
    return bool(username) and _mention(username).search(text) is not None


def _replies_to_bot(message: Message, bot_id: int) -> bool:
    target = message.reply_to_message
    if target is None or target.forum_topic_created is not None:
        return False  # in forum topics every message "replies" to the topic's first message
    return target.from_user is not None and target.from_user.id == bot_id


def addressed(message: Message, *, bot_id: int, username: str) -> Addressed | None:
    """The question ``message`` puts to the bot, or None if it is not for us."""
    text = message_text(message)
    if not text:
        return None
    asked = ask_question(text, username)
    if asked is not None:
        return Addressed(asked, "ask")
    if is_command_like(text):
        return None  # another command: handled elsewhere, or not ours
    if message.chat.type == "private":
        return Addressed(strip_mentions(text, username), "private")
    if mentions(text, username):
        return Addressed(strip_mentions(text, username), "mention")
    if _replies_to_bot(message, bot_id):
        return Addressed(strip_mentions(text, username), "reply")
    return None
