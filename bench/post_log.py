"""The daily post log under retention: how big it gets, what the daily purge costs, and that
the file stops growing once the purge keeps pace.

    python -m bench.post_log [--chats 5000] [--retention 90] [--more 5]

A real SQLite file gets ``--chats`` subscribed chats and, for each of the ``--retention`` days
before today, one "sent" row per chat (written in one transaction, with the columns a
broadcast fills in). Then ``--more`` days go by: each adds that day's rows and runs the bot's
own purge (``bot.ops.privacy.purge``). Printed: the file and a row's share of it, the purge's
time, and the file after each day against the same days without a purge (as before the post
log was purged), and what a year without one would come to.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.ops import privacy
from bot.storage import Storage

TZ = ZoneInfo("Asia/Shanghai")
CHAT_BASE = -1005000000000
MB = 1024 * 1024


def fill(db: Path, chats: int, days: list[date]) -> None:
    """Subscriptions and a day's "sent" row per chat, as finished broadcasts leave them."""
    stamp = datetime.now(UTC).isoformat(timespec="microseconds")
    Storage(db).close()  # the schema, migrated
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT OR IGNORE INTO subscriptions (chat_id, chat_type, title, post_time, active,"
            " created_at, updated_at) VALUES (?, 'supergroup', ?, '08:00', 1, ?, ?)",
            ((CHAT_BASE - n, f"群 {n}", stamp, stamp) for n in range(chats)),
        )
        conn.executemany(
            "INSERT INTO posts (chat_id, local_date, fact_id, status, message_id, attempts,"
            " created_at, updated_at) VALUES (?, ?, ?, 'sent', ?, 1, ?, ?)",
            (
                (CHAT_BASE - n, day.isoformat(), f"intent_{n % 40:02d}", 100_000 + n, stamp,
                 stamp)
                for day in days
                for n in range(chats)
            ),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def size(db: Path) -> int:
    """The file's size once the WAL is folded back into it."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return db.stat().st_size


def run(chats: int, retention: int, more: int) -> int:
    today = date.today()
    first = [today - timedelta(days=d) for d in range(retention, 0, -1)]
    with tempfile.TemporaryDirectory() as tmp:
        purged, kept = Path(tmp) / "purged.sqlite3", Path(tmp) / "kept.sqlite3"
        fill(purged, chats, first)
        fill(kept, chats, first)
        full = size(purged)
        with Storage(purged) as db:
            rows = len(db.posts())
        per_row = full / rows
        print(f"{chats:,} chats x {retention} days: {rows:,} post log rows, file "
              f"{full / MB:.1f} MB ({per_row:.0f} B a row, subscriptions included)")
        print(f"{'day':<12} {'purged':>8} {'purge s':>8} {'rows':>9} {'file MB':>8} "
              f"{'no purge MB':>12}")
        for n in range(more):
            day = today + timedelta(days=n)
            fill(purged, chats, [day])
            fill(kept, chats, [day])
            now = datetime.combine(day, datetime.min.time(), TZ).replace(hour=9)
            with Storage(purged) as db:
                started = time.perf_counter()
                gone = privacy.purge(db, retention, now.astimezone(UTC), tz=TZ)
                seconds = time.perf_counter() - started
                left = len(db.posts())
            print(f"{day.isoformat():<12} {gone.posts:>8,} {seconds:>8.3f} {left:>9,} "
                  f"{size(purged) / MB:>8.1f} {size(kept) / MB:>12.1f}")
        year = chats * 365 * per_row
        print(f"without a purge a year adds {year / MB:.0f} MB at this size a row; with it the "
              f"post log stays at {retention + 1} days")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=5000)
    parser.add_argument("--retention", type=int, default=90, help="retention_days")
    parser.add_argument("--more", type=int, default=5, help="days that go by after the fill")
    args = parser.parse_args(argv)
    return run(args.chats, args.retention, args.more)


if __name__ == "__main__":
    raise SystemExit(main())
