"""The last stage of ``bench.restart``: what users were told against the database and the
chats, and the report of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.restart_users import Ledger
from bot.storage import Storage

DAILY = "📌 每日一事实"
CHAT_BASE = -1004000000000  # the chats subscribed before the first start


@dataclass
class Report:
    """What a run did (kills, confirmations, post rows by status) and what did not hold."""

    rounds: int
    kills_during_sends: int = 0
    confirmed: Counter[str] = field(default_factory=Counter)
    posts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def posted(db: Path) -> int:
    """Chats with a post row today that is final (not pending)."""
    with Storage(db) as storage:
        return sum(p.status != "pending" for p in storage.posts())


def check(ledger: Ledger, storage: Storage, report: Report) -> None:
    """Compares what users were told with the database and the chats."""
    for chat, expected in ledger.subscriptions.items():
        sub = storage.get_subscription(chat)
        actual = sub.post_time if sub is not None and sub.active else None
        if actual != expected:
            report.problems.append(f"chat {chat}: confirmed {expected}, stored {actual}")
    stored_votes = {(v.chat_id, v.message_id, v.user_id): v.vote for v in storage.votes()}
    for key, value in ledger.votes.items():
        if stored_votes.get(key) != value:
            stored = stored_votes.get(key)
            report.problems.append(f"vote {key}: acknowledged {value}, stored {stored}")
    per_chat = Counter(
        c.params["chat_id"]
        for c in ledger.calls
        if c.ok and c.method == "sendMessage" and c.result.get("text", "").startswith(DAILY)
    )
    for post in storage.posts():
        report.posts[post.status] += 1
        if post.status == "uncertain":  # in flight at a kill: did it reach the chat?
            report.posts["uncertain, in the chat"] += per_chat[post.chat_id] == 1
        if post.status == "pending":
            report.problems.append(f"chat {post.chat_id}: post still pending")
        if post.status == "sent" and per_chat[post.chat_id] != 1:
            report.problems.append(
                f"chat {post.chat_id}: logged sent, delivered {per_chat[post.chat_id]} time(s)"
            )
    with_row = {p.chat_id for p in storage.posts()}
    missing = [s.chat_id for s in storage.subscriptions(active_only=True)
               if s.chat_id <= CHAT_BASE and s.chat_id not in with_row]
    if missing:
        report.problems.append(f"{len(missing)} chat(s) never got today's post: {missing[:5]}")
    dates = {p.local_date for p in storage.posts()}
    doubled = [chat for chat, count in per_chat.items() if count > len(dates)]
    if doubled:
        report.problems.append(f"{len(doubled)} chat(s) got two posts on one day: {doubled[:5]}")
