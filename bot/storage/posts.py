"""The daily post log: one row per chat and local date, written before the send."""

from __future__ import annotations

import sqlite3
from datetime import date

from bot.storage.core import StorageBase
from bot.storage.schema import (
    _BLOCKING_STATUSES,
    _INTERRUPTED,
    _NOT_DELIVERED,
    POST_STATUSES,
    Post,
    UnknownChatError,
    _check_date,
    _post_row,
)


class PostStore(StorageBase):

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
        # Not durable: only ``begin_post`` must reach the disk before the send. Should a power
        # loss take this commit back, the row is "pending" again and becomes "uncertain" at
        # the next start: never sent twice. It halves the broadcast's fsyncs.
        with self._tx(durable=False) as conn:
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

