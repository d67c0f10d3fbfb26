"""Throughput of the Telegram bot through the whole stack, beside a minimal echo bot.

    python -m bench.telegram_throughput [--users 200] [--questions 2000] [--seed 1] [--rounds 5]

200 simulated users each ask their share of 2,000 questions in private chats, one at a time
(a user asks again as soon as the previous answer arrives), through the fake Bot API over
real HTTP on 127.0.0.1. The bot under test runs as ``factbot run`` in its own process - as in
production, where Telegram is not in the bot's process - and so does the echo bot, built by
the same ``application_builder`` (same HTTP client, rate limiter and concurrency) with one
handler that sends the text back. Each bot run gets a fresh bot process and a fresh fake.

Reported per bot: answered updates per second (questions / time from the first update to the
last reply), the p50/p99 time from an update being queued to its reply being sent, the bot's
CPU time per update (its worker processes included) and how many cores other programs kept
busy meanwhile. The target is ours >= 70% of the echo bot's throughput. Nothing here asserts
anything about time.

A single run on a small machine swings by +-10 points and more with whatever else the machine
is doing - and a busy machine hurts factbot more, whose engine needs the second core that the
echo bot leaves idle - so the two bots are measured in ``--rounds`` rounds, alternating which
goes first (echo, ours / ours, echo / ...), each round with the same questions and a freshly
started factbot (its answer cache empty, as after a deploy). The figure to read is the median
of the per-round ratios; the spread is printed beside it. After its first pass, factbot is
asked everything once more ("again": every answer in its cache, which leaves the cost of the
stack).

Questions are drawn (seeded) from knowledge/eval - what the project expects users to ask,
in-scope and out-of-scope, Chinese and some English. Telegram's own send limit (about 30
messages a second) is lifted for both bots: it would cap both at the same number and measure
nothing; set --send-rate to see it.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/telegram_throughput.py
    sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    name: str
    answered: int
    seconds: float
    latencies: list[float]
    bot_cpu: float | None = None  # CPU seconds of the bot's processes (workers included)
    others: float | None = None  # cores busy meanwhile outside the bench and the bot

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_update(self) -> float | None:
        """Milliseconds of the bot's CPU per answered update: what the machine's load does
        not change much, unlike updates per second."""
        return self.bot_cpu / self.answered * 1000 if self.bot_cpu and self.answered else None

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


class CpuMeter:
    """CPU time of a process with its descendants, and of the whole machine, from /proc
    (Linux; elsewhere every reading is None)."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def read(self) -> tuple[float, float, float, float] | None:
        """(the tree's CPU seconds, the machine's busy CPU seconds, this process's CPU
        seconds, wall time)."""
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
            parents: dict[int, int] = {}
            used: dict[int, float] = {}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        stat = f.read().rsplit(")", 1)[1].split()
                except OSError:  # gone meanwhile
                    continue
                parents[int(entry)] = int(stat[1])
                used[int(entry)] = (int(stat[11]) + int(stat[12])) / self.TICK
        except (OSError, ValueError, IndexError):
            return None
        tree, grew = {self.pid}, True
        while grew:
            more = {p for p, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        # user nice system idle iowait irq softirq steal: busy is what is neither idle nor
        # waiting nor taken by the hypervisor.
        busy = (sum(fields[:3]) + sum(fields[5:7])) / self.TICK
        return sum(used.get(p, 0.0) for p in tree), busy, time.process_time(), time.time()


def questions(count: int, seed: int) -> list[str]:
    import yaml

    pool: list[str] = []
    for path in sorted((ROOT / "knowledge" / "eval").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict) and item.get("q"):
                pool.append(str(item["q"]))
    rng = random.Random(seed)
    return [rng.choice(pool) for _ in range(count)]


def echo_child() -> None:
    """The echo bot: the production builder, one handler that sends the text back."""
    from telegram import Update
    from telegram.ext import ContextTypes, MessageHandler, filters

    from bot.config import load_settings
    from bot.telegram.app import ALLOWED_UPDATES, application_builder

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await context.bot.send_message(message.chat.id, message.text)

    application = application_builder(load_settings()).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=ALLOWED_UPDATES, timeout=1)


def run_bot(name: str, command: list[str], env: dict[str, str], schedule: list[list[str]],
            again: bool) -> list[Result]:
    """Starts one bot against a fresh fake, drives every user through their questions
    (``again``: twice, the second time with every answer in the bot's cache, which leaves the
    cost of the stack), stops it."""
    from tests.fake_telegram import FakeTelegram

    log = open(os.devnull, "w")  # noqa: SIM115 - closed below
    with FakeTelegram() as fake:
        bot_env = {**env, "TELEGRAM_BOT_TOKEN": fake.token, "FACTBOT_API_BASE_URL": fake.base_url}
        process = subprocess.Popen(command, env=bot_env, cwd=ROOT, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while fake.waiting_polls == 0:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start")
                time.sleep(0.02)
            warm = 9_000_000
            fake.push_update(fake.message_update(warm, warm, "你好"))
            fake.wait_for(
                lambda c: c.method == "sendMessage" and c.params.get("chat_id") == warm,
                timeout=30,
            )
            meter = CpuMeter(process.pid)
            runs = [drive(name, fake, schedule, meter)]
            if again:
                runs.append(drive(f"{name}, again", fake, schedule, meter))
            return runs
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


def drive(name: str, fake: object, schedule: list[list[str]], meter: CpuMeter) -> Result:
    """Each user asks, waits for the answer, asks the next; returns what was measured."""
    from tests.fake_telegram import FakeTelegram

    assert isinstance(fake, FakeTelegram)
    users = {1_000_000 + index: list(qs) for index, qs in enumerate(schedule)}
    for user in users:  # a fresh private chat per user and pass: no stale message ids
        fake.add_chat(user, "private")
    asked_at: dict[int, float] = {}
    latencies: list[float] = []
    fake.reset_calls()  # the snapshot taken below stays as short for every bot and pass
    seen = 0

    def ask(user: int) -> None:
        text = users[user].pop(0)
        update = fake.message_update(user, user, text)
        asked_at[user] = time.time()
        fake.push_update(update)

    before = meter.read()
    start = time.time()
    for user in users:
        ask(user)
    last = start
    expected = sum(len(qs) for qs in schedule)
    deadline = time.monotonic() + 300
    while len(latencies) < expected and time.monotonic() < deadline:
        calls = fake.calls
        for call in calls[seen:]:
            if call.method != "sendMessage" or not call.ok:
                continue
            user = call.params.get("chat_id")
            if user not in asked_at:
                continue
            latencies.append(call.time - asked_at.pop(user))
            last = max(last, call.time)
            if users[user]:
                ask(user)
        seen = len(calls)
        time.sleep(0.002)
    after = meter.read()
    result = Result(name, len(latencies), last - start, latencies)
    if before is not None and after is not None:
        bot, busy, bench, wall = (b - a for a, b in zip(before, after, strict=True))
        result.bot_cpu = bot
        result.others = max(0.0, busy - bot - bench) / wall if wall > 0 else None
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5,
                        help="echo/factbot rounds, alternating which goes first (default 5)")
    parser.add_argument("--send-rate", type=float, default=1_000_000.0,
                        help="global_send_rate for both bots (Telegram allows about 30)")
    parser.add_argument("--child", choices=["echo"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "echo":
        echo_child()
        return 0

    asked = questions(args.questions, args.seed)
    schedule = [asked[i :: args.users] for i in range(args.users)]
    print(f"{args.questions} questions ({len(set(asked))} distinct, from knowledge/eval) "
          f"from {args.users} users; concurrent: one open question per user; "
          f"{args.rounds} round(s)")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FACTBOT_") and k != "TELEGRAM_BOT_TOKEN"}
    env.update(
        FACTBOT_GLOBAL_SEND_RATE=str(args.send_rate),
        FACTBOT_QUESTIONS_PER_MINUTE="1000",
        FACTBOT_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    bots = [
        ("echo bot", [sys.executable, "-m", "bench.telegram_throughput", "--child", "echo"]),
        ("factbot", [sys.executable, "-m", "bot", "run"]),
    ]
    rounds: list[dict[str, Result]] = []
    print(f"{'round':<6} {'run':<16} {'answered':>9} {'seconds':>8} {'updates/s':>10} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'CPU ms/upd':>10} {'others':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.rounds):
            order = bots if number % 2 == 0 else bots[::-1]
            results: dict[str, Result] = {}
            for name, command in order:
                bot_env = {**env, "FACTBOT_DATA_DIR": str(Path(tmp) / f"data{number}-{name}")}
                for r in run_bot(name, command, bot_env, schedule, again=name == "factbot"):
                    results[r.name] = r
                    cpu = f"{r.cpu_per_update:.2f}" if r.cpu_per_update else "-"
                    others = f"{r.others:.2f}" if r.others is not None else "-"
                    print(f"{number + 1:<6} {r.name:<16} {r.answered:>9} {r.seconds:>8.2f} "
                          f"{r.rate:>10.1f} {r.percentile(0.5):>8.1f} "
                          f"{r.percentile(0.99):>8.1f} {cpu:>10} {others:>7}", flush=True)
            rounds.append(results)
    ratios = sorted(r["factbot"].rate / r["echo bot"].rate for r in rounds)
    cached = sorted(r["factbot, again"].rate / r["echo bot"].rate for r in rounds)
    print(f"\nmedian over {len(rounds)} round(s):")
    for name in ("echo bot", "factbot", "factbot, again"):
        rates = [r[name].rate for r in rounds]
        p99s = [r[name].percentile(0.99) for r in rounds]
        cpus = [c for r in rounds if (c := r[name].cpu_per_update) is not None]
        cpu = f", {statistics.median(cpus):.2f} ms CPU per update" if cpus else ""
        print(f"  {name:<16} {statistics.median(rates):>7.1f} updates/s "
              f"(range {min(rates):.1f}-{max(rates):.1f}), "
              f"p99 {statistics.median(p99s):.0f} ms{cpu}")
    others = [o for r in rounds for x in r.values() if (o := x.others) is not None]
    if others:
        print(f"  other programs kept {statistics.mean(others):.2f} of "
              f"{os.cpu_count()} cores busy meanwhile (max {max(others):.2f} in one run): "
              "the figures are only comparable between runs on an equally quiet machine")
    print(f"factbot / echo throughput: {statistics.median(ratios):.0%} "
          f"(target >= 70%; rounds: {', '.join(f'{x:.0%}' for x in ratios)}); "
          f"with every answer cached: {statistics.median(cached):.0%}")
    per_question, workers = engine_cost(asked)
    print(f"engine alone: {per_question * 1000:.0f} ms per question (mean of a sample); "
          f"{len(set(asked))} distinct questions = {per_question * len(set(asked)):.0f} s "
          f"of engine work, shared by {workers} worker process(es) in `factbot run`")
    return 0


def engine_cost(asked: list[str], sample: int = 20) -> tuple[float, int]:
    """Mean seconds per engine.ask over a sample of the distinct questions, and the number of
    engine workers `factbot run` uses on this machine."""
    from bot.engine.engine import Engine
    from bot.telegram.cli import engine_processes

    engine = Engine.load()
    distinct = sorted(set(asked))
    chosen = random.Random(0).sample(distinct, min(sample, len(distinct)))
    started = time.perf_counter()
    for question in chosen:
        engine.ask(question)
    return (time.perf_counter() - started) / len(chosen), engine_processes()


if __name__ == "__main__":
    sys.exit(main())
