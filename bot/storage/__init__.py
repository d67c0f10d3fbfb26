"""Persistent state of the bot in one SQLite file; the only package that touches SQLite.

What lives here: chat subscriptions, each chat's fact rotation, the daily post log that makes
delivery at-most-once, and curator feedback (votes, unanswered questions with a keyed hash of
who asked, ``askers``).

Design notes:

* The API is synchronous, and a lock makes it safe from any thread. Async code (handlers, the
  broadcaster) awaits the same calls through ``storage.aio`` (``dispatch``): one storage thread
  runs them in order, so the event loop never waits for a commit's fsync or for the lock.
* Every public method is exactly one transaction (``BEGIN IMMEDIATE`` for writes, so two
  processes never deadlock upgrading a read lock).
* Timestamps come from an injectable clock and are stored as ISO-8601 UTC strings of one fixed
  width, so string order is time order.
* The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS`` are applied forward on
  open, each in its own transaction (SQLite DDL is transactional, so a failed migration leaves
  the file at the previous version).

One ``Storage`` class, put together from one part per concern (``subscriptions``, ``rotation``,
``posts``, ``feedback``, ``usage``) over ``core`` (connection, transactions, migrations) and
``schema`` (migrations, row types); callers import everything from ``bot.storage``.
"""

from __future__ import annotations

from bot.storage.core import unusable_reason
from bot.storage.feedback import FeedbackStore
from bot.storage.posts import PostStore
from bot.storage.rotation import RotationStore
from bot.storage.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    ChatType,
    Post,
    PostStatus,
    Rotation,
    SchemaTooNewError,
    Subscription,
    UnansweredQuestion,
    UnknownChatError,
    Vote,
)
from bot.storage.subscriptions import SubscriptionStore
from bot.storage.usage import DayCounts, Forgotten, Purged, Usage, UsageStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ChatType",
    "DayCounts",
    "Forgotten",
    "Post",
    "PostStatus",
    "Purged",
    "Rotation",
    "SchemaTooNewError",
    "Storage",
    "Subscription",
    "UnansweredQuestion",
    "UnknownChatError",
    "Usage",
    "Vote",
    "unusable_reason",
]


class Storage(SubscriptionStore, RotationStore, PostStore, FeedbackStore, UsageStore):
    """The bot's SQLite database. Open with ``Storage(path)`` or ``Storage.open(path)``."""
