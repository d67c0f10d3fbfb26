"""``factbot health``, ``factbot stats`` and ``factbot forget``: the operator's view of a
running bot's data folder. None of them imports python-telegram-bot (a health check runs
every minute), and the two that only read never create a database.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.options import add_config_option
from bot.storage import SchemaTooNewError, Storage, unusable_reason

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class _Fail(Exception):
    def __init__(self, message: str, status: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.status = status


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(args.config)
    except ConfigError as exc:
        raise _Fail(str(exc)) from None


def _open(settings: Settings, *, readonly: bool) -> Storage:
    try:
        return Storage(settings.db_path, readonly=readonly)
    except (sqlite3.Error, OSError, SchemaTooNewError) as exc:
        raise _Fail(unusable_reason(settings.db_path, exc)) from None


def cmd_health(args: argparse.Namespace) -> int:
    from bot.ops.health import check

    health = check(_settings(args))
    if health.ok:
        print(health.reason)
        return EXIT_OK
    print(f"unhealthy: {health.reason}", file=sys.stderr)
    return EXIT_FAIL


def _names(args: argparse.Namespace, settings: Settings) -> dict[str, str]:
    """Readable names for intents, from the knowledge the bot answers from (ids alone if it
    cannot be read: the figures matter more than the names)."""
    from bot.kb.store import load_knowledge
    from bot.kb.yamlsrc import KnowledgeInvalid
    from bot.ops.stats import intent_names
    from bot.paths import default_knowledge_dir

    directory = Path(args.knowledge) if args.knowledge else settings.knowledge_dir
    try:
        return intent_names(load_knowledge(directory or default_knowledge_dir()))
    except (KnowledgeInvalid, OSError):
        return {}


def cmd_stats(args: argparse.Namespace) -> int:
    from bot.ops.stats import report

    settings = _settings(args)
    if not settings.db_path.exists():
        print(f"no database at {settings.db_path} yet: the bot has not run with this data folder")
        return EXIT_OK
    with _open(settings, readonly=True) as storage:
        try:
            text = report(
                storage, days=args.days, timezone=settings.timezone, names=_names(args, settings)
            )
        except sqlite3.Error as exc:
            raise _Fail(unusable_reason(settings.db_path, exc)) from None
    print(text)
    return EXIT_OK


def cmd_forget(args: argparse.Namespace) -> int:
    settings = _settings(args)
    user = args.user_id
    if not settings.db_path.exists():
        print(f"nothing stored about user {user} (no database at {settings.db_path})")
        return EXIT_OK
    with _open(settings, readonly=False) as storage:
        try:
            gone = storage.forget_user(user)
        except sqlite3.Error as exc:
            raise _Fail(unusable_reason(settings.db_path, exc)) from None
    if not gone.anything:
        print(f"nothing stored about user {user}")
        return EXIT_OK
    parts = [f"{gone.votes} vote(s)", f"{gone.questions} unanswered question(s)"]
    if gone.subscription:
        parts.append(f"their private chat's subscription with {gone.posts} post log row(s)")
    if gone.rotation:
        parts.append("their private chat's fact rotation")
    print(f"forgot user {user}: deleted " + ", ".join(parts))
    return EXIT_OK


def _run(command):  # type: ignore[no-untyped-def]
    def run(args: argparse.Namespace) -> int:
        try:
            return int(command(args))
        except _Fail as exc:
            print(f"factbot {args.command}: {exc}", file=sys.stderr)
            return exc.status

    return run


def _days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 3660:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 1 to 3660")
    return int(text)


def _user_id(text: str) -> int:
    if not text.strip().isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Telegram user id (a number > 0)")
    return int(text)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    health = sub.add_parser(
        "health", help="exit 0 if the running bot's heartbeat is fresh and its database usable"
    )
    add_config_option(health)
    health.set_defaults(func=_run(cmd_health))

    stats = sub.add_parser(
        "stats", help="questions answered/declined/clarified per day, votes, subscriptions, posts"
    )
    stats.add_argument(
        "--days", type=_days, default=7, metavar="N", help="the last N days (default 7)"
    )
    add_config_option(stats)
    stats.set_defaults(func=_run(cmd_stats))

    forget = sub.add_parser(
        "forget", help="delete a user's votes, unanswered questions and private-chat subscription"
    )
    forget.add_argument("user_id", type=_user_id, metavar="USER_ID", help="Telegram user id")
    add_config_option(forget)
    forget.set_defaults(func=_run(cmd_forget))
