"""Settings: documented defaults < YAML config file < environment.

Every problem with user-supplied configuration becomes a one-line `ConfigError` that names
the setting, where the bad value came from (``file:line`` or the environment variable) and
the expected form, so an operator can fix it without reading a traceback.  Secrets (the bot
token and the webhook secret) are never echoed: not in errors, not in ``repr``.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "CONFIG_ENV",
    "ENV_PREFIX",
    "SETTING_DOCS",
    "TOKEN_ENV",
    "ConfigError",
    "SettingDoc",
    "Settings",
    "describe",
    "load_settings",
]

ENV_PREFIX = "FACTBOT_"
CONFIG_ENV = "FACTBOT_CONFIG"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_MASK = "***"


class ConfigError(Exception):
    """Bad configuration; the message is one line, fit to show the operator as is."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class _Invalid(Exception):
    """Raised by a parser; ``problem`` overrides the spec's generic complaint."""

    def __init__(self, problem: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem


# --- parsers: each takes a YAML value, an env string or an already-parsed value (so that
# --- Settings.__post_init__ can re-run them idempotently) and returns the normal form.


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
        "Days questions and votes (with user ids) are kept; the bot deletes older ones daily.",
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


@dataclass(frozen=True, repr=False)
class Settings:
    """Validated, immutable bot settings; build with `load_settings` or directly in tests."""

    token: str | None = dataclasses.field(default=None, repr=False)
    api_base_url: str = "https://api.telegram.org/bot"
    data_dir: Path = Path("data")
    timezone: str = "Asia/Shanghai"
    default_post_time: str = "08:00"
    owner_ids: tuple[int, ...] = ()
    questions_per_minute: int = 10
    answer_max_chars: int = 1500
    max_question_chars: int = 300
    global_send_rate: float = 30.0
    group_send_rate_per_minute: int = 20
    concurrent_updates: int = 16
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = dataclasses.field(default=None, repr=False)
    retention_days: int = 90
    knowledge_dir: Path | None = None

    def __post_init__(self) -> None:
        # Direct construction (tests, other modules) gets the same checks and normal forms.
        for key, spec in _SPECS.items():
            value = getattr(self, key)
            object.__setattr__(self, key, _parse(key, spec, value, _Source("Settings")))

    @property
    def db_path(self) -> Path:
        """The SQLite database file."""
        return self.data_dir / "factbot.sqlite3"

    @property
    def heartbeat_path(self) -> Path:
        """The file the running bot refreshes, for `factbot health`."""
        return self.data_dir / "heartbeat.json"

    @property
    def tz(self) -> ZoneInfo:
        """`timezone` as a tzinfo."""
        return ZoneInfo(self.timezone)

    @property
    def post_time(self) -> time:
        """`default_post_time` as an aware time, ready for a daily job."""
        hour, minute = map(int, self.default_post_time.split(":"))
        return time(hour, minute, tzinfo=self.tz)

    def redacted(self) -> dict[str, Any]:
        """All settings as a dict with secrets masked, for logging the effective config."""
        return {
            key: _MASK if _SPECS[key].secret and value is not None else value
            for key, value in ((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        }

    def __repr__(self) -> str:
        body = ", ".join(f"{key}={value!r}" for key, value in self.redacted().items())
        return f"Settings({body})"


if set(_SPECS) != {f.name for f in dataclasses.fields(Settings)}:  # pragma: no cover
    raise AssertionError("bot.config: _SPECS and Settings fields disagree")


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


# --- reading the file --------------------------------------------------------------------


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _describe_node(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode):
        return f"the single value {_show(node.value)}"
    return "something else"


def _read_file(path: Path) -> dict[str, tuple[object, _Source]]:
    """Read the YAML mapping, keeping each value's line for error messages."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: config file is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read config file ({exc.strerror or exc})") from None

    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # checks for unprintable characters right away
        root = loader.get_single_node()
        if root is None or root.tag == "tag:yaml.org,2002:null":  # empty, or just "---"
            return {}
        if not isinstance(root, MappingNode):
            raise ConfigError(
                f"{name}:{_line(root)}: expected a mapping of settings (key: value), "
                f"got {_describe_node(root)}"
            )
        found: dict[str, tuple[object, _Source]] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in root.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "<complex key>"
            where = f"{name}:{_line(key_node)}"
            if key not in _SPECS:
                close = difflib.get_close_matches(str(key), _SPECS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(
                    f"{where}: unknown setting {key!r}{hint}; known settings: {', '.join(_SPECS)}"
                )
            if key in first_line:
                raise ConfigError(f"{where}: {key}: set twice (first on line {first_line[key]})")
            first_line[key] = _line(key_node)
            value = loader.construct_object(value_node, deep=True)
            if _SPECS[key].text and value is not None and isinstance(value_node, ScalarNode):
                value = value_node.value
            found[key] = (value, _Source(f"{name}:{_line(value_node)}"))
        return found
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        why = ", ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError(f"{where}: not valid YAML: {why}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(
            f"{name}:{line}: not valid YAML: character #x{exc.character:04x} is not allowed"
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every other PyYAML error is marked
        raise ConfigError(f"{name}: not valid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


# --- reading the environment -------------------------------------------------------------


def _env_var(key: str) -> str:
    return ENV_PREFIX + key.upper()


def _read_env(env: Mapping[str, str]) -> dict[str, tuple[object, _Source]]:
    """Settings given in the environment; empty variables count as unset."""
    found: dict[str, tuple[object, _Source]] = {}
    for key in _SPECS:
        names = [TOKEN_ENV, _env_var(key)] if key == "token" else [_env_var(key)]
        for var in names:
            raw = env.get(var, "").strip()
            if raw:
                found[key] = (raw, _Source(var, env=True))
                break
    return found


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from defaults, then the YAML file (if any), then the environment.

    The file is `path`, else ``$FACTBOT_CONFIG``; a named file must exist, no file is fine.
    `env` defaults to ``os.environ``; tests pass a dict instead.
    """
    env = os.environ if env is None else env
    named_by = ""
    if path is None and env.get(CONFIG_ENV, "").strip():
        path, named_by = env[CONFIG_ENV].strip(), f" (named by {CONFIG_ENV})"
    values: dict[str, Any] = {}
    if path is not None:
        file_path = Path(path).expanduser()
        if not file_path.exists():
            raise ConfigError(f"{path}: config file not found{named_by}")
        for key, (value, source) in _read_file(file_path).items():
            values[key] = _parse(key, _SPECS[key], value, source)
    for key, (value, source) in _read_env(env).items():
        values[key] = _parse(key, _SPECS[key], value, source)
    return Settings(**values)


# --- documentation -----------------------------------------------------------------------


class SettingDoc(NamedTuple):
    """One documented setting, as shown in the README and `factbot` help."""

    key: str
    default: str
    env: str
    meaning: str


def _show_default(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, tuple):
        return "[]" if not value else ", ".join(map(str, value))
    return str(value)


SETTING_DOCS: tuple[SettingDoc, ...] = tuple(
    SettingDoc(
        key=f.name,
        default=_show_default(f.default),
        env=f"{TOKEN_ENV}, {_env_var(f.name)}" if f.name == "token" else _env_var(f.name),
        meaning=_SPECS[f.name].meaning,
    )
    for f in dataclasses.fields(Settings)
)

_PREAMBLE = (
    f"Precedence: defaults < YAML config file (path argument or {CONFIG_ENV}) < environment. "
    "Empty environment variables count as unset."
)


def _code_list(names: str) -> str:
    return ", ".join(f"`{name}`" for name in names.split(", "))


def describe(markdown: bool = False) -> str:
    """The settings table (key, default, env var, meaning) as plain text or Markdown."""
    header = SettingDoc("key", "default", "env var", "meaning")
    if markdown:
        rows = [
            "| Key | Default | Env var | Meaning |",
            "| --- | --- | --- | --- |",
            *(
                f"| `{d.key}` | `{d.default}` | {_code_list(d.env)} | {d.meaning} |"
                for d in SETTING_DOCS
            ),
        ]
        return "\n".join([_PREAMBLE, "", *rows])
    table = [header, *SETTING_DOCS]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    lines = [
        "  ".join([*(row[i].ljust(widths[i]) for i in range(3)), row.meaning]).rstrip()
        for row in table
    ]
    return "\n".join([_PREAMBLE, "", *lines])
