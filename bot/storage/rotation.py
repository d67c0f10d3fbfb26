"""Each chat's rotation of facts: a reproducible shuffle per cycle, no repeats in a cycle."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Sequence

from bot.storage.core import StorageBase
from bot.storage.schema import Rotation, _ts


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



class RotationStore(StorageBase):

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
        # Not durable: a lost commit only re-saves the same reproducible order next time.
        with self._tx(durable=False) as conn:
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

