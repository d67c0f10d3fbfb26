"""Settings loading: precedence, validation messages an operator can act on, no leaked secrets."""

from __future__ import annotations

import dataclasses
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.config import (
    CONFIG_ENV,
    SETTING_DOCS,
    ConfigError,
    Settings,
    describe,
    load_settings,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "config.example.yaml"
KEYS = [f.name for f in dataclasses.fields(Settings)]
TOKEN = "123456:AAH-secret_token_value"
SECRET = "hook-secret_value"


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path | None = None, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={} if env is None else env)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- defaults and precedence ---------------------------------------------------------------


def test_defaults_without_file_or_env() -> None:
    s = load_settings(env={})
    assert s == Settings()
    assert s.token is None
    assert s.api_base_url == "https://api.telegram.org/bot"
    assert s.data_dir == Path("data")
    assert s.db_path == Path("data") / "factbot.sqlite3"
    assert s.timezone == "Asia/Shanghai"
    assert s.tz == ZoneInfo("Asia/Shanghai")
    assert s.default_post_time == "08:00"
    assert s.post_time == time(8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert s.owner_ids == ()
    assert (s.questions_per_minute, s.answer_max_chars, s.max_question_chars) == (10, 1500, 300)
    assert s.global_send_rate == 30.0
    assert (s.group_send_rate_per_minute, s.concurrent_updates) == (20, 16)
    assert s.log_level == "INFO"
    assert (s.webhook_url, s.webhook_listen, s.webhook_port, s.webhook_secret) == (
        None,
        "0.0.0.0",
        8443,
        None,
    )
    assert s.knowledge_dir is None


def test_file_overrides_defaults(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    path = write(
        tmp_path,
        f"""
token: {TOKEN}
api_base_url: http://127.0.0.1:8081/bot
data_dir: {tmp_path / "state"}
timezone: Europe/Berlin
default_post_time: 7:30   # unquoted: YAML 1.1 would read this as the number 450
owner_ids: [42, 7, 42]
questions_per_minute: 3
answer_max_chars: 200
max_question_chars: 2000
global_send_rate: 0.5
group_send_rate_per_minute: 1
concurrent_updates: 1
log_level: debug
webhook_url: https://bot.example.com/tg
webhook_listen: 127.0.0.1
webhook_port: 65535
webhook_secret: {SECRET}
knowledge_dir: {kb}
""",
    )
    s = load_settings(path, env={})
    assert s.token == TOKEN
    assert s.api_base_url == "http://127.0.0.1:8081/bot"
    assert s.db_path == tmp_path / "state" / "factbot.sqlite3"
    assert s.tz == ZoneInfo("Europe/Berlin")
    assert s.default_post_time == "07:30"
    assert s.post_time == time(7, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert s.owner_ids == (42, 7)
    assert (s.questions_per_minute, s.answer_max_chars, s.max_question_chars) == (3, 200, 2000)
    assert s.global_send_rate == 0.5
    assert (s.group_send_rate_per_minute, s.concurrent_updates) == (1, 1)
    assert s.log_level == "DEBUG"
    assert (s.webhook_url, s.webhook_listen, s.webhook_port) == (
        "https://bot.example.com/tg",
        "127.0.0.1",
        65535,
    )
    assert s.webhook_secret == SECRET
    assert s.knowledge_dir == kb


def test_env_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, "timezone: Europe/Berlin\nquestions_per_minute: 3\nlog_level: ERROR\n")
    env = {
        "FACTBOT_TIMEZONE": "UTC",
        "FACTBOT_QUESTIONS_PER_MINUTE": " 5 ",
        "FACTBOT_OWNER_IDS": "123, 456,789",
        "FACTBOT_GLOBAL_SEND_RATE": "12.5",
        "FACTBOT_DATA_DIR": str(tmp_path / "d"),
        "FACTBOT_API_BASE_URL": "http://localhost:9/bot",
        "FACTBOT_LOG_LEVEL": "",  # empty counts as unset: the file's value stays
    }
    s = load_settings(path, env=env)
    assert s.timezone == "UTC"
    assert s.questions_per_minute == 5
    assert s.owner_ids == (123, 456, 789)
    assert s.global_send_rate == 12.5
    assert s.data_dir == tmp_path / "d"
    assert s.api_base_url == "http://localhost:9/bot"
    assert s.log_level == "ERROR"


def test_every_key_has_an_env_var(tmp_path: Path) -> None:
    docs = {d.key: d.env for d in SETTING_DOCS}
    assert list(docs) == KEYS
    assert all(f"FACTBOT_{key.upper()}" in docs[key] for key in KEYS)
    s = load_settings(env={"FACTBOT_WEBHOOK_PORT": "80", "FACTBOT_KNOWLEDGE_DIR": str(tmp_path)})
    assert (s.webhook_port, s.knowledge_dir) == (80, tmp_path)


def test_token_precedence(tmp_path: Path) -> None:
    path = write(tmp_path, "token: from-file\n")
    assert load_settings(path, env={}).token == "from-file"
    assert load_settings(path, env={"FACTBOT_TOKEN": "factbot"}).token == "factbot"
    both = {"FACTBOT_TOKEN": "factbot", "TELEGRAM_BOT_TOKEN": "telegram"}
    assert load_settings(path, env=both).token == "telegram"
    assert load_settings(path, env={**both, "TELEGRAM_BOT_TOKEN": ""}).token == "factbot"
    assert load_settings(env={"TELEGRAM_BOT_TOKEN": " 1:abc\n"}).token == "1:abc"


def test_config_file_from_env(tmp_path: Path) -> None:
    by_env = write(tmp_path, "concurrent_updates: 2\n", "env.yaml")
    by_arg = write(tmp_path, "concurrent_updates: 3\n", "arg.yaml")
    assert load_settings(env={CONFIG_ENV: str(by_env)}).concurrent_updates == 2
    assert load_settings(by_arg, env={CONFIG_ENV: str(by_env)}).concurrent_updates == 3
    assert load_settings(env={CONFIG_ENV: ""}) == Settings()


def test_missing_named_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert error_of(missing) == f"{missing}: config file not found"
    assert error_of(env={CONFIG_ENV: str(missing)}) == (
        f"{missing}: config file not found (named by {CONFIG_ENV})"
    )


@pytest.mark.parametrize("text", ["", "# only comments\n", "---\n"])
def test_empty_file_means_defaults(tmp_path: Path, text: str) -> None:
    assert load_settings(write(tmp_path, text), env={}) == Settings()


# --- validation messages: key, source (file:line or env var) and expected form --------------

BAD = [
    # key, bad value as written in YAML, fragment of the expected form
    ("api_base_url", "ftp://example.com/bot", "is not an http(s) URL (expected e.g. https://"),
    ("timezone", "Asia/Shanhai", "is not a known IANA timezone (expected e.g. Asia/Shanghai)"),
    ("default_post_time", "'24:00'", "is not a 24-hour time HH:MM (expected e.g. 08:00)"),
    ("default_post_time", "8am", "is not a 24-hour time HH:MM"),
    ("owner_ids", "[1, alice]", "contains 'alice', which is not a Telegram user id"),
    ("owner_ids", "[0]", "contains 0, which is not a Telegram user id (expected whole numbers > 0"),
    ("owner_ids", "{a: 1}", "a mapping is not a list of Telegram user ids"),
    ("questions_per_minute", "ten", "'ten' is not a whole number >= 1"),
    ("questions_per_minute", "0", "0 is not a whole number >= 1"),
    ("questions_per_minute", "2.5", "2.5 is not a whole number >= 1"),
    ("questions_per_minute", "true", "true is not a whole number >= 1"),
    ("answer_max_chars", "4096", "4096 is not a whole number from 200 to 4000"),
    ("answer_max_chars", "199", "199 is not a whole number from 200 to 4000"),
    ("max_question_chars", "19", "19 is not a whole number from 20 to 2000"),
    ("global_send_rate", "0", "0 is not a number > 0 (expected e.g. 30"),
    ("global_send_rate", ".inf", "inf is not a number > 0"),
    ("global_send_rate", "fast", "'fast' is not a number > 0"),
    ("group_send_rate_per_minute", "-1", "-1 is not a whole number >= 1"),
    ("concurrent_updates", "[]", "a list is not a whole number >= 1"),
    ("log_level", "VERBOSE", "'VERBOSE' is not a log level (expected one of DEBUG, INFO,"),
    ("webhook_url", "bot.example.com", "is not an http(s) URL"),
    ("webhook_listen", "'0.0.0.0 x'", "is not an address to listen on (expected e.g. 0.0.0.0"),
    ("webhook_port", "70000", "70000 is not a port number from 1 to 65535"),
    ("webhook_port", "0", "0 is not a port number from 1 to 65535"),
    ("knowledge_dir", "does/not/exist", "'does/not/exist' is not an existing directory"),
    ("data_dir", "''", "'' is not a directory path"),
    ("data_dir", "~no_such_user_x/d", "names an unknown home directory (expected e.g. data"),
    ("timezone", "null", "no value given (expected a known IANA timezone, e.g. Asia/Shanghai)"),
    ("data_dir", "[a, b]", "a list is not a directory path"),
]


@pytest.mark.parametrize(("key", "value", "expected"), BAD)
def test_bad_file_value_names_file_line_key_and_form(
    tmp_path: Path, key: str, value: str, expected: str
) -> None:
    filler = "webhook_listen: 0.0.0.0" if key != "webhook_listen" else "log_level: INFO"
    path = write(tmp_path, f"# settings\n{filler}\n\n{key}: {value}\n")
    message = error_of(path)
    assert message.startswith(f"{path}:4: {key}: ")
    assert expected in message


ENV_BAD = [
    ("questions_per_minute", "ten", "'ten' is not a whole number >= 1"),
    ("timezone", "Mars/Base", "'Mars/Base' is not a known IANA timezone"),
    ("owner_ids", "123;456", "contains '123;456', which is not a Telegram user id"),
    ("global_send_rate", "nan", "'nan' is not a number > 0"),
    ("default_post_time", "12:60", "'12:60' is not a 24-hour time HH:MM"),
    ("log_level", "LOUD", "'LOUD' is not a log level"),
    ("webhook_port", "https", "'https' is not a port number from 1 to 65535"),
    ("api_base_url", "api.telegram.org", "is not an http(s) URL"),
]


@pytest.mark.parametrize(("key", "value", "expected"), ENV_BAD)
def test_bad_env_value_names_variable_and_form(key: str, value: str, expected: str) -> None:
    var = f"FACTBOT_{key.upper()}"
    message = error_of(env={var: value})
    assert message.startswith(f"{var}: ")
    assert expected in message


def test_example_message_forms(tmp_path: Path) -> None:
    path = write(tmp_path, "log_level: INFO\nowner_ids: []\n\ntimezone: 'Asia/Shanhai'\n")
    assert error_of(path) == (
        f"{path}:4: timezone: 'Asia/Shanhai' is not a known IANA timezone "
        "(expected e.g. Asia/Shanghai)"
    )
    assert error_of(env={"FACTBOT_QUESTIONS_PER_MINUTE": "ten"}).startswith(
        "FACTBOT_QUESTIONS_PER_MINUTE: 'ten' is not a whole number >= 1"
    )


def test_file_is_checked_even_when_env_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "webhook_port: nope\n")
    message = error_of(path, env={"FACTBOT_WEBHOOK_PORT": "80"})
    assert message.startswith(f"{path}:1: webhook_port: ")


def test_unknown_key_suggests_closest(tmp_path: Path) -> None:
    path = write(tmp_path, "log_level: INFO\ntimezon: UTC\n")
    message = error_of(path)
    assert message.startswith(f"{path}:2: unknown setting 'timezon' (did you mean 'timezone'?)")
    assert "known settings: token, api_base_url, " in message
    assert all(key in message for key in KEYS)
    assert "did you mean" not in error_of(write(tmp_path, "zzzzzzzz: 1\n"))


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("- timezone: UTC\n", 1, "expected a mapping of settings (key: value), got a list"),
        ("\n\njust words\n", 3, "got the single value 'just words'"),
        ("timezone: UTC\n  log_level: INFO\n", 2, "not valid YAML: mapping values are not"),
        ("timezone: [UTC\n", 2, "not valid YAML"),
        (
            "a: 1\n---\nb: 2\n",
            2,
            "not valid YAML: expected a single document in the stream, but found another",
        ),
        ("log_level: INFO\nlog_level: DEBUG\n", 2, "log_level: set twice (first on line 1)"),
        ("timezone: !!python/name:os.system UTC\n", 1, "not valid YAML"),
        ("timezone: UTC\nlog_level: \x07\n", 2, "not valid YAML: character #x0007 is not allowed"),
    ],
)
def test_bad_file_shape(tmp_path: Path, text: str, line: int, expected: str) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}:{line}: ")
    assert expected in message


def test_unreadable_file(tmp_path: Path) -> None:
    assert error_of(tmp_path).startswith(f"{tmp_path}: cannot read config file")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert error_of(binary) == f"{binary}: config file is not UTF-8 text"


def test_direct_construction_is_validated_and_normalised(tmp_path: Path) -> None:
    s = Settings(data_dir=str(tmp_path), owner_ids=[5, 5, 6], log_level="warning")  # type: ignore[arg-type]
    assert (s.data_dir, s.owner_ids, s.log_level) == (tmp_path, (5, 6), "WARNING")
    with pytest.raises(ConfigError, match=r"^Settings: webhook_port: 0 is not a port number"):
        Settings(webhook_port=0)


# --- secrets --------------------------------------------------------------------------------


def test_secrets_never_in_repr_str_or_redacted(tmp_path: Path) -> None:
    path = write(tmp_path, f"webhook_secret: {SECRET}\n")
    s = load_settings(path, env={"TELEGRAM_BOT_TOKEN": TOKEN})
    assert s.token == TOKEN
    for text in (repr(s), str(s), f"{s}", str(s.redacted())):
        assert TOKEN not in text
        assert SECRET not in text
        assert "secret_token_value" not in text
    assert s.redacted()["token"] == "***"
    assert s.redacted()["webhook_secret"] == "***"
    assert Settings().redacted()["token"] is None


@pytest.mark.parametrize(
    ("key", "value"),
    [("token", "123:abc def/secret"), ("webhook_secret", "not allowed! secret")],
)
def test_secrets_never_in_error_messages(tmp_path: Path, key: str, value: str) -> None:
    from_file = error_of(write(tmp_path, f"{key}: '{value}'\n"))
    var = "TELEGRAM_BOT_TOKEN" if key == "token" else f"FACTBOT_{key.upper()}"
    from_env = error_of(env={var: value})
    assert from_file.startswith(f"{tmp_path / 'config.yaml'}:1: {key}: the value ")
    assert from_env.startswith(f"{var}: the value ")
    for message in (from_file, from_env):
        assert "def/secret" not in message
        assert "allowed!" not in message
        assert "value not shown" in message


# --- example file and docs ------------------------------------------------------------------


def test_example_file_loads_as_the_defaults() -> None:
    assert load_settings(EXAMPLE, env={}) == Settings()


def test_example_file_lists_every_key_once_with_a_comment() -> None:
    keys = list(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    assert keys == KEYS
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), f"no comment above {line!r}"


def test_describe_documents_every_setting() -> None:
    text, markdown = describe(), describe(markdown=True)
    for doc in SETTING_DOCS:
        assert doc.key in text and doc.env in text and doc.meaning in text
        assert f"| `{doc.key}` | `{doc.default}` |" in markdown
    assert "TELEGRAM_BOT_TOKEN" in text
    assert "FACTBOT_CONFIG" in text
    defaults = {d.key: d.default for d in SETTING_DOCS}
    assert defaults["timezone"] == "Asia/Shanghai"
    assert defaults["owner_ids"] == "[]"
    assert defaults["answer_max_chars"] == "1500"


# --- robustness: junk input gives ConfigError, never another exception -----------------------


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(KEYS), value=st.text(max_size=40))
@example(key="data_dir", value="~\x00")  # once crashed os.path.expanduser
def test_any_env_value_is_accepted_or_a_config_error(key: str, value: str) -> None:
    try:
        load_settings(env={f"FACTBOT_{key.upper()}": value})
    except ConfigError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=80)
    | st.builds("{}: {}\n".format, st.sampled_from(KEYS), st.text(max_size=40))
)
def test_any_file_text_is_accepted_or_a_config_error(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("cfg") / "c.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_settings(path, env={})
    except ConfigError as exc:
        assert "\n" not in str(exc)
