"""``build_application``: the one place the bot's PTB ``Application`` is put together.

``factbot run``, the tests and the benchmark all call it, so what is tested is what runs:
the base URL comes from the settings (a fake Bot API in tests), calls go out as JSON
(``request.JsonRequest``), outgoing messages go through ``AIORateLimiter`` (retrying on
``RetryAfter``), updates are handled concurrently, and the command menu is registered on
start.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.config import ConfigError, Settings
from bot.daily.ratelimit import MeteredRateLimiter
from bot.engine.engine import Engine
from bot.storage import Storage
from bot.telegram import handlers, logs, operator
from bot.telegram.callbacks import KeyCodec
from bot.telegram.flood import FloodGuard
from bot.telegram.render import Renderer
from bot.telegram.request import JsonRequest
from bot.telegram.services import SERVICES, Asker, Conversations, Services

log = logging.getLogger(__name__)


def _remember_sniffio_is_missing() -> None:
    """httpcore (under httpx) imports the optional ``sniffio`` afresh each time it sets up a
    lock, event or cancellation shield - several times per Bot API request - and falls back to
    asyncio when that fails. anyio no longer installs sniffio, and Python does not cache a
    failed import, so every one of those is a walk over ``sys.path``: about a fifth of the
    bot's CPU time under load. Recording the absence once turns it into a dictionary lookup
    (``import`` of a module that is ``None`` in ``sys.modules`` fails at once)."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_remember_sniffio_is_missing()

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class FactbotApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's ``Application`` without its one table that grows with every chat and user.

    After each update PTB notes the update's chat and user ids for the next persistence
    write, and only that write empties the two sets: with no persistence (the bot keeps its
    state in SQLite) they would hold every chat and user the bot ever met. Here they are
    noted only when there is a persistence to write them to. The bot keeps nothing in
    ``chat_data`` or ``user_data`` either (PTB makes an entry for every chat that reads it):
    what it needs per chat lives in its own bounded tables (``services``).
    """

    __slots__ = ()

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Any = None
    ) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)

# The update types the bot (and the daily posts installed into it) handle.
ALLOWED_UPDATES: list[str] = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
    Update.CHANNEL_POST,
    Update.EDITED_CHANNEL_POST,
]

# Inline queries a user may send per question allowed per minute (one per pause in typing).
INLINE_QUERIES_PER_QUESTION = 6

# bot_data["command_menu"]: scope -> [(command, description)]; the daily-post install() may
# append its commands before post_init sends the menu to Telegram.
MENU = "command_menu"
SIGHUP = "reload_on_sighup"
PRIVATE_COMMANDS = [
    ("start", "开始：介绍和提问示例"),
    ("fact", "随机看一条文章里的事实"),
    ("about", "关于这篇文章和我"),
    ("help", "怎么提问"),
]
GROUP_COMMANDS = [
    ("ask", "提问：/ask 加上你的问题"),
    ("fact", "随机看一条文章里的事实"),
    ("about", "关于这篇文章和我"),
    ("help", "怎么提问"),
]


def _file_url(base_url: str) -> str:
    """The file download URL that goes with a Bot API base URL."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return "https://api.telegram.org/file/bot"


def application_builder(
    settings: Settings, *, read_timeout: float = 5.0
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """The builder with everything that makes a bot production-shaped but no handlers (the
    benchmark's echo bot is built from it too, so the comparison is fair). ``read_timeout``:
    how long a Bot API call (other than the long poll) may take to answer."""
    if not settings.token:
        raise ConfigError("no bot token: set TELEGRAM_BOT_TOKEN or `token` in the config file")
    limiter = MeteredRateLimiter(  # AIORateLimiter, read by the broadcast to leave room
        overall_max_rate=settings.global_send_rate,
        overall_time_period=1,
        group_max_rate=settings.group_send_rate_per_minute,
        group_time_period=60,
        max_retries=3,
    )
    return (
        ApplicationBuilder()
        .application_class(FactbotApplication)
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(_file_url(settings.api_base_url))
        .request(JsonRequest(read_timeout=read_timeout))
        .get_updates_request(JsonRequest(connection_pool_size=1, read_timeout=read_timeout))
        .rate_limiter(limiter)
        .concurrent_updates(settings.concurrent_updates)
        .defaults(Defaults(tzinfo=settings.tz))
    )


def build_application(
    settings: Settings,
    *,
    engine: Engine | None = None,
    storage: Storage | None = None,
    clock: Callable[[], float] = time.monotonic,
    engine_processes: int = 0,
    reload_on_sighup: bool = False,
    read_timeout: float = 5.0,
) -> AnyApplication:
    """The bot's Application: handlers, error handler, services in ``bot_data``.

    ``engine`` defaults to the knowledge in ``settings.knowledge_dir`` (or the bundled one),
    ``storage`` to the SQLite file in the data directory (closed on shutdown); ``clock``
    drives flood protection; ``engine_processes`` > 0 answers questions in that many worker
    processes instead of one thread; ``reload_on_sighup`` (``factbot run``) reloads the
    knowledge on SIGHUP; ``read_timeout`` bounds each Bot API call.
    """
    application = (
        application_builder(settings, read_timeout=read_timeout)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    engine = engine or Engine.load(
        settings.knowledge_dir, max_question_chars=settings.max_question_chars
    )
    owns_storage = storage is None
    storage = storage or Storage(settings.db_path)
    codec = KeyCodec(
        [i.id for i in engine.knowledge.intents] + [f.id for f in engine.knowledge.facts]
    )
    application.bot_data.update(
        {
            SERVICES: Services(
                settings=settings,
                engine=engine,
                storage=storage,
                codec=codec,
                renderer=Renderer(engine, codec, settings.answer_max_chars),
                asker=Asker(engine, processes=engine_processes),
                flood=FloodGuard(settings.questions_per_minute, clock=clock),
                inline_flood=FloodGuard(
                    settings.questions_per_minute * INLINE_QUERIES_PER_QUESTION, clock=clock
                ),
                conversations=Conversations(clock=clock),
                owns_storage=owns_storage,
            ),
            "engine": engine,
            "storage": storage,
            "settings": settings,
            MENU: {
                "private": PRIVATE_COMMANDS + operator.PUBLIC_COMMANDS,
                "group": GROUP_COMMANDS + operator.PUBLIC_COMMANDS[:1],
            },
            SIGHUP: reload_on_sighup,
        }
    )
    operator.install(application)  # before the question handler, which takes any text
    handlers.install(application)
    application.add_error_handler(logs.error_handler)
    # Daily posts (issue 5): /subscribe & co. and membership changes in handler group -1,
    # plus the posting job; their commands join the menu.
    from bot.daily import telegram as daily

    menu = application.bot_data[MENU]
    for scope in ("private", "group"):
        menu[scope] += [c for c in daily.COMMANDS if c not in menu[scope]]
    daily.install(application)
    return application


async def _post_init(application: AnyApplication) -> None:
    """Registers the command menu; a failure is logged, never fatal (the bot still works)."""
    services: Services | None = application.bot_data.get(SERVICES)
    if services is not None:
        services.asker.warm_up()
    menu = application.bot_data.get(MENU, {})
    scopes = (
        ("private", BotCommandScopeAllPrivateChats()),
        ("group", BotCommandScopeAllGroupChats()),
    )
    for name, scope in scopes:
        commands = [BotCommand(command, text) for command, text in menu.get(name, [])]
        try:
            await application.bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:
            log.warning("could not register the %s command menu: %s", name, exc)
    await operator.register_owner_menu(application, menu.get("private", []))
    if application.bot_data.get(SIGHUP):
        operator.watch_sighup(application)
    log.info("factbot is up as @%s", application.bot.username)


async def _post_shutdown(application: AnyApplication) -> None:
    operator.mark_stopped(application)
    s: Services | None = application.bot_data.get(SERVICES)
    if s is None:
        return
    s.asker.close()
    if s.owns_storage:
        s.storage.close()
