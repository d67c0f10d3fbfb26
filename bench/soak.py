"""Load and soak: many users asking and pressing buttons for minutes, with a broadcast midway.

    python -m bench.soak [--users 1000] [--minutes 10] [--broadcast 5000] [--think 50]

``factbot run`` runs as a real subprocess against the fake Bot API on 127.0.0.1 with a real
SQLite file. Each simulated user, in a private chat, acts about every ``--think`` seconds (at
random): it asks a question drawn from knowledge/eval (in-scope and out-of-scope, so the
database gets unanswered questions too) or presses a button under its last answer (votes,
原文, 相关, suggestions). A user never has two actions waiting. ``--broadcast`` chats are
subscribed with a post time a third of the way into the run, so the bot's own daily broadcast
(paced at Telegram's 30 messages a second) runs while the users keep going.

Reported: every error (requests the fake rejected, actions with no reply within 30 s, ERROR
lines in the bot's log); p50/p99 reply time (update queued -> reply received by the fake) for
the whole run after warm-up, outside the broadcast and during it, side by side; the bot's
resident memory (its engine workers too) sampled every 5 s, and its growth from the end of
warm-up to the end of the run (target < 10 MB); the SQLite file's growth and what each stored
question or vote costs, against the ceiling the retention setting implies. Nothing here
asserts anything about time.

``--trace`` (a diagnostic, slower: tracemalloc in the bot's process) prints what was allocated
between the end of warm-up and the end of the run, by line and by object type, to tell bounded
caches filling from a leak (the bot's resident memory is then tracemalloc's too: read the
traced figures, not the resident ones).
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/soak.py
    sys.path.insert(0, str(ROOT))

from bench.restart import DAILY, BotProcess  # noqa: E402
from bench.telegram_throughput import questions  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.storage import Storage, UnansweredQuestion  # noqa: E402
from bot.telegram.asker import Asker  # noqa: E402
from bot.telegram.render import RENDERED_KEPT  # noqa: E402
from bot.telegram.services import AnswerMemory, Conversations  # noqa: E402
from tests.fake_telegram import Call, FakeTelegram  # noqa: E402

USER_BASE, CHAT_BASE = 2_000_000, -1005000000000
WARM_UP = 60.0  # seconds: engine workers loading, answer cache filling
REPLY_TIMEOUT = 30.0
SAMPLE_EVERY = 5.0


@dataclass
class User:
    chat: int
    waiting: tuple[str, str | int, float] | None = None  # (kind, key, when pushed)
    buttons: list[str] = field(default_factory=list)  # callback data under its last answer
    answer_id: int | None = None


@dataclass
class Sample:
    at: float  # seconds since the start
    rss: int  # bytes, the bot's process tree
    main: int  # bytes, the bot's own process (the rest: its engine workers)
    db: int  # bytes, database file with its WAL


@dataclass
class Run:
    latencies: list[tuple[float, float, str]] = field(default_factory=list)  # (at, s, kind)
    samples: list[Sample] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    timeouts: int = 0
    actions: int = 0
    broadcast: list[float] = field(default_factory=list)  # when each daily post went out
    started: float = 0.0
    measured_from: float = WARM_UP  # seconds since the start: end of warm-up


def rss(pid: int) -> int:
    """Resident bytes of one process (Linux /proc; 0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            match = re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M)
    except OSError:
        return 0
    return int(match.group(1)) * 1024 if match else 0


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        total += rss(current)
    return total


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


class Crowd:
    """The simulated users: who acts next, and which reply answers which action."""

    def __init__(self, fake: FakeTelegram, users: int, think: float, seed: int) -> None:
        self.fake, self.think = fake, think
        self.rng = random.Random(seed)
        self.pool = questions(5000, seed)
        self.users = [User(USER_BASE + n) for n in range(users)]
        self.by_chat = {u.chat: u for u in self.users}
        self.queries: dict[str, User] = {}
        for user in self.users:
            fake.add_chat(user.chat, "private", first_name=f"读者{user.chat % 10000}")
        self.next_at = time.monotonic()

    def act(self, run: Run) -> None:
        """Starts the actions due by now: arrivals at users / think per second overall."""
        now = time.monotonic()
        while self.next_at <= now:
            self.next_at += self.rng.expovariate(len(self.users) / self.think)
            user = self.rng.choice(self.users)
            if user.waiting is not None:
                continue
            run.actions += 1
            if user.buttons and user.answer_id is not None and self.rng.random() < 0.35:
                data = self.rng.choice(user.buttons)
                update = self.fake.callback_query_update(user.chat, user.chat, user.answer_id, data)
                query = update["callback_query"]["id"]
                user.waiting = ("press", query, time.time())
                self.queries[query] = user
            else:
                text = self.rng.choice(self.pool)
                update = self.fake.message_update(user.chat, user.chat, text)
                user.waiting = ("question", update["message"]["message_id"], time.time())
            self.fake.push_update(update)

    def collect(self, run: Run) -> None:
        for call in self.fake.take_calls():
            self._one(call, run)
        cutoff = time.time() - REPLY_TIMEOUT
        for user in self.users:
            if user.waiting is not None and user.waiting[2] < cutoff:
                run.timeouts += 1
                self.queries.pop(str(user.waiting[1]), None)
                user.waiting = None

    def _one(self, call: Call, run: Run) -> None:
        if not call.ok:
            if call.method != "getUpdates" or call.http_status is not None:
                run.rejected.append(f"{call.method} {call.http_status}: {call.description}")
            return
        if call.method == "answerCallbackQuery":
            user = self.queries.pop(call.params.get("callback_query_id"), None)
            if user is not None and user.waiting is not None:
                self._done(user, call, run)
            return
        if call.method not in ("sendMessage", "editMessageText"):
            return
        chat = call.params.get("chat_id")
        if isinstance(call.result, dict) and call.result.get("text", "").startswith(DAILY):
            run.broadcast.append(call.time - run.started)
            return
        user = self.by_chat.get(chat)
        if user is None or user.waiting is None or user.waiting[0] != "question":
            return
        markup = call.params.get("reply_markup") or {}
        user.buttons = [
            b["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        ]
        user.answer_id = call.result["message_id"] if isinstance(call.result, dict) else None
        self._done(user, call, run)

    @staticmethod
    def _done(user: User, call: Call, run: Run) -> None:
        assert user.waiting is not None
        kind, _, pushed = user.waiting
        run.latencies.append((pushed - run.started, call.time - pushed, kind))
        user.waiting = None


# Loaded in the bot's own process (not its engine workers) through ``sitecustomize`` when
# --trace is given: a snapshot when the bench touches SOAK_TRACE/warm, another at SOAK_TRACE/end.
TRACE_HOOK = r"""
import os
if os.environ.pop("SOAK_TRACE_MAIN", None) == "1":
    import collections, gc, threading, time, tracemalloc
    tracemalloc.start(4)
    folder, state = os.environ["SOAK_TRACE"], {}

    def census():
        gc.collect()
        return collections.Counter(type(o).__qualname__ for o in gc.get_objects())

    def watch():
        while not os.path.exists(os.path.join(folder, "warm")):
            time.sleep(0.5)
        state["snap"], state["types"] = tracemalloc.take_snapshot(), census()
        while not os.path.exists(os.path.join(folder, "end")):
            time.sleep(0.5)
        snap, types = tracemalloc.take_snapshot(), census()
        diff = snap.compare_to(state["snap"], "traceback")
        lines = [f"traced {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MB, "
                 f"{sum(d.size_diff for d in diff) / 2**20:+.1f} MB since warm-up"]
        for stat in diff[:12]:
            lines.append(f"{stat.size_diff / 1024:+8.0f} KB {stat.count_diff:+7d} blocks  "
                         + " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno}"
                                       for f in reversed(stat.traceback)))
        grown = sorted(types, key=lambda k: types[k] - state["types"].get(k, 0), reverse=True)
        lines += [f"objects {k}: {state['types'].get(k, 0)} -> {types[k]}" for k in grown[:12]]
        with open(os.path.join(folder, "trace.txt.part"), "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(os.path.join(folder, "trace.txt.part"), os.path.join(folder, "trace.txt"))

    threading.Thread(target=watch, daemon=True).start()
"""


def subscribe_broadcast(db: Path, fake: FakeTelegram, chats: int, at: datetime, tz: str) -> str:
    """``chats`` groups subscribed yesterday, due at ``at``'s minute (rounded up)."""
    local = (at + timedelta(minutes=1)).astimezone(ZoneInfo(tz))
    post_time = f"{local:%H:%M}"
    with Storage(db, now=lambda: datetime.now(UTC) - timedelta(days=1)) as storage:
        for n in range(chats):
            chat = CHAT_BASE - n
            fake.add_chat(chat, "supergroup", title=f"订阅群 {n}")
            storage.subscribe(chat, chat_type="supergroup", title=None, post_time=post_time)
    return post_time


def bounds() -> dict[str, int]:
    """The bot's bounded in-memory tables, as they are built by default: a --fill of as many
    answers as the largest holds measures memory with all of them full."""

    def default(cls: Callable[..., object], name: str) -> int:
        return int(inspect.signature(cls).parameters[name].default)

    return {
        "answers remembered": default(AnswerMemory, "size"),
        "conversation contexts": default(Conversations, "size"),
        "answer cache": default(Asker, "cache_size"),
        "rendered replies": RENDERED_KEPT,
    }


def soak(args: argparse.Namespace, workdir: Path) -> tuple[Run, Path, Path]:
    data = workdir / "data"
    db = data / "factbot.sqlite3"
    settings = Settings()
    run = Run()
    with FakeTelegram() as fake:
        seconds = args.minutes * 60
        fill = args.fill
        # the fill phase's expected length (actions at users / fill_think a second), then a
        # third of the measured run
        filling = fill * args.fill_think / args.users * 1.1
        if args.broadcast:
            when = datetime.now(UTC) + timedelta(seconds=filling + seconds / 3)
            post_time = subscribe_broadcast(db, fake, args.broadcast, when, settings.timezone)
            print(f"{args.broadcast} chats subscribed for {post_time} ({settings.timezone})")
        crowd = Crowd(fake, args.users, args.fill_think if fill else args.think, args.seed)
        env = trace_env(workdir) if args.trace else {}
        bot = BotProcess(fake, data, FACTBOT_LOG_LEVEL="WARNING", **env)
        bot.start()
        assert bot.process is not None
        run.started = time.time()
        try:
            drive(args, run, crowd, bot.process.pid, db, fill, workdir / "trace")
        finally:
            code = bot.terminate()
        if code != 0:
            run.rejected.append(f"factbot run exited with status {code} after SIGTERM")
    return run, db, bot.log


def drive(args: argparse.Namespace, run: Run, crowd: Crowd, pid: int, db: Path, fill: int,
          trace: Path) -> None:
    """The users' actions: fast until ``fill`` replies, then at --think for --minutes."""
    began = time.monotonic()
    next_sample, end = began, math.inf if fill else began + args.minutes * 60
    run.measured_from = math.inf if fill else WARM_UP
    while time.monotonic() < end:
        crowd.act(run)
        crowd.collect(run)
        now = time.monotonic()
        if now >= next_sample:
            next_sample += SAMPLE_EVERY
            run.samples.append(Sample(now - began, tree_rss(pid), rss(pid), db_bytes(db)))
        if math.isinf(end) and len(run.latencies) >= fill:
            run.measured_from, end = max(now - began, WARM_UP), now + args.minutes * 60
            crowd.think = args.think
            print(f"warm-up: {len(run.latencies)} replies in {now - began:.0f} s (one action "
                  f"a user every ~{args.fill_think:g} s), enough to fill "
                  + ", ".join(f"{k} ({v:,})" for k, v in bounds().items())
                  + f"; measured from here for {args.minutes:g} min")
            if args.trace:
                (trace / "warm").touch()
        if args.trace and now >= end - 10 and not (trace / "end").exists():
            (trace / "end").touch()
        time.sleep(0.005)
    deadline = time.monotonic() + REPLY_TIMEOUT
    while any(u.waiting for u in crowd.users) and time.monotonic() < deadline:
        crowd.collect(run)
        time.sleep(0.01)
    crowd.collect(run)
    if args.trace:
        deadline = time.monotonic() + 120  # a snapshot of a big heap takes a while
        while not (trace / "trace.txt").exists() and time.monotonic() < deadline:
            time.sleep(0.5)


def trace_env(workdir: Path) -> dict[str, str]:
    """Environment that makes the bot's process load TRACE_HOOK."""
    hook = workdir / "trace"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(TRACE_HOOK)
    return {
        "PYTHONPATH": f"{hook}{os.pathsep}{ROOT}",
        "SOAK_TRACE_MAIN": "1",
        "SOAK_TRACE": str(hook),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else math.nan


def report(args: argparse.Namespace, run: Run, db: Path, log: Path) -> int:
    errors = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
    after = [(at, s, k) for at, s, k in run.latencies if at >= run.measured_from]
    window = (min(run.broadcast), max(run.broadcast)) if run.broadcast else None

    def during(at: float) -> bool:
        return window is not None and window[0] <= at <= window[1]

    rows = [("all after warm-up", [s for _, s, _ in after])]
    rows.append(("  no broadcast", [s for at, s, _ in after if not during(at)]))
    if window is not None:
        rows.append(("  during broadcast", [s for at, s, _ in after if during(at)]))
    rows += [
        ("  questions", [s for _, s, k in after if k == "question"]),
        ("  button presses", [s for _, s, k in after if k == "press"]),
    ]
    seconds = run.samples[-1].at if run.samples else args.minutes * 60
    print(f"{args.users} users for {args.minutes:g} min, one action each every ~{args.think:g} s "
          f"({args.users / args.think:.1f}/s): {run.actions} actions, "
          f"{len(run.latencies)} replies")
    print(f"errors: {len(run.rejected)} rejected request(s), {run.timeouts} action(s) with no "
          f"reply in {REPLY_TIMEOUT:g} s, {len(errors)} ERROR line(s) in the bot's log")
    for line in (run.rejected + errors)[:10]:
        print(f"  {line}")
    print(f"\n{'reply time after ' + str(int(run.measured_from)) + ' s warm-up':<34} {'n':>6} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in rows:
        print(f"{name:<34} {len(values):>6} {percentile(values, 0.5):>8.1f} "
              f"{percentile(values, 0.99):>8.1f} {percentile(values, 1.0):>8.1f}")
    quiet = percentile(rows[1][1], 0.99)
    if window is not None:
        loud = percentile(rows[2][1], 0.99)
        print(f"broadcast: {len(run.broadcast)} posts from {window[0]:.0f} s to {window[1]:.0f} s "
              f"({len(run.broadcast) / max(window[1] - window[0], 1e-9):.1f}/s); reply p99 "
              f"during / without: {loud:.0f} / {quiet:.0f} ms = {loud / quiet:.2f}x")
    memory(run)
    trace = log.parent / "trace" / "trace.txt"
    if args.trace:
        print("\ntracemalloc, bot's process, end of warm-up -> end of run:")
        print(trace.read_text() if trace.exists() else "  (no trace written)")
    database(run, db, seconds)
    return 1 if run.rejected or run.timeouts or errors else 0


def memory(run: Run) -> None:
    warm = [s for s in run.samples if s.at >= run.measured_from]
    if len(warm) < 4:
        return
    mb = 1024 * 1024
    edge = max(1, len(warm) // 10)  # medians of the first and last tenth, not single samples

    def growth(samples: list[Sample], value: Callable[[Sample], int]) -> tuple[float, float]:
        head = statistics.median(value(x) for x in samples[:edge])
        tail = statistics.median(value(x) for x in samples[-edge:])
        return head / mb, (tail - head) / mb

    total, grown = growth(warm, lambda x: x.rss)
    main, main_grown = growth(warm, lambda x: x.main)
    half = warm[len(warm) // 2 :]
    _, late = growth(half, lambda x: x.rss)
    print(f"\nresident memory, bot and engine workers, every {SAMPLE_EVERY:g} s: {total:.1f} MB "
          f"after warm-up, growth to the end {grown:+.1f} MB (target < 10), of which the bot's "
          f"own process {main_grown:+.1f} MB (from {main:.1f} MB); over the second half "
          f"{late:+.1f} MB; max {max(x.rss for x in warm) / mb:.1f} MB")
    step = max(1, len(run.samples) // 12)
    print("  " + "  ".join(f"{x.at:.0f}s:{x.rss / mb:.0f}" for x in run.samples[::step]))


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


def database(run: Run, db: Path, seconds: float) -> None:
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
          f"({run.samples[0].db / kb:.0f} KB at the start); by table: "
          + ", ".join(f"{t} {b / kb:.0f} KB" for t, b in sorted(sizes.items(), key=lambda x: -x[1])
                      if b >= 8 * kb))
    print(f"feedback: {votes} votes + {len(questions)} unanswered questions = {feedback / kb:.0f} "
          f"KB, {per_row:.0f} B a row")
    if rows:
        per_day = rows / seconds * 86400
        print(f"retention {retention} days: at this load {per_day:,.0f} rows a day, so the "
              f"feedback tables level off near {per_day * retention * per_row / kb**3:.2f} GB "
              f"({per_day * per_row / kb**2:.1f} MB a day)")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=50.0,
                        help="mean seconds between one user's actions (default 50)")
    parser.add_argument("--broadcast", type=int, default=5000,
                        help="chats the daily broadcast goes to during the run (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fill-think", type=float, default=8.0,
                        help="mean seconds between one user's actions while the warm-up fills "
                             "the bot's bounded tables (default 8)")
    parser.add_argument("--fill", type=int, default=0,
                        help="replies in a fast warm-up measured from its end (the largest "
                             "bounded table holds 20,000; default 0: measure from 60 s in)")
    parser.add_argument("--trace", action="store_true",
                        help="tracemalloc in the bot: what grew after warm-up (slower)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        run, db, log = soak(args, Path(tmp))
        return report(args, run, db, log)


if __name__ == "__main__":
    sys.exit(main())
