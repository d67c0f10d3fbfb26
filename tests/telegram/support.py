"""Helpers for the Telegram tests: the harness around a running bot, and how answers must
look (written out independently of ``bot.telegram.render``, so the tests check it).

The harness adds one piece of test instrumentation to the Application: an observer in the
last handler group, which PTB runs after every other group is done with an update (errors
and apologies included). ``settle`` waits for it, so "the bot said nothing" can be asserted
without sleeping.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.reply import Reply
from bot.storage import Storage
from tests.fake_telegram import Call, FakeTelegram

ALICE = 1001
BOB = 1002
GROUP = -1001234567890
BOT_ID = 123456
KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
OBSERVER_GROUP = 1_000


class ManualClock:
    """A monotonic clock that only moves when told (flood protection without sleeping)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class BotHarness:
    fake: FakeTelegram
    app: Application[Any, Any, Any, Any, Any, Any]
    engine: Engine
    storage: Storage
    settings: Settings
    clock: ManualClock
    expect_errors: bool = False  # set by tests that make the bot fail on purpose
    _seen: dict[int, asyncio.Event] = field(default_factory=dict)

    def _event(self, update_id: int) -> asyncio.Event:
        return self._seen.setdefault(update_id, asyncio.Event())

    async def observe(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            self._event(update.update_id).set()

    async def settle(self, update_id: int, timeout: float = 30.0) -> None:
        """Waits until the bot has finished with update ``update_id`` (a bound, not a speed:
        /reload starts a new engine worker, which takes seconds on a loaded machine)."""
        await asyncio.wait_for(self._event(update_id).wait(), timeout)

    async def exchange(self, update: dict[str, Any]) -> list[Call]:
        """Pushes ``update``, waits until it is handled, returns the Bot API calls it caused."""
        mark = len(self.fake.calls)
        queued = self.fake.push_update(update)
        await self.settle(queued["update_id"])
        return [c for c in self.fake.calls[mark:] if c.method != "getUpdates"]

    async def sends(self, update: dict[str, Any]) -> list[Call]:
        """The sendMessage calls ``update`` caused."""
        return [c for c in await self.exchange(update) if c.method == "sendMessage"]

    async def one_message(self, update: dict[str, Any]) -> Call:
        """The single successful sendMessage ``update`` caused."""
        sent = await self.sends(update)
        assert len(sent) == 1, [c.params.get("text") for c in sent]
        assert sent[0].ok, sent[0].description
        return sent[0]

    async def private(self, user_id: int, text: str, **kwargs: Any) -> Call:
        return await self.one_message(self.fake.message_update(user_id, user_id, text, **kwargs))


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def answer_html(reply: Reply) -> str:
    """How an answer must read: the answer line, each quote in a blockquote, its source."""
    lines = [esc(reply.lead)]
    for source in reply.sources:
        lines += [f"<blockquote>{esc(source.quote)}</blockquote>", f"来源：{esc(source.locator)}"]
    return "\n".join(lines)


def answer_keyboard(engine: Engine, key: str) -> dict[str, Any]:
    """The buttons under an answer: 原文 (and 相关 when there is something related), 👍 👎."""
    first = [{"text": "原文", "callback_data": f"o:{key}"}]
    if engine.related(key, limit=1):
        first.append({"text": "相关", "callback_data": f"r:{key}"})
    votes = [
        {"text": "👍", "callback_data": f"u:{key}"},
        {"text": "👎", "callback_data": f"d:{key}"},
    ]
    return {"inline_keyboard": [first, votes]}


def buttons(call: Call) -> list[tuple[str, str]]:
    """(label, callback data or url) of every button a sent message carries."""
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [
        (b["text"], b.get("callback_data") or b.get("url"))
        for row in markup["inline_keyboard"]
        for b in row
    ]


# Questions the engine meets with a fallback and with a clarifying question today. Fixed, so a
# test never quietly skips: if the engine learns to answer one, the test says so, and the
# question is replaced by another one of that kind (`factbot ask --json` shows the kind).
FALLBACK_QUESTION = "上海有多少所高校？"
CLARIFY_QUESTION = "科技创新能够催生出哪些东西？"


def question_of_kind(engine: Engine, kind: str) -> str:
    """The fixed question of `kind`, checked to still get that kind of reply."""
    question = {"fallback": FALLBACK_QUESTION, "clarify": CLARIFY_QUESTION}[kind]
    got = engine.ask(question).kind
    assert got == kind, f"{question!r} now gets {got!r}: pick another {kind!r} question"
    return question


MakeBot = Callable[..., Any]
