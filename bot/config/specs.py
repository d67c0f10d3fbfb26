"""The settings table: how each setting is parsed, complained about and documented, and the
one place a raw value becomes a setting or a one-line `ConfigError` naming where it came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.config.values import (
    ConfigError,
    _clock,
    _directory,
    _existing_directory,
    _http_url,
    _int_in,
    _Invalid,
    _listen,
    _log_level,
    _positive_float,
    _show,
    _timezone,
    _token,
    _user_ids,
    _webhook_secret,
)


@dataclass(frozen=True)
class _Spec:
    """How one setting is parsed, complained about and documented."""

    parse: Callable[[Any], Any]
    what: str  # completes "<value> is not ..."
    hint: str  # completes "(expected ...)"
    meaning: str
    optional: bool = False  # None is a valid value
    secret: bool = False  # never echo the value
    text: bool = False  # take a YAML scalar's source text verbatim (8:00 is not 480)


_SPECS: dict[str, _Spec] = {
    "token": _Spec(
        _token,
        "a bot token",
        "the token from @BotFather, e.g. 123456:ABC-DEF...; value not shown",
        "Bot API token from @BotFather; prefer the environment over the file.",
        optional=True,
        secret=True,
        text=True,
    ),
    "api_base_url": _Spec(
        _http_url,
        "an http(s) URL",
        "e.g. https://api.telegram.org/bot",
        "Bot API base URL; the token is appended to it (point it at a fake API in tests).",
        text=True,
    ),
    "data_dir": _Spec(
        _directory,
        "a directory path",
        "e.g. data or /var/lib/factbot",
        "Directory holding factbot.sqlite3; relative paths are relative to the working dir.",
        text=True,
    ),
    "timezone": _Spec(
        _timezone,
        "a known IANA timezone",
        "e.g. Asia/Shanghai",
        "Timezone for the daily post time and dates shown to users.",
        text=True,
    ),
    "default_post_time": _Spec(
        _clock,
        "a 24-hour time HH:MM",
        "e.g. 08:00",
        "Daily fact time for chats that did not choose one, in `timezone`.",
        text=True,
    ),
    "owner_ids": _Spec(
        _user_ids,
        "a list of Telegram user ids",
        "whole numbers > 0, e.g. [123, 456] in the file, 123,456 in the environment",
        "Telegram user ids allowed to use /stats and /reload in a private chat with the bot.",
    ),
    "questions_per_minute": _Spec(
        _int_in(1),
        "a whole number >= 1",
        "e.g. 10",
        "Questions one user may ask per minute before being asked to slow down.",
    ),
    "answer_max_chars": _Spec(
        _int_in(200, 4000),
        "a whole number from 200 to 4000",
        "e.g. 1500; Telegram caps messages at 4096",
        "Longest reply text in characters.",
    ),
    "max_question_chars": _Spec(
        _int_in(20, 2000),
        "a whole number from 20 to 2000",
        "e.g. 300",
        "Questions are cut to this many characters before matching.",
    ),
    "global_send_rate": _Spec(
        _positive_float,
        "a number > 0",
        "e.g. 30 or 0.5",
        "Messages per second the bot sends overall (Telegram allows about 30).",
    ),
    "group_send_rate_per_minute": _Spec(
        _int_in(1),
        "a whole number >= 1",
        "e.g. 20",
        "Messages per minute the bot sends to one group (Telegram allows about 20).",
    ),
    "concurrent_updates": _Spec(
        _int_in(1),
        "a whole number >= 1",
        "e.g. 16",
        "Updates handled at the same time.",
    ),
    "log_level": _Spec(
        _log_level,
        "a log level",
        "one of DEBUG, INFO, WARNING, ERROR",
        "Logging verbosity.",
        text=True,
    ),
    "webhook_url": _Spec(
        _http_url,
        "an http(s) URL",
        "e.g. https://bot.example.com/telegram",
        "Public URL Telegram posts updates to; unset means long polling.",
        optional=True,
        text=True,
    ),
    "webhook_listen": _Spec(
        _listen,
        "an address to listen on",
        "e.g. 0.0.0.0 or 127.0.0.1",
        "Local address the webhook server binds to.",
        text=True,
    ),
    "webhook_port": _Spec(
        _int_in(1, 65535),
        "a port number from 1 to 65535",
        "e.g. 8443",
        "Local port the webhook server listens on.",
    ),
    "webhook_secret": _Spec(
        _webhook_secret,
        "1-256 characters of A-Z a-z 0-9 _ -",
        "e.g. the output of `openssl rand -hex 32`; value not shown",
        "Secret Telegram sends with each webhook request; unset means none.",
        optional=True,
        secret=True,
        text=True,
    ),
    "retention_days": _Spec(
        _int_in(1, 3650),
        "a whole number of days from 1 to 3650",
        "e.g. 90",
        "Days questions, votes (with user ids) and daily post log rows are kept; the bot deletes "
        "older ones daily.",
    ),
    "knowledge_dir": _Spec(
        _existing_directory,
        "a directory path",
        "e.g. ./knowledge",
        "Knowledge to answer from; unset means the checkout's knowledge/ when run in one, "
        "else the copy shipped with the package.",
        optional=True,
        text=True,
    ),
}


@dataclass(frozen=True)
class _Source:
    """Where a value came from: ``file:line``, an env var name, or ``Settings``."""

    label: str
    env: bool = False

    def error(self, key: str, problem: str) -> ConfigError:
        # An env var name already names the key; a file line or Settings(...) does not.
        return ConfigError(
            f"{self.label}: {problem}" if self.env else f"{self.label}: {key}: {problem}"
        )


def _parse(key: str, spec: _Spec, value: object, source: _Source) -> Any:
    if value is None:
        if spec.optional:
            return None
        raise source.error(key, f"no value given (expected {spec.what}, {spec.hint})")
    try:
        return spec.parse(value)
    except _Invalid as exc:
        shown = "the value" if spec.secret else _show(value)
        if exc.problem:
            problem = f"{shown} {exc.problem} (expected {spec.hint})"
        else:
            problem = f"{shown} is not {spec.what} (expected {spec.hint})"
        raise source.error(key, problem) from None
