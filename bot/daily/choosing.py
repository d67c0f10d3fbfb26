"""The first stage of a broadcast: which chats get a post now, and which are held back.

A chat whose post failed today is not tried again every minute: it is held until
``retry_failed_after`` has passed, or for the rest of the day when the error will not go
away by itself. Holds are of one day and are dropped with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import schedule
from bot.daily.outcomes import ChatResult, Outcome
from bot.daily.plan import blocks_today, is_due_now
from bot.daily.records import stored
from bot.storage import Storage, Subscription

__all__ = ["Holds", "chosen_now", "due_chats"]


class Holds:
    """Chats held back after a failure: chat -> (local date, not before; None = not again
    that day in this process)."""

    def __init__(self) -> None:
        self._held: dict[int, tuple[date, datetime | None]] = {}

    def is_held(self, chat_id: int, today: date, now: datetime) -> bool:
        held = self._held.get(chat_id)
        if held is None:
            return False
        day, until = held
        if day != today or (until is not None and now >= until):
            del self._held[chat_id]
            return False
        return True

    def hold(self, chat_id: int, day: date, until: datetime | None) -> None:
        self._held[chat_id] = (day, until)

    def forget_before(self, today: date) -> None:
        """Drops the holds of earlier days (of chats never looked at again, too)."""
        for chat_id in [c for c, (day, _) in self._held.items() if day != today]:
            del self._held[chat_id]

    def __len__(self) -> int:
        return len(self._held)


async def due_chats(storage: Storage, tz: ZoneInfo, now: datetime, holds: Holds) -> list[int]:
    """Active chats whose post for today is due now and not held back after a failure."""
    today = schedule.local_date(now, tz)
    posts = {p.chat_id: p for p in await stored(storage, storage.posts, local_date=today)}
    due = []
    for sub in await stored(storage, storage.subscriptions, active_only=True):
        if holds.is_held(sub.chat_id, today, now):
            continue
        if is_due_now(sub, tz, now, posts.get(sub.chat_id)):
            due.append(sub.chat_id)
    return due


async def chosen_now(
    storage: Storage, today: date, chat_ids: Sequence[int] | None
) -> tuple[list[int], list[ChatResult]]:
    """For a post right now, whatever the chats' times: the chats to post to (``chat_ids``
    or every active one), and the results of those that get nothing (not subscribed,
    inactive, or already posted to today: at most one a day)."""
    posts = {p.chat_id: p for p in await stored(storage, storage.posts, local_date=today)}
    early: list[ChatResult] = []
    subs: list[Subscription] = []
    if chat_ids is None:
        subs = await stored(storage, storage.subscriptions, active_only=True)
    else:
        for chat_id in dict.fromkeys(chat_ids):
            sub = await stored(storage, storage.get_subscription, chat_id)
            if sub is None:
                early.append(ChatResult(chat_id, Outcome.NOT_SUBSCRIBED))
            elif not sub.active:
                early.append(ChatResult(chat_id, Outcome.INACTIVE))
            else:
                subs.append(sub)
    todo = []
    for sub in subs:
        post = posts.get(sub.chat_id)
        if blocks_today(post):
            assert post is not None
            early.append(ChatResult(sub.chat_id, Outcome.ALREADY, post.fact_id, post.message_id))
        else:
            todo.append(sub.chat_id)
    return todo, early
