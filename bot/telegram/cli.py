"""``factbot run``: start the bot, by long polling or as a webhook.

Every way it can fail before the bot is up is one line on stderr and an exit status, never a
traceback: no token or a bad setting is a usage problem (2), invalid knowledge, an unusable
database or an unreachable / refusing Bot API is a failure (1). The knowledge errors
themselves are printed by ``bot.cli.main``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import os
import re
import sqlite3
import sys
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings, load_settings
from bot.options import add_config_option

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
NO_TOKEN = (
    "factbot run: no bot token. Create a bot with @BotFather in Telegram (send it /newbot), "
    "then set TELEGRAM_BOT_TOKEN=<the token it gives you> in the environment "
    "(or `token:` in the config file)."
)

log = logging.getLogger("bot.telegram")


class _QuietStartFailure(logging.Filter):
    """Drops PTB's traceback for a failed start (rejected token, unreachable API): ``run``
    reports exactly that in one line of its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Bootstrap Initialize Application" not in record.getMessage()


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number from 1 to 65535")
    return int(value)


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    return value


def _secret(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
        raise argparse.ArgumentTypeError("must be 1-256 characters of A-Z a-z 0-9 _ -")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds ``factbot run`` to the CLI."""
    run = sub.add_parser(
        "run",
        help="run the Telegram bot (long polling, or a webhook with --webhook)",
        description="Run the Telegram bot. The token comes from TELEGRAM_BOT_TOKEN or the "
        "config file; every setting can be overridden by FACTBOT_<KEY> variables.",
    )
    add_config_option(run)
    run.add_argument("--webhook", metavar="URL", type=_url, help="public URL: run as a webhook")
    run.add_argument("--listen", metavar="HOST", help="webhook: local address to bind")
    run.add_argument("--port", metavar="N", type=_port, help="webhook: local port")
    run.add_argument("--secret", metavar="S", type=_secret, help="webhook: secret token")
    run.set_defaults(func=cmd_run)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    overrides = {
        key: value
        for key, value in (
            ("webhook_url", args.webhook),
            ("webhook_listen", args.listen),
            ("webhook_port", args.port),
            ("webhook_secret", args.secret),
        )
        if value is not None
    }
    if args.knowledge:
        overrides["knowledge_dir"] = args.knowledge
    settings = dataclasses.replace(settings, **overrides)
    flags = [f for f, v in (("--listen", args.listen), ("--port", args.port),
                            ("--secret", args.secret)) if v is not None]
    if flags and not settings.webhook_url:
        raise ConfigError(f"{', '.join(flags)} only apply to a webhook: add --webhook URL")
    return settings


def engine_processes(cores: int | None = None) -> int:
    """Worker processes ``factbot run`` answers in: one per core but one core left to the
    event loop, at most 4 (each holds its own copy of the engine); on one core, none (a
    thread answers)."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return min(4, cores - 1) if cores > 1 else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Loads settings and knowledge, then runs until SIGINT/SIGTERM."""
    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(f"factbot run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE

    from telegram.error import InvalidToken, NetworkError

    from bot.engine.engine import Engine
    from bot.paths import choose_knowledge
    from bot.storage import SchemaTooNewError, Storage, unusable_reason
    from bot.telegram.app import ALLOWED_UPDATES, build_application
    from bot.telegram.logs import setup_logging

    redactor = setup_logging(settings.log_level, [settings.token, settings.webhook_secret])
    logging.getLogger("telegram.ext").addFilter(_QuietStartFailure())
    # (KnowledgeInvalid is reported by bot.cli)
    knowledge = choose_knowledge(args.knowledge, settings.knowledge_dir, args.config)
    log.info("%s", knowledge.describe())  # which copy a curator must edit
    engine = Engine.load(knowledge.path, max_question_chars=settings.max_question_chars)
    try:
        storage = Storage(settings.db_path)
    except (SchemaTooNewError, sqlite3.Error, OSError) as exc:
        print(f"factbot run: {unusable_reason(settings.db_path, exc)}", file=sys.stderr)
        return EXIT_FAIL
    try:
        application = build_application(
            settings, engine=engine, storage=storage, engine_processes=engine_processes(),
            reload_on_sighup=True,
        )
        # Everything loaded so far (the engine, PTB's classes) lives as long as the process:
        # keep the garbage collector from walking it again on every full collection (each
        # one a ~50 ms pause of every chat).
        gc.freeze()
        log.info("settings: %s", settings.redacted())
        if settings.webhook_url:
            path = urlsplit(settings.webhook_url).path.strip("/")
            log.info("starting: webhook on %s:%s/%s", settings.webhook_listen,
                     settings.webhook_port, path)
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=path,
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            log.info("starting: long polling %s", settings.api_base_url)
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print("factbot run: Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN "
              "(get a new one from @BotFather with /token)", file=sys.stderr)
        return EXIT_FAIL
    except NetworkError as exc:
        print(f"factbot run: cannot reach the Bot API at {settings.api_base_url}: "
              f"{redactor.scrub(str(exc))}", file=sys.stderr)
        return EXIT_FAIL
    except OSError as exc:  # e.g. the webhook port is taken
        print(f"factbot run: {redactor.scrub(str(exc))}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        storage.close()
    log.info("stopped")
    return EXIT_OK
