"""Input fuzzing through the whole stack: hypothesis draws updates, the fake Bot API serves
them to the production ``Application`` over real HTTP, and every request the bot makes is
checked by the fake the way Telegram checks it.

    python -m bench.fuzz [--examples 2000] [--seed 1]

Drawn: arbitrary Unicode text and captions up to 10,000 characters; entities pointing outside
the text; commands (ours, other bots', unknown ones) with odd arguments; malformed callback
data on real and vanished messages; inline queries of every length; updates with optional
fields missing; anonymous admins and channel identities; forwards; service messages; edits;
channel posts and membership changes. Counted: the updates tried, unhandled exceptions (every
ERROR logged by the bot or PTB - the error handler logs each one) and requests the fake
rejected (too long, bad HTML, bad button data, "message is not modified", ...). Both must be
zero. The test suite runs the same with a fixed seed and few examples
(tests/telegram/test_tg_fuzz.py).

One bot serves every example: it runs on its own event loop in a thread, one update at a time
(so a marker message after an example's updates says when they are all handled), with a
clock that moves a second per question so flood protection is exercised without sleeping.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import itertools
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/fuzz.py
    sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import TypeHandler  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.engine.engine import Engine  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.telegram.app import ALLOWED_UPDATES, build_application  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

USERS = (2001, 2002, 2003)
ADMIN = 2004
GROUP = -1002000000001
CHANNEL = -1002000000099
# Membership changes happen in chats of their own: once the bot is out, Telegram sends it
# nothing more from there, so the other chats must keep it in.
LEAVING_GROUP = -1002000000002
LEAVING_USER = 2005
MARKER_USER = 2999
MARKER = "你好"
BOT = "factbot_bot"

# --------------------------------------------------------------------------- what is drawn

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=10_000)
_CHINESE = st.text(st.sampled_from("北京有多少所高校科研人员吗呢啊？！，。１２３ａｂｃ九十二 <&> "),
                   max_size=40)
_SHORT = st.one_of(_CHINESE, st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
TEXTS = st.one_of(_SHORT, _TEXT, st.just(""), st.just("北京有多少所高校？"))
COMMANDS = st.sampled_from(
    ["start", "help", "about", "fact", "ask", "subscribe", "unsubscribe", "subscription",
     "stats", "reload", "privacy", "forget", "nosuch", "START", "ask_", "a"]
)
ADDRESSES = st.sampled_from(["", f"@{BOT}", "@otherbot", "@", f"@{BOT.upper()}"])
PREFIXES = st.sampled_from(["", "/ask ", f"@{BOT} ", f"/ask@{BOT}", "/ask@otherbot ", "@other "])
ENTITY_TYPES = st.sampled_from(["bot_command", "mention", "bold", "url", "text_link",
                                "blockquote", "code", "hashtag"])
ENTITIES = st.lists(
    st.fixed_dictionaries({"type": ENTITY_TYPES, "offset": st.integers(-5, 12_000),
                           "length": st.integers(-2, 12_000)}),
    max_size=4,
)
CALLBACK_DATA = st.one_of(
    st.text(max_size=80),
    st.builds(lambda a, b: f"{a}:{b}", st.sampled_from("asoruldz~"), st.text(max_size=70)),
    st.sampled_from(["u:beijing_universities", "s:beijing_universities", "a:~000000000000"]),
)
OPTIONAL = st.sets(st.sampled_from(["from", "entities", "chat_names", "language_code",
                                    "caption_entities", "reply_to_message"]))
SERVICES = st.sampled_from(["new_chat_members", "left_chat_member", "new_chat_title",
                            "pinned_message", "group_chat_created", "migrate_to_chat_id",
                            "sticker", "delete_chat_photo"])


@st.composite
def scenario(draw: st.DrawFn) -> dict[str, Any]:
    """One update to send, as a description the runner turns into the update itself."""
    kind = draw(st.sampled_from(
        ["private", "private", "group", "group", "command", "caption", "callback", "inline",
         "edit", "service", "channel", "member"]
    ))
    s: dict[str, Any] = {"kind": kind, "user": draw(st.sampled_from((*USERS, ADMIN)))}
    if kind in ("private", "group", "caption", "edit"):
        s["text"] = draw(PREFIXES) + draw(TEXTS) if kind != "private" else draw(TEXTS)
    if kind == "command":
        s["text"] = f"/{draw(COMMANDS)}{draw(ADDRESSES)}{draw(st.sampled_from(['', ' ']))}" \
                    f"{draw(_SHORT)}"
        s["private"] = draw(st.booleans())
    if kind in ("private", "group", "command", "caption", "edit"):
        s["entities"] = draw(st.one_of(st.none(), ENTITIES))
        s["missing"] = draw(OPTIONAL)
        s["forward"] = draw(st.sampled_from([False, False, True, "channel"]))
        s["as_chat"] = draw(st.sampled_from([None, None, None, "group", "channel"]))
        s["reply_to_bot"] = draw(st.booleans())
    if kind == "callback":
        s["data"] = draw(CALLBACK_DATA)
        s["on_answer"] = draw(st.booleans())
    if kind == "inline":
        s["query"] = draw(st.one_of(st.text(max_size=256), _CHINESE))
    if kind == "service":
        s["service"] = draw(SERVICES)
    if kind == "channel":
        s["text"] = draw(st.one_of(TEXTS, st.just("/subscribe 09:00"), st.just("/unsubscribe")))
        s["edited"] = draw(st.booleans())
    if kind == "member":
        s["status"] = draw(st.sampled_from(["member", "administrator", "left", "kicked"]))
        s["chat"] = draw(st.sampled_from([LEAVING_GROUP, LEAVING_USER]))
    return s


EXAMPLES = st.lists(scenario(), min_size=1, max_size=4)

# --------------------------------------------------------------------------- the bot


class _Errors(logging.Handler):
    """Counts ERROR records from the bot and PTB: unhandled exceptions end up there."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot", "telegram")):
            self.records.append(record)


@dataclass
class FuzzBot:
    """The production bot on its own loop in a thread, polling a fake Bot API."""

    fake: FakeTelegram
    engine: Engine
    data_dir: Path
    tried: int = 0
    errors: _Errors = field(default_factory=_Errors)
    _seen: set[int] = field(default_factory=set)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _ticks: Iterator[int] = field(default_factory=lambda: itertools.count(start=10_000))
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _answers: dict[int, list[int]] = field(default_factory=dict)  # chat -> bot answers

    @classmethod
    @contextmanager
    def running(cls, engine: Engine) -> Iterator[FuzzBot]:
        with FakeTelegram(bot_username=BOT) as fake, tempfile.TemporaryDirectory() as tmp:
            bot = cls(fake, engine, Path(tmp))
            bot._world()
            logging.getLogger().addHandler(bot.errors)
            thread = threading.Thread(target=bot._loop.run_forever, daemon=True)
            thread.start()
            try:
                bot._call(bot._start())
                yield bot
            finally:
                bot._call(bot._stop())
                bot._loop.call_soon_threadsafe(bot._loop.stop)
                thread.join(timeout=10)
                bot._loop.close()
                logging.getLogger().removeHandler(bot.errors)

    def _world(self) -> None:
        fake = self.fake
        for user in (*USERS, ADMIN, MARKER_USER, LEAVING_USER):
            fake.user(user, f"U{user}", f"u{user}")
        fake.add_chat(GROUP, "supergroup", title="群")
        fake.add_chat(CHANNEL, "channel", title="频道")
        fake.add_chat(LEAVING_GROUP, "supergroup", title="另一个群")
        fake.set_member(CHANNEL, fake.bot_id, "administrator")
        fake.set_member(GROUP, ADMIN, "administrator")
        for user in USERS:
            fake.set_member(GROUP, user, "member")

    def _call(self, coroutine: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start(self) -> None:
        settings = Settings(token=self.fake.token, api_base_url=self.fake.base_url,
                            data_dir=self.data_dir, concurrent_updates=1, owner_ids=[ADMIN],
                            # Telegram's send limits would only make the run wait.
                            global_send_rate=10_000, group_send_rate_per_minute=100_000)
        self.storage = Storage(settings.db_path)
        self.app = build_application(settings, engine=self.engine, storage=self.storage,
                                     clock=lambda: float(next(self._ticks)))
        self.app.add_handler(TypeHandler(Update, self._observe), group=1_000)
        await self.app.initialize()
        assert self.app.post_init is not None and self.app.updater is not None
        await self.app.post_init(self.app)
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0, timeout=1,
                                             allowed_updates=ALLOWED_UPDATES)

    async def _stop(self) -> None:
        app = self.app
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        self.storage.close()

    async def _observe(self, update: object, context: object) -> None:
        if isinstance(update, Update):
            with self._cond:
                self._seen.add(update.update_id)
                self._cond.notify_all()

    # ----------------------------------------------------------------------- examples

    def feed(self, scenarios: list[dict[str, Any]]) -> None:
        """Sends one example's updates, then waits until the bot has handled them all."""
        for s in scenarios:
            self.fake.push_update(self.build(s))
            self.tried += 1
        marker = self.fake.push_update(self.fake.message_update(MARKER_USER, MARKER_USER,
                                                                MARKER))
        with self._cond:
            if not self._cond.wait_for(lambda: marker["update_id"] in self._seen, timeout=60):
                raise TimeoutError("the bot did not get through the example in a minute")
        for call in self.fake.calls_of("sendMessage")[-8:]:
            chat = call.result["chat"]["id"] if call.ok else None
            if chat in USERS and "reply_markup" in call.result:
                self._answers.setdefault(chat, []).append(call.result["message_id"])

    def rejected(self) -> list[str]:
        """Requests the fake refused, as Telegram would have."""
        return [f"{c.method} {c.http_status}: {c.description} "
                f"(chat {c.params.get('chat_id')}, message {c.params.get('message_id')})"
                for c in self.fake.calls if c.http_status != 200]

    def unhandled(self) -> list[str]:
        return [r.getMessage()[:300] for r in self.errors.records]

    def build(self, s: dict[str, Any]) -> dict[str, Any]:
        fake, kind = self.fake, s["kind"]
        if kind == "callback":
            answers = self._answers.get(s["user"])
            target = answers[-1] if s["on_answer"] and answers else 987_654
            return fake.callback_query_update(s["user"], s["user"], target, s["data"])
        if kind == "inline":
            return fake.inline_query_update(s["user"], s["query"])
        if kind == "member":
            return fake.my_chat_member_update(s["chat"], s["status"], user=ADMIN)
        if kind == "channel":
            return fake.channel_post_update(CHANNEL, s["text"] or "。", edited=s["edited"])
        if kind == "service":
            return self._service(s)
        return self._message(s)

    def _message(self, s: dict[str, Any]) -> dict[str, Any]:
        fake, user = self.fake, s["user"]
        private = s["kind"] == "private" or (s["kind"] == "command" and s["private"])
        chat = user if private else GROUP
        options: dict[str, Any] = {"entities": s["entities"]}
        if s["forward"]:
            options["forward"] = {"id": CHANNEL, "type": "channel"} if s["forward"] == "channel" \
                else True
        if s["as_chat"] and not private:
            options["sender_chat"] = GROUP if s["as_chat"] == "group" else CHANNEL
        if s["reply_to_bot"] and self._answers.get(chat) and private:
            options["reply_to_message_id"] = self._answers[chat][-1]
        text = s["text"] or "。"
        if s["kind"] == "caption":
            update = fake.message_update(chat, None if options.get("sender_chat") else user,
                                         caption=text, **options)
        elif s["kind"] == "edit":
            earlier = fake.message_update(chat, user, "北京有多少所高校？")
            self.fake.push_update(earlier)
            self.tried += 1
            update = fake.message_update(chat, user, text, edited=True,
                                         message_id=earlier["message"]["message_id"], **options)
        else:
            sender = None if options.get("sender_chat") else user
            update = fake.message_update(chat, sender, text, **options)
        return _without(update, s["missing"])

    def _service(self, s: dict[str, Any]) -> dict[str, Any]:
        update = self.fake.message_update(GROUP, s["user"], "x")
        message = update["message"]
        message.pop("text", None)
        message.pop("entities", None)
        service = s["service"]
        member = {"id": 2500, "is_bot": False, "first_name": "新人"}
        values: dict[str, Any] = {
            "new_chat_members": [member, self.fake.bot_user],
            "left_chat_member": member,
            "new_chat_title": "新名字",
            "pinned_message": {"message_id": 1, "date": 0, "chat": message["chat"]},
            "group_chat_created": True,
            "migrate_to_chat_id": -1002000000777,
            "delete_chat_photo": True,
        }
        if service == "sticker":
            return self.fake.message_update(GROUP, s["user"], sticker=True)
        message[service] = values[service]
        return update


def _without(update: dict[str, Any], missing: set[str]) -> dict[str, Any]:
    """``update`` with some optional fields left out, as some clients and Telegram do."""
    update = copy.deepcopy(update)
    message = update.get("message") or update.get("edited_message")
    if not message:
        return update
    for name in missing:
        if name == "chat_names":
            for key in ("title", "username", "first_name", "last_name"):
                message["chat"].pop(key, None)
        elif name == "language_code":
            message.get("from", {}).pop("language_code", None)
        elif name == "from" and "sender_chat" not in message and message["chat"]["id"] < 0:
            message.pop("from", None)  # a group message with no sender at all
        elif name != "from":
            message.pop(name, None)
    return update


# --------------------------------------------------------------------------- the run


def fuzz(bot: FuzzBot, examples: int, run_seed: int | None, derandomize: bool = False) -> None:
    """Feeds ``examples`` hypothesis examples to ``bot`` (raises if hypothesis finds a
    failing one: a hang)."""

    @settings(max_examples=examples, deadline=None, derandomize=derandomize, database=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(EXAMPLES)
    def run(scenarios: list[dict[str, Any]]) -> None:
        bot.feed(scenarios)

    if run_seed is not None and not derandomize:
        run = seed(run_seed)(run)
    run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    engine = Engine.load(ROOT / "knowledge")
    started = time.monotonic()
    with FuzzBot.running(engine) as bot:
        fuzz(bot, args.examples, args.seed)
        seconds = time.monotonic() - started
        calls = len(bot.fake.calls)
        rejected, unhandled = bot.rejected(), bot.unhandled()
    print(f"examples: {args.examples} (seed {args.seed})")
    print(f"inputs tried (updates): {bot.tried}")
    print(f"bot API requests made: {calls}")
    print(f"unhandled exceptions: {len(unhandled)}")
    print(f"requests rejected by the fake Bot API: {len(rejected)}")
    print(f"seconds: {seconds:.1f} ({bot.tried / seconds:.0f} inputs/s)")
    for line in (unhandled + rejected)[:20]:
        print("  ", line)
    return 0 if not unhandled and not rejected else 1


if __name__ == "__main__":
    raise SystemExit(main())
