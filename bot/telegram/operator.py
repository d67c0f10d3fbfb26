"""The running bot's operating side: its heartbeat, the daily retention purge, reloading the
knowledge (owner-only ``/reload`` and SIGHUP), owner-only ``/stats``, and ``/privacy`` and
``/forget`` for everyone.

Owner-only commands answer only an owner (``owner_ids``) in a private chat with the bot;
anyone else gets exactly what any unknown command gets, so they reveal nothing, not even
that they exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.engine.engine import Engine
from bot.kb.yamlsrc import KnowledgeInvalid
from bot.ops import health, privacy, stats
from bot.telegram import render
from bot.telegram.callbacks import KeyCodec
from bot.telegram.handlers import COMMANDS
from bot.telegram.plumbing import replying, send
from bot.telegram.render import Renderer
from bot.telegram.services import SERVICES, Conversations, Services

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

PUBLIC_COMMANDS = [("privacy", "我会保存哪些数据"), ("forget", "删除我的投票、提问和私聊订阅")]
OWNER_COMMANDS = [("stats", "使用统计（仅管理员）"), ("reload", "重新加载知识库（仅管理员）")]
STATS_DAYS = 7
RELOADING = "reloading"  # bot_data key: the reload in progress, so two never overlap
MAX_MESSAGE = 4000


def install(application: AnyApplication) -> None:
    """Adds the commands (group 0, before the question handler) and the jobs."""
    application.add_handlers(
        [
            CommandHandler("privacy", on_privacy, filters=COMMANDS),
            CommandHandler("forget", on_forget, filters=COMMANDS),
            CommandHandler("stats", on_stats, filters=COMMANDS),
            CommandHandler("reload", on_reload, filters=COMMANDS),
        ]
    )
    assert application.job_queue is not None
    started = datetime.now(UTC)
    beat = functools.partial(_heartbeat, started=started)
    no_limit = {"misfire_grace_time": None}
    application.job_queue.run_once(beat, when=0, name="heartbeat-start", job_kwargs=no_limit)
    application.job_queue.run_repeating(
        beat, interval=health.HEARTBEAT_SECONDS, first=health.HEARTBEAT_SECONDS, name="heartbeat"
    )
    application.job_queue.run_once(_purge, when=0, name="retention-start", job_kwargs=no_limit)
    application.job_queue.run_repeating(
        _purge, interval=privacy.PURGE_EVERY_SECONDS, first=privacy.PURGE_EVERY_SECONDS,
        name="retention",
    )
    application.bot_data["heartbeat_started"] = started


def _services(application: AnyApplication) -> Services:
    return application.bot_data[SERVICES]


# ---------------------------------------------------------------------- jobs


async def _heartbeat(context: Context, started: datetime) -> None:
    s = _services(context.application)
    try:
        health.write_heartbeat(s.settings.heartbeat_path, started=started)
    except OSError as exc:
        log.error("cannot write the heartbeat %s: %s", s.settings.heartbeat_path, exc)


def mark_stopped(application: AnyApplication) -> None:
    """On shutdown: the heartbeat says the bot stopped, so a health check fails at once."""
    s: Services | None = application.bot_data.get(SERVICES)
    started = application.bot_data.get("heartbeat_started")
    if s is None or started is None:
        return
    with contextlib.suppress(OSError):
        health.write_heartbeat(s.settings.heartbeat_path, started=started, state="stopped")


async def _purge(context: Context) -> None:
    s = _services(context.application)
    # By the daily posts' clock: "today", whose post log rows must stay, is theirs.
    daily = context.application.bot_data.get("daily")
    now = daily.clock() if daily is not None else None
    await s.storage.aio.run(
        privacy.purge, s.storage, s.settings.retention_days, now, tz=s.settings.tz
    )


# ---------------------------------------------------------------------- everyone


async def on_privacy(update: Update, context: Context) -> None:
    s = _services(context.application)
    message = update.effective_message
    assert message is not None
    # The user's own id only in their private chat, not to a whole group.
    private = message.chat.type == ChatType.PRIVATE and message.sender_chat is None
    user = message.from_user if private else None
    text = privacy.privacy_text(s.settings.retention_days, user.id if user else None)
    with replying(update, s):
        await send(context, message, Renderer.notice(text))


async def on_forget(update: Update, context: Context) -> None:
    """Deletes the sender's votes, unanswered questions and private-chat subscription; only in
    a private chat, so nobody forgets someone else by replying in a group."""
    s = _services(context.application)
    message = update.effective_message
    assert message is not None
    with replying(update, s):
        if message.chat.type != ChatType.PRIVATE or message.from_user is None:
            await send(context, message, Renderer.notice(FORGET_IN_PRIVATE))
            return
        gone = await s.storage.aio.forget_user(message.from_user.id)
        text = privacy.describe_forgotten_zh(
            gone.votes, gone.subscription, gone.posts, gone.questions
        )
        await send(context, message, Renderer.notice(text))


FORGET_IN_PRIVATE = "请在和我的私聊里发送 /forget。"


# ---------------------------------------------------------------------- owners


def _owner(update: Update, s: Services) -> bool:
    message = update.effective_message
    return (
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and message.sender_chat is None
        and message.from_user is not None
        and message.from_user.id in s.settings.owner_ids
    )


async def _refuse(update: Update, context: Context, s: Services) -> None:
    """What anyone but an owner gets: the same as for a command the bot does not have."""
    message = update.effective_message
    if message is not None and message.chat.type == ChatType.PRIVATE:
        with replying(update, s):
            await send(context, message, Renderer.notice(render.UNKNOWN_COMMAND))


def _pre(text: str) -> render.Rendered:
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    return render.Rendered(f"<pre>{html.escape(text)}</pre>")


def _owner_only(
    compute: Callable[[Context, Services], Awaitable[str]],
) -> Callable[[Update, Context], Awaitable[None]]:
    """An owner command: for anyone but an owner it looks like an unknown command; for an owner
    its text is sent back preformatted."""

    @functools.wraps(compute)
    async def command(update: Update, context: Context) -> None:
        s = _services(context.application)
        if not _owner(update, s):
            await _refuse(update, context, s)
            return
        message = update.effective_message
        assert message is not None
        with replying(update, s):
            await send(context, message, _pre(await compute(context, s)))

    return command


@_owner_only
async def on_stats(context: Context, s: Services) -> str:
    return await s.storage.aio.run(
        stats.report,
        s.storage,
        days=STATS_DAYS,
        timezone=s.settings.timezone,
        names=stats.intent_names(s.engine.knowledge),
    )


@_owner_only
async def on_reload(context: Context, s: Services) -> str:
    return await reload_knowledge(context.application)


async def reload_knowledge(application: AnyApplication) -> str:
    """Loads the knowledge again from where it came from. Invalid knowledge keeps the running
    version and every error is logged and returned; valid knowledge replaces it everywhere
    (engine, buttons, replies, every worker process) in one step between two updates."""
    if application.bot_data.get(RELOADING):
        return "a reload is already running; try again when it has finished"
    application.bot_data[RELOADING] = True
    try:
        return await _reload(application)
    finally:
        application.bot_data[RELOADING] = False


async def _reload(application: AnyApplication) -> str:
    s = _services(application)
    directory = s.engine.knowledge.directory
    loop = asyncio.get_running_loop()
    load = functools.partial(
        Engine.load, directory, s.engine.bot_username, s.engine.max_question_chars
    )
    try:
        engine = await loop.run_in_executor(None, load)
    except KnowledgeInvalid as exc:
        lines = [str(error) for error in exc.errors]
        log.error(
            "reload: the knowledge in %s is invalid; still answering from the running version:"
            "\n  %s", directory, "\n  ".join(lines),
        )
        return "\n".join(
            [f"reload refused: {len(lines)} error(s) in {directory}; the running knowledge "
             "stays", *lines]
        )
    except (OSError, ValueError) as exc:
        log.error("reload: cannot read the knowledge in %s: %s", directory, exc)
        return f"reload refused: cannot read {directory}: {exc}; the running knowledge stays"
    try:
        await s.asker.reload_workers(engine)
    except RuntimeError as exc:
        log.error("reload: %s; still answering from the running version", exc)
        return f"reload refused: {exc}; the running knowledge stays"
    # From here to the end nothing awaits: no update sees half of the new knowledge.
    knowledge = engine.knowledge
    s.asker.take_over()
    s.engine = engine
    s.codec = KeyCodec([i.id for i in knowledge.intents] + [f.id for f in knowledge.facts])
    s.renderer = Renderer(engine, s.codec, s.settings.answer_max_chars)
    # A conversation's context names intents of the old knowledge: start them anew.
    s.conversations = Conversations(s.conversations.size, s.conversations.clock)
    application.bot_data["engine"] = engine
    summary = (
        f"reloaded {directory}: {len(knowledge.articles)} article(s), {len(knowledge.facts)} "
        f"facts, {len(knowledge.intents)} intents"
    )
    log.info("reload: %s", summary)
    return summary


def on_sighup(application: AnyApplication) -> None:
    """``kill -HUP``: reload, and tell the owners how it went."""

    async def run() -> None:
        outcome = await reload_knowledge(application)
        for owner in _services(application).settings.owner_ids:
            try:
                await application.bot.send_message(owner, _pre(outcome).text, parse_mode="HTML")
            except TelegramError as exc:
                log.warning("reload: could not tell owner %s: %s", owner, exc)

    application.create_task(run(), name="reload-on-sighup")


def watch_sighup(application: AnyApplication) -> None:
    """Reload on SIGHUP (where the platform has it)."""
    if not hasattr(signal, "SIGHUP"):  # pragma: no cover - Windows
        return
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, on_sighup, application)


async def register_owner_menu(application: AnyApplication, menu: list[tuple[str, str]]) -> None:
    """Owners see /stats and /reload in their own chat's menu; nobody else does."""
    commands = [BotCommand(c, d) for c, d in [*menu, *OWNER_COMMANDS]]
    for owner in _services(application).settings.owner_ids:
        try:
            await application.bot.set_my_commands(commands, scope=BotCommandScopeChat(owner))
        except TelegramError as exc:  # e.g. the owner has not started a chat with the bot
            log.warning("could not register the owner menu for %s: %s", owner, exc)

