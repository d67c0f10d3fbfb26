"""What keeping who asked (as a keyed hash) costs an unanswered question, side by side.

    python -m bench.unanswered [--rows 20000]

Two real SQLite files get the same ``--rows`` unanswered questions through
``Storage.record_unanswered``: one without the asker (as a channel's or an anonymous admin's
question, and as every question before schema 4), one with it (a hash in the row and an entry
in its index). Printed: bytes a row (the files vacuumed) and time a call, for each.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from bot.storage import Storage

QUESTION = "上海有多少所高校？它们都在哪里？"


def vacuumed(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
    finally:
        conn.close()
    return db.stat().st_size


def measure(db: Path, rows: int, *, with_asker: bool) -> tuple[float, float]:
    """(bytes a row, seconds a call)."""
    with Storage(db) as storage:
        empty = vacuumed(db)
        started = time.perf_counter()
        for n in range(rows):
            storage.record_unanswered(
                question=f"{QUESTION}{n % 500}", kind="fallback", chat_type="private",
                user_id=100_000 + n % 3_000 if with_asker else None,
            )
        seconds = time.perf_counter() - started
    return (vacuumed(db) - empty) / rows, seconds / rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        without = measure(Path(tmp) / "without.sqlite3", args.rows, with_asker=False)
        with_ = measure(Path(tmp) / "with.sqlite3", args.rows, with_asker=True)
    print(f"{args.rows:,} unanswered questions   {'B a row':>8} {'us a call':>10}")
    for name, (size, seconds) in (("without the asker", without), ("with its keyed hash", with_)):
        print(f"{name:<27} {size:>8.0f} {seconds * 1e6:>10.0f}")
    print(f"the hash costs {with_[0] - without[0]:+.0f} B a row and "
          f"{(with_[1] - without[1]) * 1e6:+.0f} us a call ({with_[1] / without[1]:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
