"""Parsing and validation of setting values: each parser takes a YAML value, an env string or
an already-parsed value (so that ``Settings.__post_init__`` can re-run them idempotently) and
returns the normal form, or raises `_Invalid`."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """Bad configuration; the message is one line, fit to show the operator as is."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class _Invalid(Exception):
    """Raised by a parser; ``problem`` overrides the spec's generic complaint."""

    def __init__(self, problem: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid()
    value = value.strip()
    if not value:
        raise _Invalid()
    return value


def _whole(value: object) -> int:
    if isinstance(value, bool):
        raise _Invalid()
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value.strip())
    raise _Invalid()


def _int_in(lo: int, hi: int | None = None) -> Callable[[object], int]:
    def parse(value: object) -> int:
        number = _whole(value)
        if number < lo or (hi is not None and number > hi):
            raise _Invalid()
        return number

    return parse


def _positive_float(value: object) -> float:
    if isinstance(value, bool):
        raise _Invalid()
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Invalid() from None
    else:
        raise _Invalid()
    if not math.isfinite(number) or number <= 0:
        raise _Invalid()
    return number


def _http_url(value: object) -> str:
    url = _text(value)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _Invalid() from None
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", url):
        raise _Invalid()
    return url


def _token(value: object) -> str:
    # Appended to the API URL path, so separators and whitespace would silently break it.
    token = _text(value)
    if re.search(r"[\s/?#]", token):
        raise _Invalid("contains whitespace, '/', '?' or '#'")
    return token


def _directory(value: object) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise _Invalid()
    text = _text(os.fspath(value))
    if "\x00" in text:
        raise _Invalid("contains a NUL character")
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # ~someone for an unknown user
        raise _Invalid("names an unknown home directory") from None
    try:
        if path.exists() and not path.is_dir():
            raise _Invalid("exists but is not a directory")
    except (OSError, ValueError):
        raise _Invalid("is not a usable path") from None
    return path


def _existing_directory(value: object) -> Path:
    path = _directory(value)
    if not path.is_dir():
        raise _Invalid("is not an existing directory")
    return path


def _timezone(value: object) -> str:
    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        if not available_timezones():
            raise _Invalid(
                "cannot be checked: no IANA timezone database found (install the tzdata package)"
            ) from None
        raise _Invalid() from None
    return name


def _clock(value: object) -> str:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", _text(value))
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise _Invalid()
    return f"{int(match[1]):02d}:{match[2]}"


def _log_level(value: object) -> str:
    level = _text(value).upper()
    if level not in LOG_LEVELS:
        raise _Invalid()
    return level


def _listen(value: object) -> str:
    host = _text(value)
    if re.search(r"\s", host):
        raise _Invalid()
    return host


def _webhook_secret(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
        raise _Invalid()
    return value


def _user_ids(value: object) -> tuple[int, ...]:
    if isinstance(value, str):
        items: list[object] = [item for item in re.split(r"[,\s]+", value) if item]
    elif isinstance(value, list | tuple):
        items = list(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    else:
        raise _Invalid()
    ids: list[int] = []
    for item in items:
        try:
            user_id = _whole(item)
        except _Invalid:
            user_id = 0
        if user_id <= 0:
            raise _Invalid(f"contains {_show(item)}, which is not a Telegram user id")
        if user_id not in ids:
            ids.append(user_id)
    return tuple(ids)


def _show(value: object) -> str:
    """One-line, YAML-flavoured rendering of a bad value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    shown = repr(value if isinstance(value, str | int | float) else str(value))
    return shown if len(shown) <= 80 else shown[:76] + "...'"
