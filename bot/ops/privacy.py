"""What the bot keeps about people, for how long, and how it forgets.

Kept: the questions it could not answer (text and chat type, not who asked), votes (with the
voter's user id and the question voted on), private chats' daily-fact subscriptions, and
question counts per day and intent (no text, no user). Questions and votes older than
``retention_days`` are deleted when the bot starts and once a day after.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.storage import Storage

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 24 * 60 * 60


def purge(storage: Storage, retention_days: int, now: datetime | None = None) -> tuple[int, int]:
    """Deletes questions and votes older than the retention period: (votes, questions)."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    votes, questions = storage.purge_before(cutoff)
    if votes or questions:
        log.info(
            "retention: deleted %d vote(s) and %d question(s) older than %d days",
            votes, questions, retention_days,
        )
    return votes, questions


def privacy_text(retention_days: int, user_id: int | None) -> str:
    """The /privacy reply (plain text)."""
    who = f"你的用户 ID 是 {user_id}。" if user_id else ""
    return "\n".join(
        [
            "🔒 我会保存什么",
            f"· 我答不上来或需要追问的问题：只存问题文字和聊天类型（私聊或群组），不存是谁问的，"
            f"{retention_days} 天后删除。",
            f"· 你点的 👍/👎：和你的用户 ID、那条回答、对应的问题一起保存，用来改进回答，"
            f"{retention_days} 天后删除。",
            "· 每天的提问数量：只按日期和问题类别计数，不含问题文字，也不含用户信息。",
            "· 订阅每日事实的聊天：聊天 ID、名称和推送时间；退订后保留，方便恢复。",
            "· 最近的问答只在内存里暂存（用于投票和修改提问），重启后清空。其他消息都不保存。",
            f"发送 /forget 可以立刻删除你的投票和私聊订阅。{who}",
        ]
    )


FORGOTTEN = "已删除与你的用户 ID 相关的数据：{what}。"
NOTHING_TO_FORGET = "没有与你的用户 ID 相关的数据需要删除。"


def describe_forgotten_zh(votes: int, subscription: bool, posts: int) -> str:
    """What /forget deleted, in the words of its reply."""
    parts = []
    if votes:
        parts.append(f"{votes} 个投票")
    if subscription:
        parts.append("私聊的每日事实订阅")
    if posts:
        parts.append(f"{posts} 条推送记录")
    return FORGOTTEN.format(what="、".join(parts)) if parts else NOTHING_TO_FORGET
