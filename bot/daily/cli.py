"""Operator commands for daily posts: ``factbot subscribe / unsubscribe / subscriptions / post``.

Chats are given as ``@username`` or a numeric id; group and channel ids are negative and work as
typed (``factbot subscribe -1001234567890 --time 09:30``): argparse reads ``-100...`` as a
value because no option of ours looks like a negative number (``tests/daily`` pins this).
Commands that talk to Telegram need the bot token and say so in one line when it is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sqlite3
import sys
import unicodedata
import warnings
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Bot, Chat
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot import schedule
from bot.config import ConfigError, Settings, load_settings
from bot.daily.broadcaster import Broadcaster, BroadcastReport, ChatResult, Outcome
from bot.daily.plan import next_post
from bot.options import add_config_option
from bot.storage import SchemaTooNewError, Storage, Subscription, unusable_reason

__all__ = ["register"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
NO_TOKEN = (
    "no bot token: set TELEGRAM_BOT_TOKEN (talk to @BotFather on Telegram to get one) "
    "or `token:` in the config file"
)
_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")
ChatRef = int | str


class _Fail(Exception):
    """A one-line failure to print as ``factbot <command>: <message>``."""

    def __init__(self, message: str, status: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.status = status


def chat_ref(text: str) -> ChatRef:
    """argparse type: ``@username`` or an integer chat id (negative for groups/channels)."""
    text = text.strip()
    if _USERNAME.fullmatch(text):
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a chat: give @username or a numeric id such as -1001234567890"
        ) from None


def post_time_arg(text: str) -> str:
    try:
        return schedule.format_post_time(schedule.parse_post_time(text))
    except schedule.InvalidPostTime as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


# --- shared plumbing ---------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(args.config)
    except ConfigError as exc:
        raise _Fail(str(exc), EXIT_USAGE) from None


def _storage(settings: Settings, *, readonly: bool = False) -> Storage:
    """The database, or one line and exit 2 when the data folder cannot hold it (read-only,
    a file in the way, a corrupt file); ``readonly`` never creates or changes the file."""
    try:
        return Storage(settings.db_path, readonly=readonly)
    except (SchemaTooNewError, sqlite3.Error, OSError) as exc:
        raise _Fail(unusable_reason(settings.db_path, exc), EXIT_USAGE) from None


def _bot(settings: Settings, pool: int = 8) -> Bot:
    if not settings.token:
        raise _Fail(NO_TOKEN, EXIT_USAGE)
    return Bot(
        settings.token,
        base_url=settings.api_base_url,
        request=HTTPXRequest(connection_pool_size=pool, read_timeout=10.0),
    )


async def _start(bot: Bot, settings: Settings) -> None:
    try:
        await bot.initialize()
    except InvalidToken:
        raise _Fail("Telegram rejected the bot token (check it with @BotFather)") from None
    except NetworkError as exc:
        raise _Fail(f"cannot reach the Bot API at {settings.api_base_url}: {exc.message}") from None


async def _resolve(bot: Bot, ref: ChatRef) -> Chat:
    try:
        return await bot.get_chat(ref)
    except BadRequest as exc:
        raise _Fail(
            f"Telegram does not know chat {ref} ({exc.message}): add the bot to the chat "
            "(as an admin for a channel) and check the id or @username"
        ) from None
    except Forbidden as exc:
        raise _Fail(f"the bot has no access to chat {ref} ({exc.message})") from None


def _title(chat: Chat) -> str:
    return chat.title or chat.full_name or chat.username or ""


def _when(sub: Subscription, settings: Settings, storage: Storage) -> str:
    now, tz = datetime.now(UTC), settings.tz
    today_post = storage.post_on(sub.chat_id, schedule.local_date(now, tz))
    when = next_post(sub, tz, now, today_post)
    if when is None:
        return "-"
    if when <= now:
        return "due now"
    return f"{when.astimezone(tz):%Y-%m-%d %H:%M} {settings.timezone}"


def _run(command: Callable[[argparse.Namespace], Coroutine[Any, Any, int] | int]):
    """Wraps a command: one-line errors, exit statuses, Ctrl-C without a traceback."""

    def run(args: argparse.Namespace) -> int:
        # The command prints its own outcome; library chatter would only repeat it.
        logging.getLogger("bot.daily").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", category=PTBDeprecationWarning)
        try:
            result = command(args)
            if asyncio.iscoroutine(result):
                result = asyncio.run(result)
            return int(result)
        except _Fail as exc:
            print(f"factbot {args.command}: {exc}", file=sys.stderr)
            return exc.status
        except sqlite3.Error as exc:  # the database failed mid-command (e.g. a write refused)
            path = _settings(args).db_path
            print(f"factbot {args.command}: {unusable_reason(path, exc)}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:
            print(f"factbot {args.command}: interrupted", file=sys.stderr)
            return 130

    return run


# --- commands ----------------------------------------------------------------------------------


async def cmd_subscribe(args: argparse.Namespace) -> int:
    settings = _settings(args)
    post_time = args.time or settings.default_post_time
    bot = _bot(settings)
    storage = _storage(settings)
    try:
        await _start(bot, settings)
        chat = await _resolve(bot, args.chat)
        await _check_can_post(bot, chat)
        sub = storage.subscribe(
            chat.id, chat_type=chat.type, title=_title(chat) or None, post_time=post_time
        )
        when = _when(sub, settings, storage)
    finally:
        storage.close()
        await bot.shutdown()
    title = f" ({sub.title})" if sub.title else ""
    print(
        f"subscribed {sub.chat_id}{title}: every day at {sub.post_time} {settings.timezone}; "
        f"next post {when}"
    )
    return EXIT_OK


async def _check_can_post(bot: Bot, chat: Chat) -> None:
    """Refuses chats the bot could not post into at post time (they would only fail then)."""
    if chat.type == ChatType.PRIVATE:
        return
    try:
        member = await bot.get_chat_member(chat.id, bot.id)
    except TelegramError as exc:
        raise _Fail(f"cannot check the bot's rights in chat {chat.id}: {exc.message}") from None
    status = member.status
    if chat.type == ChatType.CHANNEL:
        is_admin = status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        if not is_admin or getattr(member, "can_post_messages", True) is False:
            raise _Fail(
                f"the bot is not an admin allowed to post in channel {chat.id}: make it one "
                "(channel settings > Administrators), then run this again"
            )
    elif status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        raise _Fail(f"the bot is not a member of chat {chat.id}: add it, then run this again")


async def cmd_unsubscribe(args: argparse.Namespace) -> int:
    settings = _settings(args)
    chat_id = args.chat
    if isinstance(chat_id, str):  # @username: only Telegram knows the id
        bot = _bot(settings)
        try:
            await _start(bot, settings)
            chat_id = (await _resolve(bot, chat_id)).id
        finally:
            await bot.shutdown()
    if not settings.db_path.exists():
        raise _Fail(f"chat {chat_id} has no subscription (there is no database yet)")
    with _storage(settings) as storage:
        sub = storage.get_subscription(chat_id)
        if sub is None:
            raise _Fail(f"chat {chat_id} has no subscription (see factbot subscriptions)")
        if not storage.unsubscribe(chat_id):
            print(f"chat {chat_id} was not subscribed ({sub.deactivated_reason}); nothing to do")
            return EXIT_OK
    print(f"unsubscribed {chat_id}; its history is kept, `factbot subscribe` brings it back")
    return EXIT_OK


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def cmd_subscriptions(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.db_path.exists():  # a listing never creates the database
        print("no subscriptions yet (add one with: factbot subscribe @channel|CHAT_ID)")
        return EXIT_OK
    with _storage(settings, readonly=True) as storage:
        subs = storage.subscriptions()
        if not subs:
            print("no subscriptions yet (add one with: factbot subscribe @channel|CHAT_ID)")
            return EXIT_OK
        rows = []
        for sub in subs:
            state = "active" if sub.active else f"inactive ({sub.deactivated_reason})"
            rows.append(
                [str(sub.chat_id), sub.title or "-", sub.post_time, state,
                 f"next: {_when(sub, settings, storage)}"]
            )
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join([*(_pad(row[i], widths[i]) for i in range(4)), row[4]]))
    return EXIT_OK


async def cmd_post(args: argparse.Namespace) -> int:
    from bot.engine.engine import Engine

    settings = _settings(args)
    bot = _bot(settings, pool=48)
    knowledge = Path(args.knowledge) if args.knowledge else settings.knowledge_dir
    storage = _storage(settings)  # an unusable data folder is said before the engine loads
    try:
        engine = Engine.load(knowledge)
        await _start(bot, settings)
        chat_ids = None
        if args.chat:
            chat_ids = [
                ref if isinstance(ref, int) else (await _resolve(bot, ref)).id for ref in args.chat
            ]
        broadcaster = Broadcaster(bot, storage, settings)
        report = await broadcaster.post_now(engine, chat_ids)
    finally:
        storage.close()
        await bot.shutdown()
    return _print_report(report, detailed=bool(args.chat))


_BAD = frozenset(Outcome) - {Outcome.SENT, Outcome.ALREADY}


def _describe(result: ChatResult) -> str:
    moved = f" (moved from {result.migrated_from})" if result.migrated_from else ""
    text = f"chat {result.chat_id}{moved}: {result.outcome.value}"
    if result.outcome is Outcome.SENT:
        text += f" (fact {result.fact_id}, message {result.message_id})"
    elif result.outcome in (Outcome.NOT_SUBSCRIBED, Outcome.INACTIVE):
        text += f"; subscribe it with: factbot subscribe {result.chat_id}"
    elif result.outcome is Outcome.FAILED:
        text += f": {result.error}; it is tried again at the next start of the bot today"
    elif result.error:
        text += f": {result.error}"
    return text


def _print_report(report: BroadcastReport, *, detailed: bool) -> int:
    for post in report.recovered:
        print(
            f"chat {post.chat_id}: the post of {post.local_date} was interrupted by a crash; "
            "logged as uncertain, not sent again",
            file=sys.stderr,
        )
    for result in report.results:
        if detailed or result.outcome in _BAD:
            stream = sys.stderr if result.outcome in _BAD else sys.stdout
            print(_describe(result), file=stream)
    if not detailed:
        counts = report.counts()
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
        print(f"daily posts for {report.local_date}: {summary or 'no active subscriptions'}")
    return EXIT_FAIL if any(r.outcome in _BAD for r in report.results) else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Adds the daily-post commands to the ``factbot`` parser."""
    chat_help = "@username or numeric chat id (e.g. -1001234567890)"
    subscribe = sub.add_parser(
        "subscribe", help="subscribe a channel or group to the daily fact (needs the bot token)"
    )
    subscribe.add_argument("chat", type=chat_ref, metavar="CHAT", help=chat_help)
    subscribe.add_argument(
        "--time",
        type=post_time_arg,
        metavar="HH:MM",
        help="daily post time (default: the default_post_time setting, 08:00)",
    )
    add_config_option(subscribe)
    subscribe.set_defaults(func=_run(cmd_subscribe))

    unsubscribe = sub.add_parser("unsubscribe", help="stop the daily fact in a chat")
    unsubscribe.add_argument("chat", type=chat_ref, metavar="CHAT", help=chat_help)
    add_config_option(unsubscribe)
    unsubscribe.set_defaults(func=_run(cmd_unsubscribe))

    listing = sub.add_parser(
        "subscriptions", help="list subscribed chats: id, title, time, state, next post"
    )
    add_config_option(listing)
    listing.set_defaults(func=_run(cmd_subscriptions))

    post = sub.add_parser(
        "post", help="post today's fact now to every subscribed chat, or to --chat ones"
    )
    post.add_argument(
        "--now", action="store_true", required=True, help="post immediately (required)"
    )
    post.add_argument(
        "--chat", type=chat_ref, action="append", metavar="CHAT",
        help="only this chat, @username or id (repeatable)",
    )
    add_config_option(post)
    post.set_defaults(func=_run(cmd_post))
