"""Throughput of the Telegram bot through the whole stack, beside a minimal echo bot.

    python -m bench.telegram_throughput [--users 200] [--questions 2000] [--seed 1]

200 simulated users each ask their share of 2,000 questions in private chats, one at a time
(a user asks again as soon as the previous answer arrives), through the fake Bot API over
real HTTP. The bot under test runs as ``factbot run`` in its own process - as in production,
where Telegram is not in the bot's process - and so does the echo bot, built by the same
``application_builder`` (same rate limiter, same concurrency) with one handler that sends the
text back. Both run against the same fake in the same run.

Reported per bot: answered updates per second (questions / time from the first update to the
last reply) and the p50/p99 time from an update being queued to its reply being sent. The
target is ours >= 70% of the echo bot's throughput. Nothing here asserts anything about time.

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

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


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
            fake: object, again: bool) -> list[Result]:
    """Starts one bot, drives every user through their questions (``again``: twice, the
    second time with every answer in the bot's cache, which leaves the cost of the stack),
    stops it."""
    from tests.fake_telegram import FakeTelegram

    assert isinstance(fake, FakeTelegram)
    log = open(os.devnull, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while fake.waiting_polls == 0:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.02)
        warm = 9_000_000
        fake.push_update(fake.message_update(warm, warm, "你好"))
        fake.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == warm,
                      timeout=30)
        runs = [drive(name, fake, schedule)]
        if again:
            runs.append(drive(f"{name}, again", fake, schedule))
        return runs
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def drive(name: str, fake: object, schedule: list[list[str]]) -> Result:
    """Each user asks, waits for the answer, asks the next; returns what was measured."""
    from tests.fake_telegram import FakeTelegram

    assert isinstance(fake, FakeTelegram)
    users = {1_000_000 + index: list(qs) for index, qs in enumerate(schedule)}
    for user in users:  # a fresh private chat per user and pass: no stale message ids
        fake.add_chat(user, "private")
    asked_at: dict[int, float] = {}
    latencies: list[float] = []
    seen = len(fake.calls)

    def ask(user: int) -> None:
        text = users[user].pop(0)
        update = fake.message_update(user, user, text)
        asked_at[user] = time.time()
        fake.push_update(update)

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
    return Result(name, len(latencies), last - start, latencies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--send-rate", type=float, default=1_000_000.0,
                        help="global_send_rate for both bots (Telegram allows about 30)")
    parser.add_argument("--child", choices=["echo"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "echo":
        echo_child()
        return 0

    from tests.fake_telegram import FakeTelegram

    asked = questions(args.questions, args.seed)
    schedule = [asked[i :: args.users] for i in range(args.users)]
    print(f"{args.questions} questions ({len(set(asked))} distinct, from knowledge/eval) "
          f"from {args.users} users; concurrent: one open question per user")
    results = []
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("FACTBOT_") and k != "TELEGRAM_BOT_TOKEN"}
        env.update(
            TELEGRAM_BOT_TOKEN=fake.token,
            FACTBOT_API_BASE_URL=fake.base_url,
            FACTBOT_GLOBAL_SEND_RATE=str(args.send_rate),
            FACTBOT_QUESTIONS_PER_MINUTE="1000",
            FACTBOT_LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        bots = [
            ("echo bot", [sys.executable, "-m", "bench.telegram_throughput", "--child", "echo"]),
            ("factbot", [sys.executable, "-m", "bot", "run"]),
        ]
        for index, (name, command) in enumerate(bots):
            bot_env = {**env, "FACTBOT_DATA_DIR": str(Path(tmp) / f"data{index}")}
            results += run_bot(name, command, bot_env, schedule, fake, again=index == 1)
    print(f"{'run':<16} {'answered':>9} {'seconds':>8} {'updates/s':>10} "
          f"{'p50 ms':>8} {'p99 ms':>8}")
    for r in results:
        print(f"{r.name:<16} {r.answered:>9} {r.seconds:>8.2f} {r.rate:>10.1f} "
              f"{r.percentile(0.5):>8.1f} {r.percentile(0.99):>8.1f}")
    echo, ours, ours_again = results
    print(f"factbot / echo throughput: {ours.rate / echo.rate:.0%} (target >= 70%); "
          f"with every answer cached: {ours_again.rate / echo.rate:.0%}")
    per_question, workers = engine_cost(asked)
    print(f"engine alone: {per_question * 1000:.0f} ms per question (mean of a sample); "
          f"{len(set(asked))} distinct questions = {per_question * len(set(asked)):.0f} s "
          f"of engine work, shared by {workers} worker process(es) in `factbot run`")
    return 0


def engine_cost(asked: list[str], sample: int = 20) -> tuple[float, int]:
    """Mean seconds per engine.ask over a sample of the distinct questions, and the number of
    engine workers `factbot run` uses on this machine."""
    from bot.engine.engine import Engine

    engine = Engine.load()
    distinct = sorted(set(asked))
    chosen = random.Random(0).sample(distinct, min(sample, len(distinct)))
    started = time.perf_counter()
    for question in chosen:
        engine.ask(question)
    cores = os.cpu_count() or 1
    workers = min(4, cores - 1) if cores > 1 else 0
    return (time.perf_counter() - started) / len(chosen), workers


if __name__ == "__main__":
    sys.exit(main())
