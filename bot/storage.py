"""Persistent state of the bot in one SQLite file; the only module that touches SQLite.

What lives here: chat subscriptions, each chat's fact rotation, the daily post log that makes
delivery at-most-once, and curator feedback (votes, unanswered questions).

Design notes:

* The API is synchronous. Every call is one short transaction on a local file, so calling it
  from async handlers is cheaper than hopping to a thread. A lock still makes it safe to call
  from worker threads.
* Every public method is exactly one transaction (``BEGIN IMMEDIATE`` for writes, so two
  processes never deadlock upgrading a read lock).
* Timestamps come from an injectable clock and are stored as ISO-8601 UTC strings of one fixed
  width, so string order is time order.
* The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS`` are applied forward on
  open, each in its own transaction (SQLite DDL is transactional, so a failed migration leaves
  the file at the previous version).
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import TracebackType
from typing import Literal, Self, get_args

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ChatType",
    "Post",
    "PostStatus",
    "Rotation",
    "SchemaTooNewError",
    "Storage",
    "Subscription",
    "UnansweredQuestion",
    "UnknownChatError",
    "Vote",
]

ChatType = Literal["private", "group", "supergroup", "channel"]
PostStatus = Literal["pending", "sent", "failed", "uncertain", "skipped"]
UnansweredKind = Literal["fallback", "clarify"]

CHAT_TYPES: frozenset[str] = frozenset(get_args(ChatType))
POST_STATUSES: frozenset[str] = frozenset(get_args(PostStatus))
UNANSWERED_KINDS: frozenset[str] = frozenset(get_args(UnansweredKind))

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


def _shuffled(chat_id: int, cycle: int, facts: Sequence[str], avoid_first: str | None) -> list[str]:
    """The reproducible order of one cycle: a shuffle seeded by (chat_id, cycle).

    ``avoid_first`` (the previous cycle's last fact) is swapped away from the head so a chat
    never sees the same fact twice in a row across a cycle boundary.
    """
    # String seeds are hashed with SHA-512, so this is stable across runs and PYTHONHASHSEED.
    rng = random.Random(f"factbot-rotation:{chat_id}:{cycle}")
    order = sorted(set(facts))
    rng.shuffle(order)
    if len(order) > 1 and order[0] == avoid_first:
        swap = rng.randint(1, len(order) - 1)
        order[0], order[swap] = order[swap], order[0]
    return order


def _insert_position(chat_id: int, cycle: int, fact_id: str, queue_len: int) -> int:
    """Where a fact that became postable mid-cycle goes in the rest of the queue."""
    rng = random.Random(f"factbot-rotation:{chat_id}:{cycle}:insert:{fact_id}")
    return rng.randint(0, queue_len)


class Storage:
    """The bot's SQLite database. Open with ``Storage(path)`` or ``Storage.open(path)``."""

    def __init__(self, path: str | Path, *, now: Callable[[], datetime] = _utc_now) -> None:
        self.path = str(path)
        self._now = now
        self._lock = threading.RLock()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per method.
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            self.path, timeout=10.0, isolation_level=None, check_same_thread=False
        )
        try:
            self._setup()
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    @classmethod
    def open(cls, path: str | Path, *, now: Callable[[], datetime] = _utc_now) -> Self:
        return cls(path, now=now)

    # --- lifecycle -----------------------------------------------------------------------------

    def _setup(self) -> None:
        conn = self._db
        conn.row_factory = sqlite3.Row
        # Check before changing anything: a newer file must be left exactly as it is.
        version = self._user_version()
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(self.path, version, SCHEMA_VERSION)
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL, not NORMAL: in WAL mode NORMAL already survives a SIGKILL of the process, but a
        # power loss or OS crash may roll back the last commits. The "pending" post row is what
        # stops a second send after a crash, so it must be on disk before the message goes out.
        # The cost is one fsync per commit, and this bot commits a handful of rows a day.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _user_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        while True:
            with self._tx() as conn:
                # Re-read inside the write lock: another process may have migrated meanwhile.
                version = self._user_version()
                if version > SCHEMA_VERSION:
                    raise SchemaTooNewError(self.path, version, SCHEMA_VERSION)
                if version == SCHEMA_VERSION:
                    return
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1:d}")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._user_version()

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("Storage is closed")
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self, *, write: bool = True, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction. `durable=False` commits without waiting for the disk (WAL with
        synchronous=NORMAL still survives a killed process): for feedback and curation notes,
        written on the bot's hot path, where an fsync per question would stall every chat."""
        with self._lock:
            conn = self._db
            if not durable:
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # also when COMMIT itself failed
                    conn.execute("ROLLBACK")
                raise
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous = FULL")

    def _stamp(self) -> str:
        now = self._now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"the clock must return aware datetimes, got {now!r}")
        return now.astimezone(UTC).isoformat(timespec="microseconds")

    # --- subscriptions -------------------------------------------------------------------------

    def subscribe(
        self, chat_id: int, *, chat_type: str, title: str | None, post_time: str | time
    ) -> Subscription:
        """Create or re-activate a chat's subscription; its rotation and post log are kept."""
        if chat_type not in CHAT_TYPES:
            raise ValueError(f"chat_type must be one of {sorted(CHAT_TYPES)}, got {chat_type!r}")
        hhmm = _check_post_time(post_time)
        with self._tx() as conn:
            stamp = self._stamp()
            conn.execute(
                """
                INSERT INTO subscriptions (chat_id, chat_type, title, post_time, active,
                                           deactivated_reason, created_at, updated_at)
                VALUES (?, ?, ?, ?, 1, NULL, ?, ?)
                ON CONFLICT (chat_id) DO UPDATE SET
                    chat_type = excluded.chat_type, title = excluded.title,
                    post_time = excluded.post_time, active = 1, deactivated_reason = NULL,
                    updated_at = excluded.updated_at
                """,
                (chat_id, chat_type, title, hhmm, stamp, stamp),
            )
            return self._subscription(conn, chat_id)  # type: ignore[return-value]

    def unsubscribe(self, chat_id: int) -> bool:
        """Deactivate with reason "unsubscribed"; False if the chat had no active subscription."""
        return self.deactivate(chat_id, "unsubscribed")

    def deactivate(self, chat_id: int, reason: str) -> bool:
        """Stop posting to a chat (e.g. the bot was blocked or removed), keeping its history."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE subscriptions SET active = 0, deactivated_reason = ?, updated_at = ?"
                " WHERE chat_id = ? AND active = 1",
                (reason, self._stamp(), chat_id),
            )
            return cur.rowcount == 1

    def get_subscription(self, chat_id: int) -> Subscription | None:
        with self._tx(write=False) as conn:
            return self._subscription(conn, chat_id)

    def subscriptions(self, active_only: bool = False) -> list[Subscription]:
        sql = "SELECT * FROM subscriptions"
        if active_only:
            sql += " WHERE active = 1"
        with self._tx(write=False) as conn:
            return [_subscription_row(r) for r in conn.execute(sql + " ORDER BY chat_id")]

    def migrate_chat(self, old_id: int, new_id: int) -> bool:
        """Move a chat's subscription, rotation and post log to a new id, atomically.

        For a group upgraded to a supergroup (Telegram's ``migrate_to_chat_id``). If the new id
        already has a subscription, the more recently updated settings win; both post logs are
        kept (for a date both have, the more delivered row wins) and both rotations are merged
        so nothing posted under either id repeats this cycle. Votes stay under the old id: they
        refer to messages in the old chat. Returns False if there was nothing to move.
        """
        if old_id == new_id:
            return False
        with self._tx() as conn:
            old_sub = self._subscription(conn, old_id)
            old_rot = self._rotation(conn, old_id)
            if old_sub is None and old_rot is None:
                return False
            stamp = self._stamp()
            if old_sub is not None:
                self._move_subscription(conn, old_sub, new_id, stamp)
            if old_rot is not None:
                self._move_rotation(conn, old_rot, new_id, stamp)
            if old_sub is not None:
                conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (old_id,))
            return True

    def _move_subscription(
        self, conn: sqlite3.Connection, old: Subscription, new_id: int, stamp: str
    ) -> None:
        new = self._subscription(conn, new_id)
        if new is None:
            conn.execute(
                "INSERT INTO subscriptions SELECT ?, chat_type, title, post_time, active,"
                " deactivated_reason, created_at, ? FROM subscriptions WHERE chat_id = ?",
                (new_id, stamp, old.chat_id),
            )
        else:
            winner = old if old.updated_at > new.updated_at else new
            conn.execute(
                "UPDATE subscriptions SET chat_type = ?, title = ?, post_time = ?, active = ?,"
                " deactivated_reason = ?, created_at = ?, updated_at = ? WHERE chat_id = ?",
                (
                    winner.chat_type,
                    winner.title,
                    winner.post_time,
                    int(winner.active),
                    winner.deactivated_reason,
                    min(old.created_at, new.created_at).isoformat(timespec="microseconds"),
                    stamp,
                    new_id,
                ),
            )
        # Posts: on a date both ids have, keep the more delivered row (ties: the new id's).
        for row in conn.execute(
            "SELECT o.id AS old_post, n.id AS new_post, o.status AS old_status,"
            " n.status AS new_status FROM posts o JOIN posts n"
            " ON n.local_date = o.local_date AND n.chat_id = ? WHERE o.chat_id = ?",
            (new_id, old.chat_id),
        ).fetchall():
            loser = (
                row["new_post"]
                if _STATUS_RANK[row["old_status"]] > _STATUS_RANK[row["new_status"]]
                else row["old_post"]
            )
            conn.execute("DELETE FROM posts WHERE id = ?", (loser,))
        conn.execute("UPDATE posts SET chat_id = ? WHERE chat_id = ?", (new_id, old.chat_id))

    def _move_rotation(
        self, conn: sqlite3.Connection, old: Rotation, new_id: int, stamp: str
    ) -> None:
        new = self._rotation(conn, new_id)
        if new is None:
            queue, posted = list(old.queue), list(old.posted)
        else:
            # Keep the old chat's cycle (its members' history) and also count as posted what
            # the new id already showed, so neither id's recent facts come back this cycle.
            posted = list(old.posted) + [f for f in new.posted if f not in old.posted]
            queue = [f for f in old.queue if f not in posted]
        self._save_rotation(conn, new_id, old.cycle, queue, posted, old.prev_last, stamp)
        conn.execute("DELETE FROM rotation WHERE chat_id = ?", (old.chat_id,))

    @staticmethod
    def _subscription(conn: sqlite3.Connection, chat_id: int) -> Subscription | None:
        row = conn.execute("SELECT * FROM subscriptions WHERE chat_id = ?", (chat_id,)).fetchone()
        return None if row is None else _subscription_row(row)

    # --- rotation ------------------------------------------------------------------------------

    def next_fact(self, chat_id: int, postable: Sequence[str]) -> str | None:
        """The fact this chat should get next, without consuming it (None if none is postable).

        Each chat walks its own reproducible shuffle of the postable facts, one cycle at a time,
        with no repeat inside a cycle. Facts that become postable mid-cycle join the rest of the
        current cycle; facts no longer postable are skipped. When every postable fact has been
        consumed this cycle, the next cycle starts with a fresh shuffle. The (possibly updated)
        order is saved so it survives restarts.
        """
        wanted = set(postable)
        if not wanted:
            return None
        with self._tx() as conn:
            rot = self._rotation(conn, chat_id)
            if rot is None:
                cycle, queue, posted, prev_last = 1, _shuffled(chat_id, 1, wanted, None), [], None
            else:
                cycle, queue, posted = rot.cycle, list(rot.queue), list(rot.posted)
                prev_last = rot.prev_last
                known = set(queue) | set(posted)
                for fact_id in sorted(wanted - known):
                    queue.insert(_insert_position(chat_id, cycle, fact_id, len(queue)), fact_id)
            head = next((f for f in queue if f in wanted), None)
            if head is None:  # every postable fact was consumed this cycle: start the next one
                prev_last = posted[-1] if posted else prev_last
                cycle += 1
                queue, posted = _shuffled(chat_id, cycle, wanted, prev_last), []
                head = queue[0]
            if rot is None or (cycle, tuple(queue), prev_last) != (
                rot.cycle,
                rot.queue,
                rot.prev_last,
            ):
                self._save_rotation(conn, chat_id, cycle, queue, posted, prev_last, self._stamp())
            return head

    def mark_fact_posted(self, chat_id: int, fact_id: str) -> None:
        """Consume ``fact_id`` from the chat's current cycle (idempotent).

        ``begin_post`` already does this in its own transaction; call this for facts shown
        outside the daily post log.
        """
        with self._tx() as conn:
            self._consume(conn, chat_id, fact_id)

    def rotation(self, chat_id: int) -> Rotation | None:
        """The chat's saved rotation state (for the CLI and tests)."""
        with self._tx(write=False) as conn:
            return self._rotation(conn, chat_id)

    def _consume(self, conn: sqlite3.Connection, chat_id: int, fact_id: str) -> None:
        rot = self._rotation(conn, chat_id)
        if rot is None:
            cycle, queue, posted, prev_last = 1, [], [], None
        else:
            cycle, queue, posted = rot.cycle, list(rot.queue), list(rot.posted)
            prev_last = rot.prev_last
        if fact_id in posted:
            return
        if fact_id in queue:
            queue.remove(fact_id)
        posted.append(fact_id)
        self._save_rotation(conn, chat_id, cycle, queue, posted, prev_last, self._stamp())

    def _unconsume(self, conn: sqlite3.Connection, chat_id: int, fact_id: str) -> None:
        """Put a fact that was not delivered back at the head of the current cycle."""
        rot = self._rotation(conn, chat_id)
        if rot is None or fact_id not in rot.posted:
            return
        posted = [f for f in rot.posted if f != fact_id]
        queue = [fact_id, *rot.queue]
        self._save_rotation(conn, chat_id, rot.cycle, queue, posted, rot.prev_last, self._stamp())

    @staticmethod
    def _rotation(conn: sqlite3.Connection, chat_id: int) -> Rotation | None:
        row = conn.execute("SELECT * FROM rotation WHERE chat_id = ?", (chat_id,)).fetchone()
        if row is None:
            return None
        return Rotation(
            chat_id=row["chat_id"],
            cycle=row["cycle"],
            queue=tuple(json.loads(row["queue"])),
            posted=tuple(json.loads(row["posted"])),
            prev_last=row["prev_last"],
            updated_at=_ts(row["updated_at"]),
        )

    @staticmethod
    def _save_rotation(
        conn: sqlite3.Connection,
        chat_id: int,
        cycle: int,
        queue: Sequence[str],
        posted: Sequence[str],
        prev_last: str | None,
        stamp: str,
    ) -> None:
        conn.execute(
            """
            INSERT INTO rotation (chat_id, cycle, queue, posted, prev_last, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET
                cycle = excluded.cycle, queue = excluded.queue, posted = excluded.posted,
                prev_last = excluded.prev_last, updated_at = excluded.updated_at
            """,
            (
                chat_id,
                cycle,
                json.dumps(list(queue), ensure_ascii=False),
                json.dumps(list(posted), ensure_ascii=False),
                prev_last,
                stamp,
            ),
        )

    # --- daily post log ------------------------------------------------------------------------

    def begin_post(self, chat_id: int, local_date: str | date, fact_id: str) -> int | None:
        """Record the intent to post ``fact_id`` today, BEFORE sending; returns the post id.

        Returns None if the chat already has a row for that date that was sent, is pending,
        is uncertain or was skipped: at most one post per chat per day. A "failed" row is
        reused for a retry (attempts + 1). The fact is consumed from the chat's rotation in
        the same transaction. Raises ``UnknownChatError`` if the chat never subscribed.
        """
        day = _check_date(local_date)
        with self._tx() as conn:
            if self._subscription(conn, chat_id) is None:
                raise UnknownChatError(f"chat {chat_id} has no subscription")
            stamp = self._stamp()
            row = conn.execute(
                "SELECT id, status FROM posts WHERE chat_id = ? AND local_date = ?",
                (chat_id, day),
            ).fetchone()
            if row is None:
                post_id = conn.execute(
                    "INSERT INTO posts (chat_id, local_date, fact_id, status, attempts,"
                    " created_at, updated_at) VALUES (?, ?, ?, 'pending', 1, ?, ?)",
                    (chat_id, day, fact_id, stamp, stamp),
                ).lastrowid
            elif row["status"] in _BLOCKING_STATUSES:
                return None
            else:  # failed: retry in the same row
                post_id = row["id"]
                conn.execute(
                    "UPDATE posts SET fact_id = ?, status = 'pending', message_id = NULL,"
                    " error = NULL, attempts = attempts + 1, updated_at = ? WHERE id = ?",
                    (fact_id, stamp, post_id),
                )
            self._consume(conn, chat_id, fact_id)
            return post_id

    def finish_post(
        self,
        post_id: int,
        *,
        status: str,
        message_id: int | None = None,
        error: str | None = None,
    ) -> Post:
        """Record how a send ended: "sent", "failed", "uncertain" or "skipped".

        "failed" and "skipped" mean the fact was not shown, so it goes back to the head of the
        chat's rotation (still this cycle) instead of being lost.
        """
        if status not in POST_STATUSES or status == "pending":
            raise ValueError(f"status must be sent, failed, uncertain or skipped, got {status!r}")
        with self._tx() as conn:
            post = self._post(conn, post_id)
            if post is None:
                raise LookupError(f"no post with id {post_id}")
            conn.execute(
                "UPDATE posts SET status = ?, message_id = ?, error = ?, updated_at = ?"
                " WHERE id = ?",
                (status, message_id, error, self._stamp(), post_id),
            )
            if status in _NOT_DELIVERED and post.status not in _NOT_DELIVERED:
                self._unconsume(conn, post.chat_id, post.fact_id)
            return self._post(conn, post_id)  # type: ignore[return-value]

    def post_on(self, chat_id: int, local_date: str | date) -> Post | None:
        day = _check_date(local_date)
        with self._tx(write=False) as conn:
            row = conn.execute(
                "SELECT * FROM posts WHERE chat_id = ? AND local_date = ?", (chat_id, day)
            ).fetchone()
            return None if row is None else _post_row(row)

    def posts(self, chat_id: int | None = None, local_date: str | date | None = None) -> list[Post]:
        """Post log rows, oldest date first, optionally for one chat and/or one date."""
        clauses, params = [], []
        if chat_id is not None:
            clauses.append("chat_id = ?")
            params.append(chat_id)
        if local_date is not None:
            clauses.append("local_date = ?")
            params.append(_check_date(local_date))
        sql = "SELECT * FROM posts"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        with self._tx(write=False) as conn:
            rows = conn.execute(sql + " ORDER BY local_date, chat_id, id", params)
            return [_post_row(r) for r in rows]

    def recover_interrupted(self) -> list[Post]:
        """Call once at startup: mark posts left "pending" by a dead process as "uncertain".

        The message may or may not have reached Telegram, so it is never sent again that day.
        Returns the affected rows so they can be logged.
        """
        with self._tx() as conn:
            ids = [r["id"] for r in conn.execute("SELECT id FROM posts WHERE status = 'pending'")]
            conn.execute(
                "UPDATE posts SET status = 'uncertain', error = COALESCE(error, ?),"
                " updated_at = ? WHERE status = 'pending'",
                (_INTERRUPTED, self._stamp()),
            )
            return [self._post(conn, i) for i in ids]  # type: ignore[misc]

    @staticmethod
    def _post(conn: sqlite3.Connection, post_id: int) -> Post | None:
        row = conn.execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
        return None if row is None else _post_row(row)

    # --- feedback and curation -----------------------------------------------------------------

    def record_vote(
        self,
        *,
        chat_id: int,
        message_id: int,
        user_id: int,
        question: str | None,
        fact_id: str | None,
        vote: int,
    ) -> Vote:
        """A user's +1/-1 on one bot message; voting again on it replaces the earlier vote."""
        if vote not in (1, -1) or isinstance(vote, bool):
            raise ValueError(f"vote must be +1 or -1, got {vote!r}")
        with self._tx(durable=False) as conn:
            stamp = self._stamp()
            conn.execute(
                """
                INSERT INTO votes (chat_id, message_id, user_id, question, fact_id, vote,
                                   created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (chat_id, message_id, user_id) DO UPDATE SET
                    question = excluded.question, fact_id = excluded.fact_id,
                    vote = excluded.vote, updated_at = excluded.updated_at
                """,
                (chat_id, message_id, user_id, question, fact_id, vote, stamp, stamp),
            )
            row = conn.execute(
                "SELECT * FROM votes WHERE chat_id = ? AND message_id = ? AND user_id = ?",
                (chat_id, message_id, user_id),
            ).fetchone()
            return _vote_row(row)

    def votes(
        self,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        fact_id: str | None = None,
    ) -> list[Vote]:
        """Votes, oldest first, filtered by any of chat, message and fact."""
        clauses, params = [], []
        for column, value in (
            ("chat_id", chat_id),
            ("message_id", message_id),
            ("fact_id", fact_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        sql = "SELECT * FROM votes"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        with self._tx(write=False) as conn:
            return [_vote_row(r) for r in conn.execute(sql + " ORDER BY created_at, id", params)]

    def vote_counts(self, chat_id: int, message_id: int) -> tuple[int, int]:
        """(up, down) for one message, e.g. to label feedback buttons."""
        with self._tx(write=False) as conn:
            row = conn.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM votes"
                " WHERE chat_id = ? AND message_id = ?",
                (chat_id, message_id),
            ).fetchone()
            return int(row[0]), int(row[1])

    def record_unanswered(
        self, *, question: str, kind: str, chat_type: str | None
    ) -> UnansweredQuestion:
        """Remember a question the bot could not answer ("fallback") or had to ask back about
        ("clarify"), so curators can extend the knowledge base."""
        if kind not in UNANSWERED_KINDS:
            raise ValueError(f"kind must be 'fallback' or 'clarify', got {kind!r}")
        with self._tx(durable=False) as conn:
            stamp = self._stamp()
            row_id = conn.execute(
                "INSERT INTO unanswered (question, kind, chat_type, created_at)"
                " VALUES (?, ?, ?, ?)",
                (question, kind, chat_type, stamp),
            ).lastrowid
            return UnansweredQuestion(row_id, question, kind, chat_type, _ts(stamp))  # type: ignore[arg-type]

    def unanswered(self, limit: int = 100) -> list[UnansweredQuestion]:
        """Unanswered questions, newest first."""
        with self._tx(write=False) as conn:
            rows = conn.execute(
                "SELECT * FROM unanswered ORDER BY created_at DESC, id DESC LIMIT ?", (limit,)
            )
            return [
                UnansweredQuestion(
                    r["id"], r["question"], r["kind"], r["chat_type"], _ts(r["created_at"])
                )
                for r in rows
            ]


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
