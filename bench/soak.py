"""Load and soak: many users asking and pressing buttons for minutes, with broadcasts midway.

    python -m bench.soak [--users 1000] [--minutes 10] [--broadcast 5000] [--think 50]
                         [--fill 20000 [--fill-users 12000] [--fill-again 2000]]
                         [--broadcasts 2] [--trace]

``factbot run`` runs as a real subprocess against the fake Bot API on 127.0.0.1 with a real
SQLite file. Each simulated user, in a private chat, acts about every ``--think`` seconds (at
random): it asks a question drawn from knowledge/eval (in-scope and out-of-scope, so the
database gets unanswered questions too), sends /fact now and then, or presses a button under
its last answer (votes, 原文, 相关, suggestions). A user never has two actions waiting.
``--broadcast`` groups are due for their daily post a third of the way into the measured
window (with ``--broadcasts 2``, two sets of groups at a fifth and three fifths), so the
bot's own broadcast runs while the users keep going.

Warm-up: without ``--fill``, the first minute of the run. With ``--fill N``, first ``N``
questions, as fast as the bot answers them (``--fill-in-flight`` at a time): one from each of
``--fill-users`` users the bot has never seen, then more from ``--fill-again`` of them, each
within its conversation's life: enough to fill the bounded tables the bot keeps (answers
remembered, conversation contexts, the answer cache with questions asked in a context).
The measured window then runs ``--minutes`` with ``--users`` users that are new again, so
every table stays at its cap and keeps evicting.

Reported: every error (requests the fake rejected, actions with no reply within 30 s, ERROR
lines in the bot's log); p50/p99 reply time (update queued -> reply received by the fake) in
the measured window, outside the broadcasts and during them, side by side; the bot's resident
memory (its engine workers too) sampled every 5 s, as medians of the window's first and last
minute and its last sample (target: growth < 10 MB), and around each broadcast; each bounded
table's size at the end of warm-up and at the end, against its cap; the SQLite file's growth
and what each stored question or vote costs, against the ceiling the retention setting
implies. Nothing here asserts anything about time.

``--trace`` (a diagnostic, slower: tracemalloc in the bot's process) prints what was allocated
between the end of warm-up and the end of the run, by line and by object type, to tell bounded
caches filling from a leak (the bot's resident memory is then tracemalloc's too: read the
traced figures, not the resident ones).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/soak.py
    sys.path.insert(0, str(ROOT))

from bench import soak_broadcast as broadcasts  # noqa: E402
from bench.restart import BotProcess  # noqa: E402
from bench.soak_crowd import REPLY_TIMEOUT, Crowd, Run, User  # noqa: E402
from bench.soak_probe import SAMPLE_EVERY, Sample, bounds, census, probe_env, sample  # noqa: E402
from bench.soak_report import report  # noqa: E402
from bot.config import Settings  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

WARM_UP = 60.0  # seconds without --fill: engine workers loading, answer cache filling


class Soak:
    """One run: the bot, the crowd, the samples; stages in the order they happen."""

    def __init__(self, args: argparse.Namespace, workdir: Path, fake: FakeTelegram) -> None:
        self.args, self.fake = args, fake
        self.data = workdir / "data"
        self.db = self.data / "factbot.sqlite3"
        self.probe = workdir / "probe"
        self.run = Run()
        self.samples: list[Sample] = []
        self.crowd = Crowd(fake, args.think, args.seed)
        self.fillers: list[User] = self.crowd.enrol(args.fill_users) if args.fill else []
        self.users = self.crowd.enrol(args.users)
        self.began = 0.0  # monotonic, when the bot was started
        self._next_sample = 0.0

    def __call__(self) -> int:
        args = self.args
        if args.broadcast:
            broadcasts.prepare(self.db, self.fake, args.broadcasts, args.broadcast)
        bot = BotProcess(self.fake, self.data, FACTBOT_LOG_LEVEL="WARNING",
                         **probe_env(self.probe, trace=args.trace))
        bot.start()
        assert bot.process is not None
        self.run.started, self.began = time.time(), time.monotonic()
        self._next_sample = self.began
        try:
            self.warm_up(bot.process.pid)
            self.window_opens()
            self.measure(bot.process.pid)
            self.drain()
        finally:
            try:  # tracemalloc makes the bot slow to stop: give it time, then report anyway
                code = bot.terminate(timeout=120 if args.trace else 30)
            except subprocess.TimeoutExpired:
                code = None
        if code != 0:
            self.run.rejected.append(f"factbot run exited with status {code} after SIGTERM")
        probed = {mark: census(self.probe, mark) for mark in ("warm", "end")}
        return report(args, self.run, self.samples, self.db, bot.log, probed)

    def now(self) -> float:
        """Seconds since the bot was started."""
        return time.monotonic() - self.began

    def tick(self, pid: int) -> None:
        """Reads the bot's calls, and samples its memory when a sample is due."""
        self.crowd.collect(self.run)
        if time.monotonic() >= self._next_sample:
            self._next_sample += SAMPLE_EVERY
            self.samples.append(sample(pid, self.db, self.now()))
        time.sleep(0.005)

    def warm_up(self, pid: int) -> None:
        """The first minute of the measured users, or the --fill of new users."""
        args, run = self.args, self.run
        if not args.fill:
            while self.now() < WARM_UP:
                self.crowd.act_open(self.users, run)
                self.tick(pid)
            return
        # Each new user asks once (conversations, flood state, answers remembered); then the
        # first --fill-again of them keep asking, each again within a conversation's life, so
        # the answer cache also gets the questions asked with a context.
        again = self.fillers[: max(1, args.fill_again)]
        while run.asked < args.fill:
            first_round = run.asked < len(self.fillers)
            self.crowd.act_closed(self.fillers if first_round else again, args.fill_in_flight, run)
            self.tick(pid)
            if run.timeouts > 100:
                raise RuntimeError("the warm-up is not being answered; see the bot's log")
        deadline = self.now() + REPLY_TIMEOUT
        while self.crowd.pending and self.now() < deadline:
            self.tick(pid)  # the last of the warm-up answered before the window opens
        print(f"warm-up: {len(run.latencies)} replies from {len(self.fillers):,} new users in "
              f"{self.now():.0f} s ({args.fill_in_flight} in flight); caps: "
              + ", ".join(f"{k} {v:,}" for k, v in bounds().items()))

    def window_opens(self) -> None:
        """Marks the end of warm-up (census, trace) and makes the broadcasts due inside the
        measured window."""
        args, run = self.args, self.run
        run.measured_from = self.now()
        seconds = args.minutes * 60 - (WARM_UP if not args.fill else 0.0)
        run.measured_to = run.measured_from + seconds
        (self.probe / "warm").touch()
        if not args.broadcast:
            return
        opened = datetime.now(UTC)
        share = [(2 * n + 1) / (2 * args.broadcasts + 1) for n in range(args.broadcasts)]
        starts = [opened + timedelta(seconds=seconds * x) for x in share]
        if not args.fill:  # as before --fill: a third of the whole run from its start
            starts = [opened + timedelta(seconds=args.minutes * 60 * x - WARM_UP) for x in share]
        tz = Settings().timezone
        times = broadcasts.schedule(self.db, args.broadcasts, args.broadcast, starts, tz)
        print(f"measured from {run.measured_from:.0f} s for {seconds / 60:g} min; "
              f"{args.broadcasts} x {args.broadcast} groups due at {', '.join(times)} ({tz})")

    def measure(self, pid: int) -> None:
        """The measured window: the users at --think, the census at its end."""
        run = self.run
        self.crowd.think = self.args.think
        self.crowd.next_at = time.monotonic()
        while self.now() < run.measured_to:
            self.crowd.act_open(self.users, run)
            self.tick(pid)
        (self.probe / "end").touch()

    def drain(self) -> None:
        """Waits for the replies still due, and for the hook's census (and trace)."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while self.crowd.pending and time.monotonic() < deadline:
            self.crowd.collect(self.run)
            time.sleep(0.01)
        self.crowd.collect(self.run)
        wanted = self.probe / ("trace.txt" if self.args.trace else "census-end.json")
        deadline = time.monotonic() + 120  # a snapshot of a big heap takes a while
        while not wanted.exists() and time.monotonic() < deadline:
            time.sleep(0.5)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=50.0,
                        help="mean seconds between one user's actions (default 50)")
    parser.add_argument("--broadcast", type=int, default=5000,
                        help="groups each daily broadcast goes to (0: none)")
    parser.add_argument("--broadcasts", type=int, default=1,
                        help="broadcasts in the measured window, each to its own groups")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fill", type=int, default=0,
                        help="questions in a warm-up of new users that fills the bot's bounded "
                             "tables, measured from its end (the largest holds 20,000; "
                             "default 0: the first minute is the warm-up)")
    parser.add_argument("--fill-again", type=int, default=2_000,
                        help="of the --fill users, how many keep asking once each has asked "
                             "(default 2,000)")
    parser.add_argument("--fill-users", type=int, default=12_000,
                        help="new users the --fill questions come from (default 12,000: more "
                             "than the 10,000 conversations kept)")
    parser.add_argument("--fill-in-flight", type=int, default=32,
                        help="questions of the warm-up waiting at once (default 32)")
    parser.add_argument("--trace", action="store_true",
                        help="tracemalloc in the bot: what grew after warm-up (slower)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        return Soak(args, Path(tmp), fake)()


if __name__ == "__main__":
    sys.exit(main())
