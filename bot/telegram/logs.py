"""Logging for the bot: one format, secrets never written, one error handler.

The bot token is part of every Bot API URL, and both httpx (``HTTP Request: POST
https://api.telegram.org/bot<token>/...`` at INFO) and PTB (``Set Bot API URL`` at DEBUG) log
URLs. So httpx's request lines are silenced below DEBUG, and every handler of the root logger
gets a filter that replaces the token (and the webhook secret) wherever it would appear:
message, arguments, traceback and stack.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from telegram import Update
from telegram.error import Forbidden, NetworkError
from telegram.ext import ContextTypes

log = logging.getLogger("bot.telegram")

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose INFO lines are per-request noise (httpx's carry the token in the URL).
_CHATTY = ("httpx", "apscheduler")


class RedactSecrets(logging.Filter):
    """Rewrites a record so that none of ``secrets`` survives into any formatted output."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        found: set[str] = set()
        for secret in secrets:
            if secret:
                found.add(secret)
                # A token is "<bot id>:<key>"; the key alone is the secret part.
                _, colon, key = secret.partition(":")
                if colon and len(key) >= 8:
                    found.add(key)
        self.secrets = sorted(found, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = self.scrub(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def protect(secrets: Iterable[str | None], logger: logging.Logger | None = None) -> RedactSecrets:
    """Adds a redacting filter to every handler of ``logger`` (default: the root logger)."""
    redactor = RedactSecrets(secrets)
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactSecrets) and f.secrets == redactor.secrets
                   for f in handler.filters):
            handler.addFilter(redactor)
    return redactor


def setup_logging(
    level: str, secrets: Iterable[str | None] = (), stream: TextIO | None = None
) -> RedactSecrets:
    """Logs to ``stream`` (stderr) at ``level``, with ``secrets`` redacted on every handler.

    Returns the redacting filter (its ``scrub`` cleans text printed outside logging).
    """
    root = logging.getLogger()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in _CHATTY:
        logging.getLogger(name).setLevel(quiet)
    logging.getLogger("httpcore").setLevel(logging.INFO)  # its DEBUG is a byte-level trace
    return protect(secrets)


# Fields that carry what people wrote: kept out of logs below DEBUG, replaced by their length.
_WRITTEN = frozenset({"text", "caption", "query", "quote", "question", "explanation"})


def _hide_writing(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: f"<{len(item)} chars>" if key in _WRITTEN and isinstance(item, str)
            else _hide_writing(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_hide_writing(item) for item in value]
    return value


def describe_update(update: object, limit: int = 4000, *, full: bool | None = None) -> str:
    """The update as one line of JSON (cut to ``limit``), for the error log. What people
    wrote is shown only when ``full`` (default: when DEBUG is on); else its length stands in
    for it, so an operator's INFO log holds no one's messages."""
    if full is None:
        full = log.isEnabledFor(logging.DEBUG)
    if isinstance(update, Update):
        data = update.to_dict()
        text = json.dumps(data if full else _hide_writing(data), ensure_ascii=False,
                          sort_keys=True)
    else:
        text = repr(update)
    return text if len(text) <= limit else text[:limit] + "..."


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: logs the exception with the update, then apologises to the
    user if (and only if) their update was owed a reply. Network weather (Telegram down,
    slow, a connection reset - already retried where that was safe) is one line with its
    cause; anything else, a bug, gets its traceback."""
    from bot.telegram.plumbing import apologise

    error: Any = context.error
    where = "polling" if update is None else f"update {describe_update(update)}"
    if isinstance(error, Forbidden):
        log.warning("%s: %s (blocked or removed)", where, error)
    elif isinstance(error, NetworkError):
        log.error("%s: %s: %s", where, type(error).__name__, error)
    else:
        log.error("exception while handling %s", where, exc_info=error)
    await apologise(update, context)
