"""Feedback for curators: votes on answers and the questions the bot could not answer."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.askers import asker_hash, asker_key
from bot.storage.core import StorageBase
from bot.storage.schema import (
    UNANSWERED_KINDS,
    UnansweredQuestion,
    Vote,
    _ts,
    _vote_row,
)


class FeedbackStore(StorageBase):

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
        self, *, question: str, kind: str, chat_type: str | None, user_id: int | None = None
    ) -> UnansweredQuestion:
        """Remember a question the bot could not answer ("fallback") or had to ask back about
        ("clarify"), so curators can extend the knowledge base. ``user_id``, the asker, is
        kept only as a keyed hash (``askers``): enough for ``forget_user`` to find the row."""
        if kind not in UNANSWERED_KINDS:
            raise ValueError(f"kind must be 'fallback' or 'clarify', got {kind!r}")
        with self._tx(durable=False) as conn:
            stamp = self._stamp()
            asker = None
            if user_id is not None:
                key = asker_key(conn, create=True)
                assert key is not None
                asker = asker_hash(key, user_id)
            row_id = conn.execute(
                "INSERT INTO unanswered (question, kind, chat_type, created_at, asker)"
                " VALUES (?, ?, ?, ?, ?)",
                (question, kind, chat_type, stamp, asker),
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



    def curator_feedback(
        self, since: datetime | None = None
    ) -> tuple[list[UnansweredQuestion], list[Vote]]:
        """What `factbot report` works from, oldest first, in one read: the questions not
        answered or asked back about, and the 👎 votes that say which question they were on,
        since `since` (an aware datetime), or all."""
        stamp = since.astimezone(UTC).isoformat(timespec="microseconds") if since else ""
        with self._tx(write=False) as conn:
            rows = conn.execute(
                "SELECT * FROM unanswered WHERE created_at >= ? ORDER BY created_at, id", (stamp,)
            ).fetchall()
            votes = conn.execute(
                "SELECT * FROM votes WHERE vote = -1 AND question IS NOT NULL"
                " AND updated_at >= ? ORDER BY updated_at, id",
                (stamp,),
            ).fetchall()
        unanswered = [
            UnansweredQuestion(
                r["id"], r["question"], r["kind"], r["chat_type"], _ts(r["created_at"])
            )
            for r in rows
        ]
        return unanswered, [_vote_row(r) for r in votes]
