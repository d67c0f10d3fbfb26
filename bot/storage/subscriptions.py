"""Chat subscriptions, and moving a chat to a new id (group to supergroup)."""

from __future__ import annotations

import sqlite3
from datetime import time

from bot.storage.core import StorageBase
from bot.storage.schema import (
    _STATUS_RANK,
    CHAT_TYPES,
    Rotation,
    Subscription,
    _check_post_time,
    _subscription_row,
)


class SubscriptionStore(StorageBase):

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

