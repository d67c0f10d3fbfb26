"""Daily posts inside the bot: /subscribe, /unsubscribe, /subscription, membership changes
(``membership``), and the job that posts every minute what is due.

``install(application)`` is called by ``bot.telegram.app.build_application`` once engine,
storage and settings are in ``application.bot_data``. The handlers sit in group -1 and stop
the update there (``ApplicationHandlerStop``) once they have answered it, so the question
handlers in the default group never answer ``/subscribe`` as if it were a question.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import schedule
from bot.config import Settings
from bot.daily import membership
from bot.daily.broadcaster import Broadcaster, BroadcastReport
from bot.daily.membership import ADMIN_STATUSES, UNSUBSCRIBED
from bot.daily.plan import describe_next_zh, next_post
from bot.engine.engine import Engine
from bot.storage import Storage, Subscription

__all__ = ["COMMANDS", "DailyService", "install"]

log = logging.getLogger(__name__)

# For the command menu (setMyCommands) of group and private scopes.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("subscribe", "每天推送一条文章里的事实，可加时间：/subscribe 09:30"),
    ("unsubscribe", "停止每日事实"),
    ("subscription", "查看每日事实的订阅"),
)


ONLY_ADMINS_SUBSCRIBE = "只有群管理员可以订阅。"
ONLY_ADMINS_UNSUBSCRIBE = "只有群管理员可以退订。"
CANNOT_CHECK_ADMIN = "暂时无法确认你是不是群管理员，请稍后再试。"
SOMETHING_WENT_WRONG = "出了点问题，这次没能办成，请稍后再试。"
HOW_TO_CHANGE = "改时间：/subscribe HH:MM　退订：/unsubscribe"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DailyService:
    """The daily-post side of one Application: its handlers, its job and its broadcaster.

    ``clock`` is read on every use, so tests can move time (``service.clock = ...``) without
    sleeping until 08:00.
    """

    def __init__(
        self,
        application: Application,
        *,
        clock: Callable[[], datetime] = _utc_now,
        broadcaster_options: dict[str, Any] | None = None,
    ) -> None:
        self.application = application
        self.clock = clock
        # Keyword arguments for Broadcaster, read when it is first needed (tests shorten waits).
        self.broadcaster_options: dict[str, Any] = dict(broadcaster_options or {})
        self._broadcaster: Broadcaster | None = None
        # Set once the startup run (recovery and same-day catch-up) has finished.
        self.started = asyncio.Event()

    # --- what build_application put into bot_data (read lazily: it may be filled late) --------

    def _shared(self, name: str) -> Any:
        try:
            return self.application.bot_data[name]
        except KeyError:
            raise LookupError(
                f"application.bot_data has no {name!r}: build_application puts it there"
            ) from None

    @property
    def storage(self) -> Storage:
        return self._shared("storage")

    @property
    def settings(self) -> Settings:
        return self._shared("settings")

    @property
    def engine(self) -> Engine:
        return self._shared("engine")

    @property
    def broadcaster(self) -> Broadcaster:
        if self._broadcaster is None:
            self._broadcaster = Broadcaster(
                self.application.bot,
                self.storage,
                self.settings,
                clock=lambda: self.clock(),
                **self.broadcaster_options,
            )
        return self._broadcaster

    # --- posting -------------------------------------------------------------------------------

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The job: post what is due (the first run, at startup, catches up on today)."""
        if self.broadcaster.busy:  # a long broadcast is still going; it is not due twice
            return
        await self.broadcaster.run_due(
            self.engine, should_stop=lambda: not self.application.running
        )

    async def startup(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The job's run at startup: recover interrupted posts, catch up on today."""
        try:
            await self.tick(context)
        finally:
            self.started.set()

    async def run_due(self) -> BroadcastReport:
        """Post what is due now, waiting for a running broadcast first (tests, tools)."""
        return await self.broadcaster.run_due(self.engine)

    # --- commands ------------------------------------------------------------------------------

    async def on_subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._command(update, context, self._subscribe)

    async def on_unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._command(update, context, self._unsubscribe)

    async def on_subscription(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._command(update, context, self._show)

    async def _command(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        action: Callable[[Update, ContextTypes.DEFAULT_TYPE, Message, Chat], Any],
    ) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or message.is_automatic_forward:
            # A linked channel's post copied into its discussion group is not a command to us.
            raise ApplicationHandlerStop
        try:
            await action(update, context, message, chat)
        except TelegramError as exc:
            # The reply could not be sent; what was done stays done (doing it again is
            # harmless), and a second message would say it failed when it did not.
            await context.application.process_error(update, exc)
        except Exception as exc:  # answered here; the error handler logs it, once
            with contextlib.suppress(TelegramError):  # the error handler hears of it below
                await _reply(message, SOMETHING_WENT_WRONG)
            await context.application.process_error(update, exc)
        raise ApplicationHandlerStop

    async def _admin_or_refuse(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        chat: Chat,
        message: Message,
        refusal: str,
    ) -> bool:
        """True for an admin; anyone else (or a failed check) gets told why, once."""
        allowed = await self._is_admin(update, context, chat, message)
        if allowed is None:
            await _reply(message, CANNOT_CHECK_ADMIN)
        elif not allowed:
            await _reply(message, refusal)
        return bool(allowed)

    async def _subscribe(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, chat: Chat
    ) -> None:
        if not await self._admin_or_refuse(update, context, chat, message, ONLY_ADMINS_SUBSCRIBE):
            return
        argument = _argument(message)
        try:
            post_time = schedule.parse_post_time(argument or self.settings.default_post_time)
        except schedule.InvalidPostTime as exc:
            await _reply(message, exc.user_message)
            return
        sub = await self.storage.aio.subscribe(
            chat.id,
            chat_type=chat.type,
            title=_title(chat),
            post_time=schedule.format_post_time(post_time),
        )
        log.info("daily: chat %s subscribed at %s", chat.id, sub.post_time)
        await _reply(
            message,
            f"已订阅：每天 {sub.post_time}（{self.settings.timezone}）发送一条文章里的事实。"
            f"下一条：{await self._next_text(sub)}。\n{HOW_TO_CHANGE}",
        )

    async def _unsubscribe(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, chat: Chat
    ) -> None:
        if not await self._admin_or_refuse(update, context, chat, message, ONLY_ADMINS_UNSUBSCRIBE):
            return
        if await self.storage.aio.unsubscribe(chat.id):
            log.info("daily: chat %s unsubscribed", chat.id)
            await _reply(message, "已退订：不再发送每日事实。想恢复时发送 /subscribe。")
        else:
            await _reply(message, "这个聊天没有订阅每日事实。发送 /subscribe 即可订阅。")

    async def _show(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, chat: Chat
    ) -> None:
        sub = await self.storage.aio.get_subscription(chat.id)
        who = "" if chat.type in (ChatType.PRIVATE, ChatType.CHANNEL) else "管理员"
        if sub is None:
            text = (
                f"这个聊天还没有订阅每日事实。{who}发送 /subscribe 即可订阅"
                f"（默认每天 {self.settings.default_post_time}，"
                "也可以指定时间，例如 /subscribe 09:30）。"
            )
        elif not sub.active and sub.deactivated_reason == UNSUBSCRIBED:
            text = (
                f"每日事实已退订（原为每天 {sub.post_time}）。{who}发送 /subscribe 即可重新订阅。"
            )
        elif not sub.active:
            text = (
                f"每日事实已暂停（原为每天 {sub.post_time}），因为机器人曾被移出或无法在这里发言。"
                f"{who}发送 /subscribe 即可恢复。"
            )
        else:
            text = (
                f"每日事实：每天 {sub.post_time}（{self.settings.timezone}）。"
                f"下一条：{await self._next_text(sub)}。\n{HOW_TO_CHANGE}"
            )
        await _reply(message, text)

    async def _next_text(self, sub: Subscription) -> str:
        now, tz = self.clock(), self.settings.tz
        today_post = await self.storage.aio.post_on(sub.chat_id, schedule.local_date(now, tz))
        return describe_next_zh(next_post(sub, tz, now, today_post), tz, now)

    async def _is_admin(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, chat: Chat, message: Message
    ) -> bool | None:
        """May the sender manage this chat's subscription? None: could not find out."""
        if chat.type == ChatType.PRIVATE:
            return True
        if chat.type == ChatType.CHANNEL:  # only a channel's admins can post in it
            return True
        if message.sender_chat is not None:
            # Posting as the group itself is what anonymous admins do; posting as some other
            # channel hides who the person is.
            return message.sender_chat.id == chat.id
        user = update.effective_user
        if user is None:
            return False
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.warning("daily: getChatMember(%s, %s) failed: %s", chat.id, user.id, exc)
            return None
        return member.status in ADMIN_STATUSES


def _argument(message: Message) -> str:
    """What follows the command (``/subscribe@bot 09:30`` -> ``09:30``), stripped."""
    text = message.text or ""
    entity = next((e for e in message.entities if e.type == "bot_command" and e.offset == 0), None)
    if entity is None:  # cannot happen for a CommandHandler match; be safe anyway
        return " ".join(text.split()[1:])
    return text[entity.length :].strip()


def _title(chat: Chat) -> str | None:
    return chat.title or chat.full_name or chat.username


async def _reply(message: Message, text: str) -> None:
    await message.reply_text(text)


def install(
    application: Application,
    *,
    clock: Callable[[], datetime] | None = None,
    check_interval: float = 60.0,
    **broadcaster_options: Any,
) -> DailyService:
    """Adds the daily-post handlers (group -1) and the every-minute job to ``application``.

    Expects ``engine``, ``storage`` and ``settings`` in ``application.bot_data`` by the time
    updates arrive. ``broadcaster_options`` go to ``Broadcaster`` (e.g. ``backoff``).
    """
    if application.job_queue is None:
        raise RuntimeError(
            "daily posts need PTB's job queue: install python-telegram-bot[job-queue]"
        )
    service = DailyService(
        application, clock=clock or _utc_now, broadcaster_options=broadcaster_options
    )
    application.bot_data["daily"] = service
    # New messages and channel posts only: an edit of an old command, or a command forwarded
    # from elsewhere, is not somebody asking now (and must not change a subscription).
    commands = (
        (filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST)
        & ~filters.FORWARDED
        & ~filters.IS_AUTOMATIC_FORWARD
    )
    for name, callback in (
        ("subscribe", service.on_subscribe),
        ("unsubscribe", service.on_unsubscribe),
        ("subscription", service.on_subscription),
    ):
        application.add_handler(CommandHandler(name, callback, filters=commands), group=-1)
    application.add_handler(
        ChatMemberHandler(membership.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=-1
    )
    application.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE, membership.on_migrate), group=-1
    )
    # At startup (catch-up, same day only). A one-off job, not first=0 on the repeating one:
    # APScheduler would compute that first run from the moment install() ran, find it past
    # once the application starts, and wait a whole interval. No misfire limit: however late
    # the application starts, this run must happen.
    application.job_queue.run_once(
        service.startup, when=0, name="daily-posts-startup", job_kwargs={"misfire_grace_time": None}
    )
    application.job_queue.run_repeating(
        service.tick,
        interval=check_interval,
        first=check_interval,
        name="daily-posts",
        # A broadcast to many chats can outlast a minute; the overlapping tick returns at once
        # instead of APScheduler warning that it skipped it.
        job_kwargs={"max_instances": 2, "coalesce": True},
    )
    return service
