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
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/restart.py
    sys.path.insert(0, str(ROOT))

from bot.storage import Storage  # noqa: E402
from tests.fake_telegram import Call, FakeTelegram  # noqa: E402

QUESTION = "北京有多少所高校？"
SUBSCRIBED, UNSUBSCRIBED, NOT_SUBSCRIBED = "已订阅：每天 ", "已退订", "这个聊天没有订阅"
VOTED = {"谢谢！已记下：这个回答有帮助。": 1, "谢谢反馈！已记下：这个回答不够好。": -1}
DAILY = "📌 每日一事实"
GROUP_BASE, ADMIN_BASE, USER_BASE, CHAT_BASE = -1003000000000, 50_000, 60_000, -1004000000000


class BotProcess:
    """``factbot run`` as a subprocess in its own session (so a kill takes its workers too)."""

    def __init__(self, fake: FakeTelegram, data_dir: Path, **env: str) -> None:
        level = os.environ.get("FACTBOT_LOG_LEVEL", "WARNING")
        self.env = {
            **{k: v for k, v in os.environ.items()
               if not k.startswith("FACTBOT_") and k != "TELEGRAM_BOT_TOKEN"},
            "PYTHONIOENCODING": "utf-8",
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": fake.token,
            "FACTBOT_CONFIG": "",
            "FACTBOT_API_BASE_URL": fake.base_url,
            "FACTBOT_DATA_DIR": str(data_dir),
            "FACTBOT_LOG_LEVEL": level,
            **env,
        }
        self.fake = fake
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / "bot.log"

    def start(self, timeout: float = 60.0) -> None:
        """Starts the bot and returns once it polls for updates (the poll of a killed
        predecessor may still be waiting in the fake: this run's own start is awaited)."""
        began = time.time()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env,
                stdout=log, stderr=log, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while self.fake.waiting_polls == 0 or not any(
            c.method == "deleteWebhook" and c.time >= began for c in self.fake.calls
        ):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"factbot run did not start; see {self.log}")
            time.sleep(0.01)

    def kill(self) -> None:
        """SIGKILL to the whole process group: the bot and its engine workers."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM, as a service manager stops it; returns the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            else:  # the bot is gone; make sure no worker of it outlives it
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)


@dataclass
class Actor:
    """A group admin or a private user, with at most one action awaiting its reply."""

    chat: int
    user: int
    waiting: tuple[str, Any] | None = None  # (kind, key) of the unanswered action
    expect: Any = None  # the state the waiting action leads to
    text: str = ""  # what the waiting action sent (a command, a question, button data)
    next_at: float = 0.0  # not before (monotonic): people pause between actions
    answer: tuple[int, str, str] | None = None  # private: (message id, up data, down data)


@dataclass
class Ledger:
    """What users were told, from the fake's record of the bot's calls."""

    subscriptions: dict[int, str | None] = field(default_factory=dict)  # group -> time | None
    votes: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (chat, msg, user)
    confirmed: Counter[str] = field(default_factory=Counter)
    calls: list[Call] = field(default_factory=list)


class Driver:
    def __init__(self, fake: FakeTelegram, rng: random.Random, groups: int, users: int) -> None:
        self.fake, self.rng = fake, rng
        self.ledger = Ledger()
        # Mean pause between one person's actions: the bot's sending stays below the
        # broadcast's ceiling, so posts are in flight when it is killed.
        self.pause = 2.0
        self.answered = 0  # questions answered so far
        self.admins = [Actor(GROUP_BASE - n, ADMIN_BASE + n) for n in range(groups)]
        self.users = [Actor(USER_BASE + n, USER_BASE + n) for n in range(users)]
        for actor in self.admins:
            fake.add_chat(actor.chat, "supergroup", title=f"群 {actor.chat}")
            fake.user(actor.user, f"Admin {actor.user}")
            fake.set_member(actor.chat, actor.user, "administrator")
        for actor in self.users:
            fake.add_chat(actor.chat, "private", first_name=f"User {actor.user}")

    def act(self) -> None:
        """Every actor with no action in flight, and done pausing, starts its next one."""
        now = time.monotonic()
        for actor in self.admins:
            if actor.waiting is None and actor.next_at <= now:
                if self.rng.random() < 0.3:
                    actor.text, actor.expect = "/unsubscribe", None
                else:
                    actor.expect = f"0{self.rng.randint(0, 5)}:{self.rng.randint(0, 59):02d}"
                    actor.text = f"/subscribe {actor.expect}"
                self._send(actor)
        for actor in self.users:
            if actor.waiting is not None or actor.next_at > now:
                continue
            if actor.answer is None:
                actor.text = QUESTION
            else:
                actor.expect = self.rng.choice((1, -1))
                actor.text = actor.answer[1 if actor.expect == 1 else 2]
            self._send(actor)

    def retry(self) -> None:
        """After a restart, whoever got no reply tries again, as a person would: the update
        the dead bot had fetched but not handled is not delivered twice."""
        for actor in self.admins + self.users:
            if actor.waiting is not None:
                self._send(actor)

    def _send(self, actor: Actor) -> None:
        if actor.text.startswith(("u:", "d:")):
            assert actor.answer is not None
            update = self.fake.callback_query_update(
                actor.chat, actor.user, actor.answer[0], actor.text
            )
            actor.waiting = ("vote", update["callback_query"]["id"])
        else:
            update = self.fake.message_update(actor.chat, actor.user, actor.text)
            kind = "question" if actor.text == QUESTION else "command"
            actor.waiting = (kind, update["message"]["message_id"])
        self.fake.push_update(update)

    def collect(self) -> None:
        """Reads the bot's new calls: which actions it has confirmed to the user."""
        calls = self.fake.take_calls()
        self.ledger.calls += calls
        admins = {a.chat: a for a in self.admins}
        users = {a.chat: a for a in self.users}
        queries = {a.waiting[1]: a for a in self.users if a.waiting and a.waiting[0] == "vote"}
        for call in calls:
            if not call.ok:
                continue
            if call.method == "sendMessage":
                chat = call.params.get("chat_id")
                replied = (call.params.get("reply_parameters") or {}).get("message_id")
                if chat in admins:
                    self._command_reply(admins[chat], replied, call.result.get("text", ""))
                elif chat in users:
                    self._answer(users[chat], replied, call)
            elif call.method == "answerCallbackQuery":
                actor = queries.pop(call.params.get("callback_query_id"), None)
                value = VOTED.get(call.params.get("text", ""))
                if actor is not None and value == actor.expect:
                    assert actor.answer is not None
                    self.ledger.votes[(actor.chat, actor.answer[0], actor.user)] = value
                    self.ledger.confirmed["vote"] += 1
                    self._replied(actor)

    def _command_reply(self, actor: Actor, replied: int | None, text: str) -> None:
        if actor.waiting != ("command", replied):
            return
        if actor.expect is None and text.startswith((UNSUBSCRIBED, NOT_SUBSCRIBED)):
            self.ledger.subscriptions[actor.chat] = None
            self.ledger.confirmed["unsubscribe"] += 1
        elif actor.expect is not None and text.startswith(SUBSCRIBED + actor.expect):
            self.ledger.subscriptions[actor.chat] = actor.expect
            self.ledger.confirmed["subscribe"] += 1
        else:
            return
        self._replied(actor)

    def _replied(self, actor: Actor) -> None:
        actor.waiting = None
        actor.next_at = time.monotonic() + self.rng.uniform(0, 2 * self.pause)

    def _answer(self, actor: Actor, replied: int | None, call: Call) -> None:
        if actor.waiting is None or actor.waiting[0] != "question":
            return
        buttons = [
            b.get("callback_data", "")
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]
        up = next((d for d in buttons if d.startswith("u:")), None)
        down = next((d for d in buttons if d.startswith("d:")), None)
        if up and down:
            actor.answer = (call.result["message_id"], up, down)
            self._replied(actor)
            self.answered += 1

    @property
    def in_flight(self) -> int:
        return sum(a.waiting is not None for a in self.admins + self.users)


@dataclass
class Report:
    rounds: int
    kills_during_sends: int = 0
    confirmed: Counter[str] = field(default_factory=Counter)
    posts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


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


def drive_until_kill(driver: Driver, rng: random.Random) -> None:
    """Drives the users until a random moment: one run in four early, while the bot is still
    starting (recovery, engine workers loading); the others 0.2-2.5 s after its first answer
    to a question, so votes and answers are in the mix."""
    now = time.monotonic()
    early = rng.random() < 0.25
    delay = rng.uniform(0.05, 1.5) if early else rng.uniform(0.2, 2.5)
    kill_at = now + delay if early else None
    answered, give_up = driver.answered, now + 15
    while kill_at is None or time.monotonic() < kill_at:
        if kill_at is None and (driver.answered > answered or time.monotonic() > give_up):
            kill_at = time.monotonic() + delay
        driver.act()
        time.sleep(0.01)
        driver.collect()


def drive_until_confirmed(driver: Driver, limit: float = 30.0) -> None:
    """On a slow machine every kill may come before a vote was acknowledged: the last run
    drives the users on until each kind of action was confirmed once (or `limit` seconds)."""
    give_up = time.monotonic() + limit
    while time.monotonic() < give_up and not all(
        driver.ledger.confirmed.get(kind, 0) > 0 for kind in ("subscribe", "vote")
    ):
        driver.act()
        time.sleep(0.01)
        driver.collect()


def posted(db: Path) -> int:
    """Chats with a post row today that is final (not pending)."""
    with Storage(db) as storage:
        return sum(p.status != "pending" for p in storage.posts())


def check(ledger: Ledger, storage: Storage, report: Report) -> None:
    """Compares what users were told with the database and the chats."""
    for chat, expected in ledger.subscriptions.items():
        sub = storage.get_subscription(chat)
        actual = sub.post_time if sub is not None and sub.active else None
        if actual != expected:
            report.problems.append(f"chat {chat}: confirmed {expected}, stored {actual}")
    stored_votes = {(v.chat_id, v.message_id, v.user_id): v.vote for v in storage.votes()}
    for key, value in ledger.votes.items():
        if stored_votes.get(key) != value:
            stored = stored_votes.get(key)
            report.problems.append(f"vote {key}: acknowledged {value}, stored {stored}")
    per_chat = Counter(
        c.params["chat_id"]
        for c in ledger.calls
        if c.ok and c.method == "sendMessage" and c.result.get("text", "").startswith(DAILY)
    )
    for post in storage.posts():
        report.posts[post.status] += 1
        if post.status == "uncertain":  # in flight at a kill: did it reach the chat?
            report.posts["uncertain, in the chat"] += per_chat[post.chat_id] == 1
        if post.status == "pending":
            report.problems.append(f"chat {post.chat_id}: post still pending")
        if post.status == "sent" and per_chat[post.chat_id] != 1:
            report.problems.append(
                f"chat {post.chat_id}: logged sent, delivered {per_chat[post.chat_id]} time(s)"
            )
    with_row = {p.chat_id for p in storage.posts()}
    missing = [s.chat_id for s in storage.subscriptions(active_only=True)
               if s.chat_id <= CHAT_BASE and s.chat_id not in with_row]
    if missing:
        report.problems.append(f"{len(missing)} chat(s) never got today's post: {missing[:5]}")
    dates = {p.local_date for p in storage.posts()}
    doubled = [chat for chat, count in per_chat.items() if count > len(dates)]
    if doubled:
        report.problems.append(f"{len(doubled)} chat(s) got two posts on one day: {doubled[:5]}")


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
