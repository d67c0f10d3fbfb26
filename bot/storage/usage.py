"""How the bot is used, and what it keeps about people: question counts for `factbot stats`,
retention (deleting old questions, votes and post log rows) and forgetting one user on request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bot.storage.askers import asker_hash, asker_key
from bot.storage.core import StorageBase
from bot.storage.schema import REPLY_KINDS, _check_date


@dataclass(frozen=True, slots=True)
class DayCounts:
    """Questions of one local day, by how the bot replied."""

    day: str
    answer: int = 0
    fallback: int = 0  # declined: the article does not say
    clarify: int = 0  # asked back which of several things was meant
    smalltalk: int = 0


@dataclass(frozen=True, slots=True)
class Usage:
    """Everything ``factbot stats`` and ``/stats`` show, for the days from ``since`` on."""

    since: str  # first local day counted, YYYY-MM-DD
    days: tuple[DayCounts, ...]  # oldest first, only days with questions
    top_intents: tuple[tuple[str, int], ...]  # (intent id, times answered), most first
    votes_up: int
    votes_down: int
    active_subscriptions: int
    inactive_subscriptions: int
    posts: dict[str, int] = field(default_factory=dict)  # status -> count


@dataclass(frozen=True, slots=True)
class Purged:
    """What one retention purge deleted."""

    votes: int
    questions: int
    posts: int  # post log rows


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What ``forget_user`` deleted."""

    votes: int
    subscription: bool
    posts: int
    rotation: bool
    questions: int = 0  # unanswered questions they asked (those stored with who asked)

    @property
    def anything(self) -> bool:
        return bool(
            self.votes or self.subscription or self.posts or self.rotation or self.questions
        )


class UsageStore(StorageBase):
    def count_question(self, *, day: str | date, kind: str, intent: str | None) -> None:
        """One more question on ``day`` (local) that got a reply of ``kind``."""
        if kind not in REPLY_KINDS:
            raise ValueError(f"kind must be one of {sorted(REPLY_KINDS)}, got {kind!r}")
        local_day = _check_date(day)
        with self._tx(durable=False) as conn:
            conn.execute(
                "INSERT INTO question_counts (day, kind, intent, count) VALUES (?, ?, ?, 1)"
                " ON CONFLICT (day, kind, intent) DO UPDATE SET count = count + 1",
                (local_day, kind, intent or ""),
            )

    def usage(self, *, since_day: str | date, since: datetime, top: int = 5) -> Usage:
        """Counts from local day ``since_day`` (questions, posts) and instant ``since`` (votes,
        whose times are UTC); subscriptions as they are now."""
        first = _check_date(since_day)
        with self._tx(write=False) as conn:
            per_day: dict[str, dict[str, int]] = {}
            for row in conn.execute(
                "SELECT day, kind, SUM(count) FROM question_counts WHERE day >= ?"
                " GROUP BY day, kind ORDER BY day",
                (first,),
            ):
                per_day.setdefault(row[0], {})[row[1]] = int(row[2])
            top_rows = conn.execute(
                "SELECT intent, SUM(count) AS n FROM question_counts"
                " WHERE day >= ? AND kind = 'answer' AND intent != ''"
                " GROUP BY intent ORDER BY n DESC, intent LIMIT ?",
                (first, top),
            ).fetchall()
            up, down = conn.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM votes"
                " WHERE updated_at >= ?",
                (self._iso(since),),
            ).fetchone()
            active, inactive = conn.execute(
                "SELECT COALESCE(SUM(active = 1), 0), COALESCE(SUM(active = 0), 0)"
                " FROM subscriptions"
            ).fetchone()
            posts = {
                row[0]: int(row[1])
                for row in conn.execute(
                    "SELECT status, COUNT(*) FROM posts WHERE local_date >= ? GROUP BY status",
                    (first,),
                )
            }
        return Usage(
            since=first,
            days=tuple(DayCounts(day, **counts) for day, counts in per_day.items()),
            top_intents=tuple((row[0], int(row[1])) for row in top_rows),
            votes_up=int(up),
            votes_down=int(down),
            active_subscriptions=int(active),
            inactive_subscriptions=int(inactive),
            posts=posts,
        )

    def purge_before(self, cutoff: datetime, *, posts_before: str | date | None = None) -> Purged:
        """Deletes votes last changed and questions recorded before ``cutoff`` and, given
        ``posts_before`` (a local date), the post log rows of the days before it, in one
        transaction. Question counts carry nothing personal and stay.

        At-most-once delivery only ever reads the row of the day being posted (today, or
        yesterday for a broadcast still running past midnight): the caller keeps those days
        (``bot.ops.privacy.posts_cutoff``). A "pending" row is never deleted, whatever its
        date: it is a send in flight, or one that the next start must mark "uncertain"."""
        stamp = self._iso(cutoff)
        day = None if posts_before is None else _check_date(posts_before)
        with self._tx() as conn:
            votes = conn.execute("DELETE FROM votes WHERE updated_at < ?", (stamp,)).rowcount
            questions = conn.execute(
                "DELETE FROM unanswered WHERE created_at < ?", (stamp,)
            ).rowcount
            posts = 0
            if day is not None:
                posts = conn.execute(
                    "DELETE FROM posts WHERE local_date < ? AND status != 'pending'", (day,)
                ).rowcount
        return Purged(votes, questions, posts)

    def forget_user(self, user_id: int) -> Forgotten:
        """Deletes what is kept about one Telegram user: their votes (with the questions they
        voted on), the unanswered questions they asked (found by the keyed hash stored with
        each, ``askers``; rows stored before it existed have none and go by retention only),
        and their private chat with the bot (its subscription, post log, rotation and the
        votes in it)."""
        with self._tx() as conn:
            votes = conn.execute(
                "DELETE FROM votes WHERE user_id = ? OR chat_id = ?", (user_id, user_id)
            ).rowcount
            key = asker_key(conn, create=False)  # none yet: no question was stored with one
            questions = 0
            if key is not None:
                questions = conn.execute(
                    "DELETE FROM unanswered WHERE asker = ?", (asker_hash(key, user_id),)
                ).rowcount
            private = "chat_id = ? AND chat_type = 'private'"
            posts = conn.execute(
                f"DELETE FROM posts WHERE chat_id IN (SELECT chat_id FROM subscriptions"
                f" WHERE {private})",
                (user_id,),
            ).rowcount
            subscription = conn.execute(
                f"DELETE FROM subscriptions WHERE {private}", (user_id,)
            ).rowcount
            # A user id is positive; group and channel ids are negative, so this is their
            # private chat's rotation (an on-demand /fact there may have made one).
            rotation = conn.execute(
                "DELETE FROM rotation WHERE chat_id = ? AND chat_id > 0", (user_id,)
            ).rowcount
        return Forgotten(votes, subscription > 0, posts, rotation > 0, questions)

    @staticmethod
    def _iso(moment: datetime) -> str:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"expected an aware datetime, got {moment!r}")
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
