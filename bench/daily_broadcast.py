"""How close the daily broadcast gets to the configured send limit, and that it posts once.

    python -m bench.daily_broadcast [--chats 5000] [--scale 2] [--latency 0.05]

5,000 subscriptions (private chats, supergroups and channels) are due at the same minute. The
bot is the production Application (``build_application``, with its AIORateLimiter), in its own
process as in production, and posts through the daily job's code path to the fake Bot API,
which enforces Telegram's flood limits and answers 429 beyond them. At Telegram's real 30
messages a second the run would take about three minutes, so by default the fake's overall
limit and ``global_send_rate`` are both scaled by ``--scale`` (the per-group limit of 20 a
minute stays: each chat gets one post anyway); the output says which limits were used.
``--scale 1`` runs at Telegram's own numbers.

Reported: the achieved send rate (successful sendMessage calls per second, first to last, as
the fake recorded them) against the broadcast's ceiling, 80% of the configured limit (target
>= 90%; the rest of the limit is left to the bot's answers), the 429s the fake had to
give, and the count of posts per chat from the fake's own record (every chat exactly once).
Nothing here asserts anything about time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/daily_broadcast.py
    sys.path.insert(0, str(ROOT))

TELEGRAM_GLOBAL_LIMIT = 30  # messages per second, Telegram's documented flood limit


def scale_fake_limit(fake: object, per_second: int) -> None:
    """Raises the fake's overall flood limit (it exposes no setting for it)."""
    limiter = fake._api.limiter  # type: ignore[attr-defined]
    limiter.GLOBAL_LIMIT = per_second


def child(at: str) -> None:
    """The bot's process: the production Application, its clock fixed at ``at``."""
    from bot.config import load_settings
    from bot.daily.telegram import DailyService
    from bot.engine.engine import Engine
    from bot.storage import Storage
    from bot.telegram.app import build_application

    due = datetime.fromisoformat(at)
    moment = [due - timedelta(minutes=1)]  # started a minute early: nothing due yet
    settings = load_settings()
    engine = Engine.load(settings.knowledge_dir)

    async def broadcast() -> dict[str, int]:
        with Storage(settings.db_path, now=lambda: moment[0]) as storage:
            app = build_application(settings, engine=engine, storage=storage)
            service: DailyService = app.bot_data["daily"]
            service.clock = lambda: moment[0]
            async with app:
                await app.start()
                await service.started.wait()
                moment[0] = due  # every chat is due: what the every-minute job then runs
                report = await service.run_due()
                await app.stop()
            return report.counts()

    print(json.dumps(asyncio.run(broadcast())))


CHAT_ID_BASES = {"private": 10_000_000, "supergroup": -1003000000000, "channel": -1004000000000}


def chat_plan(chats: int) -> dict[str, int]:
    """How many of the chats are private chats, supergroups and channels (60/30/10)."""
    kinds = [("private", 0.6), ("supergroup", 0.3), ("channel", 0.1)]
    plan = {kind: int(chats * share) for kind, share in kinds}
    plan["private"] += chats - sum(plan.values())
    return plan


def subscribe_all(fake: Any, db_path: Path, plan: dict[str, int], at: datetime) -> list[int]:
    """Every planned chat known to the fake and subscribed for 08:00; returns the chat ids."""
    from bot.storage import Storage

    ids: list[int] = []
    with Storage(db_path, now=lambda: at) as storage:
        for kind, count in plan.items():
            for n in range(count):
                base = CHAT_ID_BASES[kind]
                chat_id = base + n if kind == "private" else base - n
                if kind == "private":
                    fake.add_chat(chat_id, kind, first_name=f"Reader {n}")
                else:
                    fake.add_chat(chat_id, kind, title=f"{kind} {n}")
                storage.subscribe(chat_id, chat_type=kind, title=None, post_time="08:00")
                ids.append(chat_id)
    return ids


def run_bot(fake: Any, data: Path, limit: int, due: datetime) -> dict[str, int]:
    """The bot's own process, pointed at the fake and the data folder; its report of the run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FACTBOT_") and k != "TELEGRAM_BOT_TOKEN"
    }
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        FACTBOT_API_BASE_URL=fake.base_url,
        FACTBOT_DATA_DIR=str(data),
        FACTBOT_GLOBAL_SEND_RATE=str(limit),
        FACTBOT_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    bot = subprocess.run(
        [sys.executable, "-m", "bench.daily_broadcast", "--child", due.isoformat()],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if bot.returncode != 0:
        raise SystemExit(f"the bot process failed:\n{bot.stderr}")
    return json.loads(bot.stdout.strip().splitlines()[-1])


@dataclass
class Outcome:
    """What one broadcast did, as the fake Bot API and the post log recorded it."""

    ids: list[int]
    setup_s: float
    report: dict[str, int]
    statuses: Counter[str]
    calls: list[Any]
    per_chat: Counter[int]


def broadcast(plan: dict[str, int], limit: int, latency: float, scaled: bool) -> Outcome:
    """Subscribe every chat, let the bot post to them all, and collect what happened."""
    from bot.storage import Storage
    from tests.fake_telegram import FakeTelegram

    due = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai
    subscribed = due - timedelta(days=1)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeTelegram(enforce_rate_limits=True, latency=latency) as fake,
    ):
        if scaled:
            scale_fake_limit(fake, limit)
        data = Path(tmp) / "data"
        started = time.perf_counter()
        ids = subscribe_all(fake, data / "factbot.sqlite3", plan, subscribed)
        setup = time.perf_counter() - started
        report = run_bot(fake, data, limit, due)
        with Storage(data / "factbot.sqlite3") as storage:
            statuses = Counter(p.status for p in storage.posts())
        calls = fake.calls_of("sendMessage")
        per_chat = Counter(m["chat"]["id"] for m in fake.sent_messages())
    return Outcome(ids, setup, report, statuses, calls, per_chat)


def print_outcome(
    outcome: Outcome, plan: dict[str, int], scale: int, limit: int, latency: float
) -> None:
    """The achieved rate against the ceiling, the 429s, and every chat's count of posts."""
    from bot.daily.broadcaster import BROADCAST_CEILING

    calls, per_chat = outcome.calls, outcome.per_chat
    ok = [c for c in calls if c.ok]
    flood = [c for c in calls if c.http_status == 429]
    span = (ok[-1].time - ok[0].time) if len(ok) > 1 else 0.0
    rate = (len(ok) - 1) / span if span else 0.0
    missing = [c for c in outcome.ids if per_chat[c] == 0]
    doubled = [c for c, n in per_chat.items() if n > 1]
    kinds_text = ", ".join(f"{n} {kind}" for kind, n in plan.items())

    print(
        f"daily broadcast benchmark: {sum(plan.values())} subscriptions due at once ({kinds_text})"
    )
    if scale == 1:
        print(f"fake Bot API enforcing Telegram's limits: {limit} msg/s overall, 20/min per group")
    else:
        print(
            f"fake Bot API enforcing Telegram's limits scaled x{scale} so the run takes under "
            f"two minutes: {limit} msg/s overall (Telegram: {TELEGRAM_GLOBAL_LIMIT}), "
            "20/min per group"
        )
    print(
        f"bot: the production Application in its own process; fake latency per call "
        f"{latency * 1000:.0f} ms; setup (subscriptions): {outcome.setup_s:.1f} s"
    )
    print(f"configured global_send_rate: {limit} msg/s")
    ceiling = limit * BROADCAST_CEILING
    print(
        f"sent {len(ok)} posts in {span:.1f} s: achieved {rate:.1f} msg/s = "
        f"{rate / limit:.1%} of the configured limit; the broadcast keeps to "
        f"{BROADCAST_CEILING:.0%} of it ({ceiling:g} msg/s), leaving the rest to answers: "
        f"{rate / ceiling:.1%} of that (target >= 90%)"
    )
    print(f"429 answers from the fake: {len(flood)}")
    print(
        f"posts per chat (fake's record): {sum(1 for n in per_chat.values() if n == 1)} chats "
        f"exactly once, {len(missing)} missing, {len(doubled)} doubled"
    )
    print(f"post log: {dict(outcome.statuses)}; the bot's report: {outcome.report}")


def run(chats: int, scale: int, latency: float) -> None:
    """One broadcast to `chats` subscriptions at Telegram's limits times `scale`, reported."""
    limit = TELEGRAM_GLOBAL_LIMIT * scale
    plan = chat_plan(chats)
    outcome = broadcast(plan, limit, latency, scaled=scale != 1)
    print_outcome(outcome, plan, scale, limit, latency)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.daily_broadcast", description=__doc__)
    parser.add_argument("--chats", type=int, default=5000)
    parser.add_argument("--scale", type=int, default=2, help="multiply Telegram's 30 msg/s")
    parser.add_argument("--latency", type=float, default=0.05, help="fake's seconds per call")
    parser.add_argument("--child", metavar="ISO_TIME", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.child:
        child(args.child)
    else:
        run(args.chats, args.scale, args.latency)


if __name__ == "__main__":
    main()
