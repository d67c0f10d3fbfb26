"""The soak's report: errors, reply times, memory (and what each broadcast did to it), the
bounded tables' fill, and SQLite's growth against what retention allows."""

from __future__ import annotations

import argparse
import math
import os
import sqlite3
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.soak_broadcast import windows
from bench.soak_crowd import REPLY_TIMEOUT, Run
from bench.soak_probe import Sample, bounds, db_bytes
from bot.config import Settings
from bot.storage import Storage, UnansweredQuestion

MB = 1024 * 1024
MINUTE = 60.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else math.nan


def replies(args: argparse.Namespace, run: Run, casts: list[tuple[float, float, int]]) -> None:
    """Reply time in the measured window: all, outside and during broadcasts, by kind."""
    after = [(at, s, k) for at, s, k in run.latencies
             if run.measured_from <= at <= run.measured_to]

    def during(at: float) -> bool:
        return any(first <= at <= last for first, last, _ in casts)

    rows = [("measured window", [s for _, s, _ in after])]
    rows.append(("  no broadcast", [s for at, s, _ in after if not during(at)]))
    if casts:
        rows.append(("  during a broadcast", [s for at, s, _ in after if during(at)]))
    for kind, name in (("question", "questions"), ("press", "button presses"), ("fact", "/fact")):
        rows.append((f"  {name}", [s for _, s, k in after if k == kind]))
    print(f"\n{'reply time':<34} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in rows:
        print(f"{name:<34} {len(values):>6} {percentile(values, 0.5):>8.1f} "
              f"{percentile(values, 0.99):>8.1f} {percentile(values, 1.0):>8.1f}")
    quiet = percentile(rows[1][1], 0.99)
    for n, (first, last, posts) in enumerate(casts, 1):
        loud = percentile([s for at, s, _ in after if first <= at <= last], 0.99)
        print(f"broadcast {n}: {posts} posts from {first:.0f} s to {last:.0f} s "
              f"({posts / max(last - first, 1e-9):.1f}/s); reply p99 during / without: "
              f"{loud:.0f} / {quiet:.0f} ms = {loud / quiet:.2f}x")


def report(args: argparse.Namespace, run: Run, samples: list[Sample], db: Path, log: Path,
           probe: dict[str, dict[str, int]]) -> int:
    errors = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
    casts = windows(run, args.broadcasts, args.broadcast)
    fill = [x for x in run.latencies if x[0] < run.measured_from]
    measured = len(run.latencies) - len(fill)
    print(f"\nwarm-up: {len(fill)} replies in {run.measured_from:.0f} s; measured: "
          f"{args.users} new users for {args.minutes:g} min, one action each every "
          f"~{args.think:g} s ({args.users / args.think:.1f}/s): {measured} replies; "
          f"{run.actions} actions in all; load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"errors: {len(run.rejected)} rejected request(s), {run.timeouts} action(s) with no "
          f"reply in {REPLY_TIMEOUT:g} s, {len(errors)} ERROR line(s) in the bot's log")
    for line in (run.rejected + errors)[:10]:
        print(f"  {line}")
    replies(args, run, casts)
    memory(run, samples, casts)
    tables(probe)
    trace = log.parent / "probe" / "trace.txt"
    if args.trace:
        print("\ntracemalloc, bot's process, end of warm-up -> end of run:")
        print(trace.read_text() if trace.exists() else "  (no trace written)")
    database(samples, db, run.measured_to - run.measured_from)
    return 1 if run.rejected or run.timeouts or errors else 0


def memory(run: Run, samples: list[Sample], casts: list[tuple[float, float, int]]) -> None:
    """Medians of the measured window's first and last minute, its last sample, and around
    each broadcast: the minute before it, its peak, and the minute after it."""
    warm = [s for s in samples if run.measured_from <= s.at <= run.measured_to]
    if len(warm) < 4:
        return

    def median(value: Callable[[Sample], int], low: float, high: float) -> float:
        inside = [value(x) for x in warm if low <= x.at < high] or [value(warm[-1])]
        return statistics.median(inside) / MB

    start, end = warm[0].at, warm[-1].at
    for name, value in (("bot and engine worker", lambda x: x.rss),
                        ("bot's own process", lambda x: x.main)):
        head, tail = median(value, start, start + MINUTE), median(value, end - MINUTE, end + 1)
        last = value(warm[-1]) / MB
        print(f"\nresident memory, {name}: first minute {head:.1f} MB, last minute {tail:.1f} "
              f"MB: growth {tail - head:+.1f} MB (target < 10); last sample {last:.1f} MB "
              f"({last - head:+.1f}); max {max(value(x) for x in warm) / MB:.1f} MB")
    for n, (first, last, _) in enumerate(casts, 1):
        before = median(lambda x: x.rss, first - MINUTE, first)
        peak = max((x.rss for x in warm if first <= x.at <= last), default=0) / MB
        after = median(lambda x: x.rss, last, last + MINUTE)
        if not peak:
            print(f"  broadcast {n}: its posts went out after the measured window")
            continue
        print(f"  broadcast {n}: {before:.1f} MB the minute before, peak {peak:.1f} MB during, "
              f"{after:.1f} MB the minute after its last post")
    step = max(1, len(samples) // 16)
    print("  " + "  ".join(f"{x.at:.0f}s:{x.rss / MB:.0f}" for x in samples[::step]))


def tables(probe: dict[str, dict[str, int]]) -> None:
    """How full each bounded table was at the end of warm-up and at the end (the census)."""
    warm, end = probe.get("warm", {}), probe.get("end", {})
    if not warm and not end:
        return
    caps = bounds()
    print(f"\n{'bounded table':<42} {'cap':>8} {'warm-up':>8} {'end':>8}")
    for name in dict.fromkeys([*warm, *end]):
        cap = f"{caps[name]:,}" if name in caps else "-"
        print(f"{name:<42} {cap:>8} {warm.get(name, 0):>8,} {end.get(name, 0):>8,}")


def table_bytes(db: Path) -> dict[str, int]:
    """Bytes each table takes with its indexes (SQLite's dbstat), read-only."""
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master"))
        sizes: dict[str, int] = {}
        for name, size in conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            sizes[table] = sizes.get(table, 0) + int(size)
        return sizes
    finally:
        conn.close()


def database(samples: list[Sample], db: Path, seconds: float) -> None:
    """What the run stored, what a stored question or vote costs, and what retention bounds."""
    retention = Settings().retention_days
    with Storage(db) as storage:
        votes = len(storage.votes())
        questions = storage.unanswered(limit=10**9)
    sizes = table_bytes(db)
    kb = 1024
    feedback = sizes.get("votes", 0) + sizes.get("unanswered", 0)
    rows = votes + len(questions)
    per_row = feedback / rows if rows else math.nan
    print(f"\nSQLite: {db_bytes(db) / kb:.0f} KB at the end, file and WAL "
          f"({samples[0].db / kb:.0f} KB at the start); by table: "
          + ", ".join(f"{t} {b / kb:.0f} KB" for t, b in sorted(sizes.items(), key=lambda x: -x[1])
                      if b >= 8 * kb))
    print(f"feedback: {votes} votes + {len(questions)} unanswered questions = {feedback / kb:.0f} "
          f"KB, {per_row:.0f} B a row")
    if rows and seconds > 0:
        per_day = rows / seconds * 86400
        print(f"retention {retention} days: at the measured load about {per_day:,.0f} rows a "
              f"day (warm-up rows counted too), so the feedback tables level off near "
              f"{per_day * retention * per_row / kb**3:.2f} GB ({per_day * per_row / kb**2:.1f} "
              f"MB a day)")
        reused(db, votes, questions)


def reused(db: Path, votes: int, questions: list[UnansweredQuestion]) -> None:
    """Retention keeps the file flat: purge every row (as the daily purge does with the old
    ones), write as many again, and the file does not grow, as SQLite reuses the pages."""
    before = checkpointed(db)
    with Storage(db) as storage:
        storage.purge_before(datetime.now(UTC) + timedelta(seconds=1))
        for q in questions:
            storage.record_unanswered(question=q.question, kind=q.kind, chat_type=q.chat_type)
        for n in range(votes):
            storage.record_vote(chat_id=1, message_id=n, user_id=n, question=None, fact_id=None,
                                vote=1)
    after = checkpointed(db)
    print(f"purge everything, write the same rows again: file {before / 1024:.0f} KB -> "
          f"{after / 1024:.0f} KB ({(after - before) / 1024:+.0f} KB): freed pages are reused")


def checkpointed(db: Path) -> int:
    """The file's size once the WAL is folded back into it."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return db_bytes(db)
