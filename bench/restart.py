"""Restart safety: ``factbot run`` killed with SIGKILL at random points, restarted, again.

    python -m bench.restart [--rounds 20] [--seed 1] [--groups 30] [--users 30] [--chats 400]

The bot runs as a real subprocess (its own process group, so its engine workers die with it)
against the fake Bot API on 127.0.0.1, with one SQLite file kept across every run. While it
runs, group admins send ``/subscribe HH:MM`` and ``/unsubscribe``, private users ask and press
the vote buttons under the answers, and the daily post goes out at every start to the chats
whose post is due (``--chats`` of them subscribed beforehand, plus those subscribed since).
Each round the bot is killed at a random moment, between 0.2 and 2.5 s after it began polling,
then started again. A last run is stopped with SIGTERM once every user has had an answer.

What must hold at the end, checked against what users were told:

* every subscription change the bot confirmed in the chat is what the database says;
* every vote the bot acknowledged (the callback answer) is stored with that value;
* no chat got two daily posts on one day, every post logged "sent" is in the chat once, and
  no post is left "pending".

Updates the bot had not confirmed when it died are delivered again, as Telegram does, so an
action whose reply never came is retried by the next run, and its reply is waited for.

The stages, each in its own module: the bot's process (``restart_bot``), the users while it
runs and what it confirmed to them (``restart_users``), the check at the end
(``restart_check``). This module runs the rounds.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/restart.py
    sys.path.insert(0, str(ROOT))

from bench.restart_bot import BotProcess  # noqa: E402
from bench.restart_check import CHAT_BASE, DAILY, Report, check, posted  # noqa: E402
from bench.restart_users import Driver, drive_until_confirmed, drive_until_kill  # noqa: E402
from bot.storage import Storage  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

__all__ = ["DAILY", "BotProcess", "Report", "main", "run"]


def run(
    rounds: int = 20,
    seed: int = 1,
    groups: int = 30,
    users: int = 30,
    chats: int = 400,
    workdir: Path | None = None,
) -> Report:
    """Kills and restarts the bot ``rounds`` times, then checks what users were told."""
    started = time.monotonic()
    rng = random.Random(seed)
    report = Report(rounds)
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram(latency=0.02) as fake:
        base = workdir or Path(tmp)
        data = base / "data"
        db = data / "factbot.sqlite3"
        pre = [CHAT_BASE - n for n in range(chats)]
        # Subscribed the day before, so today's post is due at every start.
        with Storage(db, now=lambda: datetime.now(UTC) - timedelta(days=1)) as storage:
            for chat in pre:
                fake.add_chat(chat, "supergroup", title=f"订阅群 {chat}")
                storage.subscribe(chat, chat_type="supergroup", title=None, post_time="00:00")
        driver = Driver(fake, rng, groups, users)
        bot = BotProcess(fake, data)
        for _ in range(rounds):
            bot.start()
            driver.retry()
            drive_until_kill(driver, rng)
            bot.kill()
            with Storage(db) as storage:
                report.kills_during_sends += any(p.status == "pending" for p in storage.posts())
            driver.collect()
        bot.start()  # the last run: everything still waiting gets its reply
        driver.retry()
        drive_until_confirmed(driver)
        deadline = time.monotonic() + 60 + chats / 10
        while time.monotonic() < deadline and (driver.in_flight or posted(db) < chats):
            driver.collect()
            time.sleep(0.05)
        code = bot.terminate()
        time.sleep(0.2)  # requests that reached the fake before the exit are recorded
        driver.collect()
        if code != 0:
            report.problems.append(f"the last run exited with status {code} after SIGTERM")
        if driver.in_flight:
            report.problems.append(f"{driver.in_flight} action(s) never got their reply")
        with Storage(db) as storage:
            check(driver.ledger, storage, report)
    report.confirmed = driver.ledger.confirmed
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--groups", type=int, default=30, help="groups whose admins (un)subscribe")
    parser.add_argument("--users", type=int, default=30, help="private users who ask and vote")
    parser.add_argument("--chats", type=int, default=400, help="chats subscribed beforehand")
    args = parser.parse_args(argv)
    report = run(args.rounds, args.seed, args.groups, args.users, args.chats)
    confirmed = ", ".join(f"{n} {kind}" for kind, n in sorted(report.confirmed.items()))
    posts = ", ".join(f"{n} {status}" for status, n in sorted(report.posts.items()))
    print(f"{report.rounds} SIGKILLs ({report.kills_during_sends} with a daily post in flight), "
          f"then one SIGTERM, in {report.seconds:.0f} s")
    print(f"confirmed to users: {confirmed}")
    print(f"daily posts: {posts}")
    if report.problems:
        print(f"PROBLEMS ({len(report.problems)}):")
        for problem in report.problems[:30]:
            print(f"  {problem}")
        return 1
    print("nothing lost, nothing doubled: every confirmed subscription change and vote is "
          "stored, no chat got two posts on one day, none left pending")
    return 0


if __name__ == "__main__":
    sys.exit(main())
