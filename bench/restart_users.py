"""The stage of ``bench.restart`` while the bot runs: group admins and private users acting
through the fake Bot API, and the ledger of what the bot confirmed to them."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.fake_telegram import Call, FakeTelegram

QUESTION = "北京有多少所高校？"
SUBSCRIBED, UNSUBSCRIBED, NOT_SUBSCRIBED = "已订阅：每天 ", "已退订", "这个聊天没有订阅"
VOTED = {"谢谢！已记下：这个回答有帮助。": 1, "谢谢反馈！已记下：这个回答不够好。": -1}
GROUP_BASE, ADMIN_BASE, USER_BASE = -1003000000000, 50_000, 60_000


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
    """The users: who acts next, and what the bot's calls to the fake confirmed to them."""

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
