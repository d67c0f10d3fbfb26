"""The soak's simulated users: who acts next, and which of the bot's calls answers whom.

Users live in private chats. Each has at most one action waiting for its reply: a question
drawn from knowledge/eval, now and then ``/fact``, or a press of a button under its last
answer. Two ways of acting: ``act_open`` (the measured run: arrivals at random, about one per
user every ``think`` seconds, whatever the bot's speed) and ``act_closed`` (the warm-up that
fills the bot's tables: a fixed number of questions in flight, each from the next new user,
so the warm-up goes as fast as the bot answers and never piles up a queue).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from bench.restart import DAILY
from bench.telegram_throughput import questions
from tests.fake_telegram import Call, FakeTelegram

USER_BASE = 2_000_000
REPLY_TIMEOUT = 30.0
PRESS_SHARE = 0.35  # of a user's actions, when it has buttons to press
FACT_SHARE = 0.05  # of the rest: /fact instead of a question


@dataclass
class User:
    chat: int
    waiting: tuple[str, str | int, float] | None = None  # (kind, key, when pushed)
    buttons: list[str] = field(default_factory=list)  # callback data under its last answer
    answer_id: int | None = None


@dataclass
class Run:
    """What the bench saw, in seconds since the bot was started."""

    latencies: list[tuple[float, float, str]] = field(default_factory=list)  # (at, s, kind)
    rejected: list[str] = field(default_factory=list)
    timeouts: int = 0
    actions: int = 0
    asked: int = 0  # replies to questions and /fact
    posts: list[tuple[float, int]] = field(default_factory=list)  # daily posts: (at, chat)
    started: float = 0.0  # wall clock
    measured_from: float = 0.0  # the end of warm-up
    measured_to: float = 0.0


class Crowd:
    """The simulated users, enrolled in batches (the warm-up's and the measured run's)."""

    def __init__(self, fake: FakeTelegram, think: float, seed: int) -> None:
        self.fake, self.think = fake, think
        self.rng = random.Random(seed)
        self.pool = questions(5000, seed)
        self.by_chat: dict[int, User] = {}
        self.queries: dict[str, User] = {}
        self.pending: dict[int, User] = {}  # chat -> a user whose action awaits its reply
        self._cursor = 0  # the next user of act_closed
        self.next_at = time.monotonic()

    def enrol(self, count: int) -> list[User]:
        """``count`` users the bot has never seen, each with its private chat at the fake."""
        first = USER_BASE + len(self.by_chat)
        users = [User(first + n) for n in range(count)]
        for user in users:
            self.fake.add_chat(user.chat, "private", first_name=f"读者{user.chat % 100000}")
            self.by_chat[user.chat] = user
        return users

    def act_open(self, users: list[User], run: Run) -> None:
        """Starts the actions due by now: arrivals at len(users) / think per second."""
        now = time.monotonic()
        while self.next_at <= now:
            self.next_at += self.rng.expovariate(len(users) / self.think)
            user = self.rng.choice(users)
            if user.waiting is None:
                self._act(user, run, presses=True)

    def act_closed(self, users: list[User], in_flight: int, run: Run) -> None:
        """Keeps ``in_flight`` questions waiting, asked by ``users`` in turn."""
        tries = 0
        while len(self.pending) < in_flight and tries < len(users):
            user = users[self._cursor % len(users)]
            self._cursor += 1
            tries += 1
            if user.waiting is None:
                self._act(user, run, presses=False)
        self.next_at = time.monotonic()

    def _act(self, user: User, run: Run, *, presses: bool) -> None:
        run.actions += 1
        self.pending[user.chat] = user
        rng = self.rng
        if presses and user.buttons and user.answer_id is not None and rng.random() < PRESS_SHARE:
            data = rng.choice(user.buttons)
            update = self.fake.callback_query_update(user.chat, user.chat, user.answer_id, data)
            query = update["callback_query"]["id"]
            user.waiting = ("press", query, time.time())
            self.queries[query] = user
        else:
            kind, text = ("fact", "/fact") if rng.random() < FACT_SHARE else (
                "question", rng.choice(self.pool))
            update = self.fake.message_update(user.chat, user.chat, text)
            user.waiting = (kind, update["message"]["message_id"], time.time())
        self.fake.push_update(update)

    def collect(self, run: Run) -> None:
        """Reads the bot's calls since the last time; gives up on replies older than
        REPLY_TIMEOUT."""
        for call in self.fake.take_calls():
            self._one(call, run)
        cutoff = time.time() - REPLY_TIMEOUT
        for user in list(self.pending.values()):
            if user.waiting is not None and user.waiting[2] < cutoff:
                run.timeouts += 1
                self.queries.pop(str(user.waiting[1]), None)
                user.waiting = None
                del self.pending[user.chat]

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
            run.posts.append((call.time - run.started, int(chat)))
            return
        user = self.by_chat.get(chat)  # type: ignore[arg-type]
        if user is None or user.waiting is None or user.waiting[0] == "press":
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

    def _done(self, user: User, call: Call, run: Run) -> None:
        assert user.waiting is not None
        kind, _, pushed = user.waiting
        run.latencies.append((pushed - run.started, call.time - pushed, kind))
        run.asked += kind != "press"
        user.waiting = None
        self.pending.pop(user.chat, None)
