"""When a chat's daily post is due, and how to tell users when the next one comes.

Built on ``bot.schedule`` (pure, DST-correct slot arithmetic) plus two rules of this feature:

* A post row for today that was sent, is in flight, is uncertain or was skipped blocks today:
  at most one post per chat per local day. Only a "failed" row lets today be tried again.
* A subscription (or a new time) set after today's slot has passed starts tomorrow: an admin who
  types ``/subscribe 08:00`` at 10:00 gets the first post tomorrow at 08:00, as the confirmation
  says, not a surprise post right away. A post already attempted today (a failed row) is still
  retried the same day, even if the subscription was touched later (e.g. by a group migration).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import schedule
from bot.storage import Post, Subscription

__all__ = ["BLOCKING_STATUSES", "blocks_today", "describe_next_zh", "is_due_now", "next_post"]

BLOCKING_STATUSES = frozenset({"sent", "pending", "uncertain", "skipped"})


def blocks_today(post: Post | None) -> bool:
    """Whether today's post row (if any) rules out another post today."""
    return post is not None and post.status in BLOCKING_STATUSES


def _post_time(subscription: Subscription) -> time:
    return schedule.parse_post_time(subscription.post_time)


def is_due_now(
    subscription: Subscription, tz: ZoneInfo, now_utc: datetime, today_post: Post | None
) -> bool:
    """Whether the chat's post for today should go out now (including same-day catch-up)."""
    if not subscription.active:
        return False
    post_time = _post_time(subscription)
    if not schedule.is_due(post_time, tz, now_utc, blocks_today(today_post)):
        return False
    if today_post is not None:  # attempted earlier today and failed: retry
        return True
    slot = schedule.slot_utc(schedule.local_date(now_utc, tz), post_time, tz)
    return slot >= subscription.updated_at


def next_post(
    subscription: Subscription, tz: ZoneInfo, now_utc: datetime, today_post: Post | None
) -> datetime | None:
    """When the chat's next post goes out (aware UTC); ``now_utc`` if it is due right now,
    None if the subscription is inactive."""
    if not subscription.active:
        return None
    if is_due_now(subscription, tz, now_utc, today_post):
        return now_utc
    # Not due: either today's slot is still ahead, or today is done (posted, or subscribed
    # after the slot) and the next slot is tomorrow's. next_post_at skips a passed slot.
    return schedule.next_post_at(_post_time(subscription), tz, now_utc, blocks_today(today_post))


def _day_word(day: date, today: date) -> str:
    if day == today:
        return f"今天（{day.month}月{day.day}日）"
    if day == today + timedelta(days=1):
        return f"明天（{day.month}月{day.day}日）"
    return f"{day.year}年{day.month}月{day.day}日"


def describe_next_zh(when_utc: datetime | None, tz: ZoneInfo, now_utc: datetime) -> str:
    """The next post time as users read it, e.g. "明天（5月2日）08:00"."""
    if when_utc is None:
        return "暂无（订阅已停用）"
    if when_utc <= now_utc:
        return "马上（一分钟内）"
    local = when_utc.astimezone(tz)
    day = _day_word(local.date(), schedule.local_date(now_utc, tz))
    return f"{day}{'' if day.endswith('）') else ' '}{local:%H:%M}"
