"""The bot's own membership: removed, blocked or back in a chat, and groups that became
supergroups. A chat the bot can no longer post into has its subscription switched off (and
never switched on again by itself); a migrated group keeps its subscription under its new id.
"""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.storage import Storage

__all__ = ["ADMIN_STATUSES", "OUT_STATUSES", "UNSUBSCRIBED", "on_migrate", "on_my_chat_member"]

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
OUT_STATUSES = frozenset({ChatMemberStatus.LEFT, ChatMemberStatus.BANNED})
UNSUBSCRIBED = "unsubscribed"  # Storage.unsubscribe's reason


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot left, was blocked or removed: the chat's subscription is switched off; back
    in a chat that had one, it says how to get it back."""
    storage: Storage = context.bot_data["storage"]
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    new, old = change.new_chat_member, change.old_chat_member
    if not _present(new, chat):
        reason = {
            ChatType.PRIVATE: "blocked by the user",
            ChatType.CHANNEL: "removed from the channel or no longer an admin",
        }.get(chat.type, "removed from the chat")
        if await storage.aio.deactivate(chat.id, reason):
            log.info("daily: chat %s deactivated: %s", chat.id, reason)
        raise ApplicationHandlerStop
    # Back in the chat: nothing is re-activated by itself (an admin has to /subscribe),
    # but a chat that had a subscription is told how to get it back. Not stopped here, so
    # the welcome of the question handlers still runs.
    sub = await storage.aio.get_subscription(chat.id)
    if (
        not _present(old, chat)
        and sub is not None
        and not sub.active
        and sub.deactivated_reason != UNSUBSCRIBED
        and chat.type != ChatType.CHANNEL
    ):
        who = "" if chat.type == ChatType.PRIVATE else "管理员"
        try:
            await context.bot.send_message(
                chat.id,
                f"欢迎回来！这里之前订阅的每日事实（每天 {sub.post_time}）已暂停，"
                f"{who}发送 /subscribe 即可恢复。",
            )
        except TelegramError as exc:
            log.warning("daily: could not tell chat %s how to resubscribe: %s", chat.id, exc)

async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: move its subscription to the new id right away."""
    storage: Storage = context.bot_data["storage"]
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    if await storage.aio.migrate_chat(old, new):
        log.info("daily: chat %s migrated to %s; subscription moved", old, new)


def _present(member: ChatMember, chat: Chat) -> bool:
    """Whether the bot, with this membership, can still post into the chat."""
    status = member.status
    if status in OUT_STATUSES:
        return False
    if status == ChatMemberStatus.RESTRICTED and not getattr(member, "is_member", True):
        return False
    return not (chat.type == ChatType.CHANNEL and status not in ADMIN_STATUSES)
