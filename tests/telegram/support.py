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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
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

    async def settle(self, update_id: int, timeout: float = 5.0) -> None:
        """Waits until the bot has finished with update ``update_id``."""
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


CLARIFY_CANDIDATES = [
    "清华新学院打算怎么和产业界协同？",
    "北京有多少个国家实验室？",
    "天津有多少所高校？",
    "朱军是哪一年加入清华大学的？",
    "数说的数据截止到啥时候",
    "天坛医院的手术机器人从科研走向临床，是在哪里转化落地的？",
    "习主席希望北京在我国自主创新上扮演什么角色？",
]
_found: dict[tuple[str, tuple[str, ...]], str | None] = {}


def find_question(
    engine: Engine, kind: str, candidates: list[str], scan_seconds: float = 8.0
) -> str:
    """A question the (changing, being tuned) engine answers with ``kind``: the first
    candidate that does, else one from the evaluation sets found within ``scan_seconds``."""
    key = (kind, tuple(candidates))
    if key not in _found:
        _found[key] = _search(engine, kind, candidates, scan_seconds)
    question = _found[key]
    if question is None:
        pytest.skip(f"the engine currently gives no {kind!r} reply to the known questions")
    return question


def _search(engine: Engine, kind: str, candidates: list[str], seconds: float) -> str | None:
    for question in candidates:
        if engine.ask(question).kind == kind:
            return question
    deadline = time.monotonic() + seconds
    for path in sorted((KNOWLEDGE / "eval").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            question = item.get("q") if isinstance(item, dict) else None
            if time.monotonic() > deadline:
                return None
            if question and engine.ask(question).kind == kind:
                return question
    return None




MakeBot = Callable[..., Any]
