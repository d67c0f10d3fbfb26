"""`factbot run` as a real subprocess against the fake Bot API: polling and webhook, clean
stops on SIGTERM/SIGINT, and one-line failures for a missing token or bad settings."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from tests.fake_telegram import FakeTelegram
from tests.telegram.support import ALICE, KNOWLEDGE, answer_html

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "北京有多少所高校"


def clean_env(**extra: str) -> dict[str, str]:
    """The parent environment without any factbot settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FACTBOT_") and k != "TELEGRAM_BOT_TOKEN"}
    return {**env, "PYTHONIOENCODING": "utf-8", **extra}


def bot_env(fake: FakeTelegram, tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        TELEGRAM_BOT_TOKEN=fake.token,
        FACTBOT_API_BASE_URL=fake.base_url,
        FACTBOT_DATA_DIR=str(tmp_path / "data"),
        FACTBOT_LOG_LEVEL="DEBUG",
        **extra,
    )


def factbot(*args: str, env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout, check=False)


class Running:
    """A `factbot run` process whose stderr (the log) goes to a file, so it never blocks."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", *args],
            stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )

    def stop(self, sig: signal.Signals, timeout: float = 15) -> int:
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.user(ALICE, "Alice", "alice_cn")
        yield server


def commands_of(fake: FakeTelegram, scope: str) -> list[str]:
    calls = [c for c in fake.calls_of("setMyCommands") if c.params["scope"]["type"] == scope]
    assert calls and calls[-1].ok
    return [c["command"] for c in calls[-1].params["commands"]]


def test_run_polls_answers_and_stops_on_sigterm(
    fake: FakeTelegram, tmp_path: Path, engine: Engine
) -> None:
    run = Running([], bot_env(fake, tmp_path), tmp_path / "bot.log")
    try:
        fake.wait_for("setMyCommands", timeout=30, count=2)  # post_init: polling is next
        assert {"start", "help", "fact", "about"} <= set(commands_of(fake, "all_private_chats"))
        assert {"ask", "help", "fact", "about"} <= set(commands_of(fake, "all_group_chats"))
        fake.push_update(fake.message_update(ALICE, ALICE, QUESTION))
        call = fake.wait_for("sendMessage", timeout=15)
        assert call.ok and call.params["chat_id"] == ALICE
        assert call.params["text"] == answer_html(engine.ask(QUESTION))
        assert run.stop(signal.SIGTERM) == 0
    finally:
        run.kill()
    log = run.log()
    assert "Traceback" not in log
    assert fake.token not in log and fake.token.split(":")[1] not in log
    assert "[REDACTED]" in log  # DEBUG logging did try to write the token, and was stopped
    assert f"knowledge: {KNOWLEDGE} (the checkout's knowledge/)" in log
    assert (tmp_path / "data" / "factbot.sqlite3").is_file()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_webhook_checks_the_secret_and_stops_on_sigint(
    fake: FakeTelegram, tmp_path: Path, engine: Engine
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    args = ["--webhook", url, "--listen", "127.0.0.1", "--port", str(port), "--secret", "s3cr3t_X"]
    run = Running(args, bot_env(fake, tmp_path), tmp_path / "bot.log")
    try:
        registered = fake.wait_for("setWebhook", timeout=30)
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == "s3cr3t_X"
        deadline = time.monotonic() + 10
        while True:  # the server may take a moment to accept connections
            try:
                status = fake.post_webhook(None, fake.message_update(ALICE, ALICE, QUESTION),
                                           secret_token="wrong")
                break
            except urllib.error.URLError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert status == 403
        missing = fake.post_webhook(None, fake.message_update(ALICE, ALICE, QUESTION),
                                    secret_token="")
        assert missing == 403
        assert fake.post_webhook(None, fake.message_update(ALICE, ALICE, QUESTION)) == 200
        call = fake.wait_for("sendMessage", timeout=15)
        assert call.params["text"] == answer_html(engine.ask(QUESTION))
        time.sleep(0.2)  # a wrongly accepted update would have been answered by now
        assert len(fake.calls_of("sendMessage")) == 1
        assert run.stop(signal.SIGINT) == 0  # Ctrl-C
    finally:
        run.kill()
    log = run.log()
    assert "s3cr3t_X" not in log and fake.token not in log


def test_no_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = factbot("run", env=clean_env(FACTBOT_DATA_DIR=str(tmp_path)))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "@BotFather" in lines[0] and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_settings_exit_2_naming_the_setting(tmp_path: Path) -> None:
    env = clean_env(TELEGRAM_BOT_TOKEN="1:abcdefgh", FACTBOT_QUESTIONS_PER_MINUTE="lots")
    result = factbot("run", env=env)
    assert result.returncode == 2
    assert "FACTBOT_QUESTIONS_PER_MINUTE" in result.stderr and "Traceback" not in result.stderr

    config = tmp_path / "factbot.yaml"
    config.write_text("timezone: Mars/Olympus\n", encoding="utf-8")
    result = factbot("run", "--config", str(config), env=clean_env(TELEGRAM_BOT_TOKEN="1:abcdefgh"))
    assert result.returncode == 2
    assert "factbot.yaml:1" in result.stderr and "timezone" in result.stderr

    result = factbot("run", "--port", "8443", env=clean_env(TELEGRAM_BOT_TOKEN="1:abcdefgh"))
    assert result.returncode == 2
    assert "--webhook" in result.stderr


@pytest.mark.parametrize("reachable", [True, False], ids=["token rejected", "api unreachable"])
def test_start_failures_are_one_line_and_exit_1(
    fake: FakeTelegram, tmp_path: Path, reachable: bool
) -> None:
    base_url = fake.base_url if reachable else f"http://127.0.0.1:{free_port()}/bot"
    env = clean_env(TELEGRAM_BOT_TOKEN="999:rejected-token", FACTBOT_API_BASE_URL=base_url,
                    FACTBOT_DATA_DIR=str(tmp_path / "d"))
    result = factbot("run", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "rejected-token" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]  # after the INFO lines of the start
    expected = "rejected the bot token" if reachable else "cannot reach the Bot API"
    assert last.startswith("factbot run: ") and expected in last


def test_invalid_knowledge_exits_1_with_the_errors(tmp_path: Path) -> None:
    broken = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, broken, ignore=shutil.ignore_patterns("eval"))
    intents = broken / "intents.yaml"
    intents.write_text(intents.read_text(encoding="utf-8") + "\n- id: [broken\n", encoding="utf-8")
    env = clean_env(TELEGRAM_BOT_TOKEN="1:abcdefgh", FACTBOT_DATA_DIR=str(tmp_path / "d"))
    result = factbot("--knowledge", str(broken), "run", env=env)
    assert result.returncode == 1
    assert "knowledge is invalid" in result.stderr and "intents.yaml" in result.stderr
    assert "Traceback" not in result.stderr
