"""What the bot keeps about people, for how long, and how it forgets.

Kept: the questions it could not answer (text, chat type, and who asked only as a keyed hash
of their user id, ``bot.storage.askers``, so that forgetting a user reaches them), votes (with
the voter's user id and the question voted on), private chats' daily-fact subscriptions, and
question counts per day and intent (no text, no user). Questions, votes and the daily post
log's rows older than ``retention_days`` are deleted when the bot starts and once a day after.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.schedule import local_date
from bot.storage import Purged, Storage

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 24 * 60 * 60


def posts_cutoff(now: datetime, retention_days: int, tz: ZoneInfo) -> date:
    """The first local day whose post log rows a purge at ``now`` keeps: the day
    ``retention_days`` ago, but never later than yesterday. Today's rows are what stops a
    second post today; yesterday's, that of a broadcast still running past midnight (or of
    the same day before a change of timezone)."""
    yesterday = local_date(now, tz) - timedelta(days=1)
    return min(local_date(now - timedelta(days=retention_days), tz), yesterday)


def purge(
    storage: Storage,
    retention_days: int,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
) -> Purged:
    """Deletes questions, votes and post log rows older than the retention period."""
    moment = now or datetime.now(UTC)
    cutoff = moment - timedelta(days=retention_days)
    gone = storage.purge_before(
        cutoff, posts_before=posts_cutoff(moment, retention_days, tz or ZoneInfo("UTC"))
    )
    if gone.votes or gone.questions or gone.posts:
        log.info(
            "retention: deleted %d vote(s), %d question(s) and %d post log row(s) older than"
            " %d days",
            gone.votes, gone.questions, gone.posts, retention_days,
        )
    return gone


def privacy_text(retention_days: int, user_id: int | None) -> str:
    """The /privacy reply (plain text)."""
    who = f"你的用户 ID 是 {user_id}。" if user_id else ""
    return "\n".join(
        [
            "🔒 我会保存什么",
            "· 我答不上来或需要追问的问题：存问题文字、聊天类型（私聊或群组），以及由你的用户 ID "
            "和一个随机密钥算出的散列值，不存 ID 本身：只看这些问题认不出是谁问的，但拿到整个"
            "数据库（含密钥）的人能核对某个 ID。有了它 /forget 才能删除你的问题；"
            f"{retention_days} 天后删除。此功能上线前记下的问题没有散列值，只会按期删除。",
            f"· 你点的 👍/👎：和你的用户 ID、那条回答、对应的问题一起保存，用来改进回答，"
            f"{retention_days} 天后删除。",
            "· 每天的提问数量：只按日期和问题类别计数，不含问题文字，也不含用户信息。",
            "· 订阅每日事实的聊天：聊天 ID、名称和推送时间；退订后保留，方便恢复。",
            "· 最近的问答只在内存里暂存（用于投票和修改提问），重启后清空。其他消息都不保存。",
            f"发送 /forget 可以立刻删除你的投票、你问过的这些问题和私聊订阅。{who}",
        ]
    )


FORGOTTEN = "已删除与你的用户 ID 相关的数据：{what}。"
NOTHING_TO_FORGET = "没有与你的用户 ID 相关的数据需要删除。"


def describe_forgotten_zh(votes: int, subscription: bool, posts: int, questions: int = 0) -> str:
    """What /forget deleted, in the words of its reply."""
    parts = []
    if votes:
        parts.append(f"{votes} 个投票")
    if questions:
        parts.append(f"{questions} 个我没答上来的问题")
    if subscription:
        parts.append("私聊的每日事实订阅")
    if posts:
        parts.append(f"{posts} 条推送记录")
    return FORGOTTEN.format(what="、".join(parts)) if parts else NOTHING_TO_FORGET
