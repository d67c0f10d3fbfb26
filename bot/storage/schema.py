"""The database's shape: the versioned migrations, the row types, and the checks and
conversions every part of the storage shares."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal, get_args

ChatType = Literal["private", "group", "supergroup", "channel"]
PostStatus = Literal["pending", "sent", "failed", "uncertain", "skipped"]
UnansweredKind = Literal["fallback", "clarify"]
ReplyKind = Literal["answer", "clarify", "smalltalk", "fallback"]

CHAT_TYPES: frozenset[str] = frozenset(get_args(ChatType))
POST_STATUSES: frozenset[str] = frozenset(get_args(PostStatus))
UNANSWERED_KINDS: frozenset[str] = frozenset(get_args(UnansweredKind))
REPLY_KINDS: frozenset[str] = frozenset(get_args(ReplyKind))

# A row in one of these states blocks any other post to that chat on that local date: it was
# sent, may have been sent, or was deliberately skipped. Only "failed" may be retried.
_BLOCKING_STATUSES = ("sent", "pending", "uncertain", "skipped")
# Finishing with these statuses means the fact was not shown, so it goes back into rotation.
_NOT_DELIVERED = frozenset({"failed", "skipped"})
# When two rows claim the same chat and date (see migrate_chat), the more "delivered" one wins.
_STATUS_RANK = {"sent": 4, "uncertain": 3, "pending": 2, "skipped": 1, "failed": 0}

_POST_TIME_RE = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_INTERRUPTED = "interrupted: the process ended before the send was confirmed"

# Ordered migrations: MIGRATIONS[i] takes the file from version i to i + 1.
# Never edit a released entry; append a new one.
MIGRATIONS: list[tuple[str, ...]] = [
    # v1: subscriptions, per-chat rotation, daily post log.
    (
        """
        CREATE TABLE subscriptions (
            chat_id            INTEGER PRIMARY KEY,
            chat_type          TEXT    NOT NULL
                CHECK (chat_type IN ('private', 'group', 'supergroup', 'channel')),
            title              TEXT,
            post_time          TEXT    NOT NULL,
            active             INTEGER NOT NULL CHECK (active IN (0, 1)),
            deactivated_reason TEXT,
            created_at         TEXT    NOT NULL,
            updated_at         TEXT    NOT NULL
        )
        """,
        # No foreign key to subscriptions: an on-demand fact in any chat may use a rotation too.
        """
        CREATE TABLE rotation (
            chat_id    INTEGER PRIMARY KEY,
            cycle      INTEGER NOT NULL,
            queue      TEXT    NOT NULL,  -- JSON list: rest of this cycle, in order
            posted     TEXT    NOT NULL,  -- JSON list: consumed this cycle, in order
            prev_last  TEXT,              -- last fact of the previous cycle
            updated_at TEXT    NOT NULL
        )
        """,
        """
        CREATE TABLE posts (
            id         INTEGER PRIMARY KEY,
            chat_id    INTEGER NOT NULL
                REFERENCES subscriptions (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
            local_date TEXT    NOT NULL,
            fact_id    TEXT    NOT NULL,
            status     TEXT    NOT NULL
                CHECK (status IN ('pending', 'sent', 'failed', 'uncertain', 'skipped')),
            message_id INTEGER,
            error      TEXT,
            attempts   INTEGER NOT NULL DEFAULT 1,
            created_at TEXT    NOT NULL,
            updated_at TEXT    NOT NULL,
            UNIQUE (chat_id, local_date)
        )
        """,
        "CREATE INDEX posts_status ON posts (status)",
    ),
    # v2: curator feedback.
    (
        """
        CREATE TABLE votes (
            id         INTEGER PRIMARY KEY,
            chat_id    INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            user_id    INTEGER NOT NULL,
            question   TEXT,
            fact_id    TEXT,
            vote       INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            created_at TEXT    NOT NULL,
            updated_at TEXT    NOT NULL,
            UNIQUE (chat_id, message_id, user_id)
        )
        """,
        "CREATE INDEX votes_fact ON votes (fact_id)",
        """
        CREATE TABLE unanswered (
            id         INTEGER PRIMARY KEY,
            question   TEXT NOT NULL,
            kind       TEXT NOT NULL CHECK (kind IN ('fallback', 'clarify')),
            chat_type  TEXT,
            created_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX unanswered_created ON unanswered (created_at)",
    ),
    # v3: what operators see in `factbot stats`, and what retention and `forget` need.
    (
        # Questions counted per local day, reply kind and intent: no text, no user, no chat.
        """
        CREATE TABLE question_counts (
            day    TEXT    NOT NULL,             -- YYYY-MM-DD in the configured timezone
            kind   TEXT    NOT NULL
                CHECK (kind IN ('answer', 'clarify', 'smalltalk', 'fallback')),
            intent TEXT    NOT NULL DEFAULT '',  -- the intent answered; '' for none
            count  INTEGER NOT NULL,
            PRIMARY KEY (day, kind, intent)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX votes_user ON votes (user_id)",
        "CREATE INDEX votes_updated ON votes (updated_at)",
    ),
    # v4: who asked an unanswered question, as a keyed hash, so `forget` can find their rows.
    # Rows from before have none (NULL) and go by retention only.
    (
        "ALTER TABLE unanswered ADD COLUMN asker BLOB",  # HMAC of the user id (feedback.py)
        "CREATE INDEX unanswered_asker ON unanswered (asker) WHERE asker IS NOT NULL",
        # Random keys made for this file (by the first write that needs one).
        """
        CREATE TABLE secrets (
            name  TEXT PRIMARY KEY,
            value BLOB NOT NULL
        ) WITHOUT ROWID
        """,
    ),
]

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer factbot; refusing to touch it."""

    def __init__(self, path: str, file_version: int, supported: int) -> None:
        self.path = path
        self.file_version = file_version
        self.supported = supported
        super().__init__(
            f"database {path} has schema version {file_version}, but this factbot supports "
            f"up to {supported}: upgrade factbot or point data_dir elsewhere"
        )


class UnknownChatError(LookupError):
    """A daily post was started for a chat that has never subscribed."""


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    chat_type: str
    title: str | None
    post_time: str  # "HH:MM", local to the configured timezone
    active: bool
    deactivated_reason: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Post:
    id: int
    chat_id: int
    local_date: str  # "YYYY-MM-DD" in the configured timezone
    fact_id: str
    status: str
    message_id: int | None
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Rotation:
    chat_id: int
    cycle: int
    queue: tuple[str, ...]  # still to post this cycle, in order (may hold unpostable ids)
    posted: tuple[str, ...]  # consumed this cycle, in order
    prev_last: str | None  # the previous cycle's last fact
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Vote:
    id: int
    chat_id: int
    message_id: int
    user_id: int
    question: str | None
    fact_id: str | None
    vote: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    id: int
    question: str
    kind: str
    chat_type: str | None
    created_at: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _check_post_time(post_time: str | time) -> str:
    if isinstance(post_time, time):
        return f"{post_time.hour:02d}:{post_time.minute:02d}"
    if not isinstance(post_time, str) or not _POST_TIME_RE.fullmatch(post_time):
        raise ValueError(f"post_time must be 'HH:MM' (24-hour), got {post_time!r}")
    return post_time


def _check_date(local_date: str | date) -> str:
    if isinstance(local_date, date):
        return local_date.isoformat()
    try:
        parsed = date.fromisoformat(local_date)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.isoformat() != local_date:
        raise ValueError(f"local_date must be 'YYYY-MM-DD', got {local_date!r}")
    return local_date

def _subscription_row(row: sqlite3.Row) -> Subscription:
    return Subscription(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        title=row["title"],
        post_time=row["post_time"],
        active=bool(row["active"]),
        deactivated_reason=row["deactivated_reason"],
        created_at=_ts(row["created_at"]),
        updated_at=_ts(row["updated_at"]),
    )


def _post_row(row: sqlite3.Row) -> Post:
    return Post(
        id=row["id"],
        chat_id=row["chat_id"],
        local_date=row["local_date"],
        fact_id=row["fact_id"],
        status=row["status"],
        message_id=row["message_id"],
        error=row["error"],
        attempts=row["attempts"],
        created_at=_ts(row["created_at"]),
        updated_at=_ts(row["updated_at"]),
    )


def _vote_row(row: sqlite3.Row) -> Vote:
    return Vote(
        id=row["id"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        user_id=row["user_id"],
        question=row["question"],
        fact_id=row["fact_id"],
        vote=row["vote"],
        created_at=_ts(row["created_at"]),
        updated_at=_ts(row["updated_at"]),
    )
