"""Every operator command meets an unusable data folder with one line and exit status 2:
a read-only folder, a file where the folder should be, a corrupt database. Real
subprocesses on real files; a listing never creates a database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.conftest import ROOT, run_cli
from tests.fake_telegram import FakeTelegram

CHANNEL = -1001234567890
COMMANDS = [
    ("subscribe", str(CHANNEL)),
    ("unsubscribe", str(CHANNEL)),
    ("subscriptions",),
    ("post", "--now"),
]


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.add_chat(CHANNEL, "channel", title="每日科技", username="dailyfacts")
        yield server


def env_for(fake: FakeTelegram, data: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "FACTBOT_TOKEN": "",
        "FACTBOT_CONFIG": "",
        "FACTBOT_API_BASE_URL": fake.base_url,
        "FACTBOT_DATA_DIR": str(data),
    }


def assert_one_line_exit_2(done: subprocess.CompletedProcess, command: str, *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"factbot {command}: ") and done.stderr.count("\n") == 1
    for word in words:
        assert word in done.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_corrupt_database(fake: FakeTelegram, tmp_path: Path, args: tuple[str, ...]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "factbot.sqlite3").write_bytes(b"not a database at all " * 200)
    done = run_cli(*args, env=env_for(fake, data))
    assert_one_line_exit_2(done, args[0], "is not a usable SQLite database", "backup")


@pytest.mark.parametrize("args", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_folder_where_the_database_should_be(
    fake: FakeTelegram, tmp_path: Path, args: tuple[str, ...]
) -> None:
    data = tmp_path / "data"
    (data / "factbot.sqlite3").mkdir(parents=True)
    done = run_cli(*args, env=env_for(fake, data))
    assert_one_line_exit_2(done, args[0], "is a folder, not a database file")


def test_a_file_where_the_data_folder_should_be(fake: FakeTelegram, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("oops")
    for args in COMMANDS:
        done = run_cli(*args, env=env_for(fake, data))
        assert_one_line_exit_2(done, args[0], "not a directory")


def test_listing_creates_no_database(fake: FakeTelegram, tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run_cli("subscriptions", env=env_for(fake, data))
    assert done.returncode == 0
    assert done.stdout.startswith("no subscriptions yet")
    assert not data.exists()
    done = run_cli("unsubscribe", str(CHANNEL), env=env_for(fake, data))
    assert done.returncode == 1 and "has no subscription" in done.stderr
    assert not data.exists()


def _read_only_runner(folder: Path) -> list[str] | None:
    """A command prefix that runs a program with ``folder`` read-only, or None. Root ignores
    file modes, so as root the folder is bind-mounted read-only in a private mount namespace
    (the mount goes away with the process)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && shift && exec "$@"'
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", script, str(folder), "x", "true"],
        capture_output=True, check=False,
    )
    if probe.returncode != 0:
        return None
    return [unshare, "-m", "sh", "-c", script, str(folder), "x"]


def test_a_read_only_data_folder(fake: FakeTelegram, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Storage(data / "factbot.sqlite3") as db:
        db.subscribe(CHANNEL, chat_type="channel", title="每日科技", post_time="08:00")
    for leftover in data.glob("factbot.sqlite3-*"):  # closed cleanly: no -wal, no -shm
        leftover.unlink()
    prefix = _read_only_runner(data)
    if prefix is None:
        pytest.skip("cannot make a folder read-only here")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **env_for(fake, data)}
    try:
        for args in [("subscribe", "@dailyfacts"), ("unsubscribe", str(CHANNEL)),
                     ("post", "--now")]:
            done = subprocess.run(
                [*prefix, sys.executable, "-m", "bot", *args],
                capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
            )
            assert_one_line_exit_2(done, args[0], "read-only")
        listing = subprocess.run(
            [*prefix, sys.executable, "-m", "bot", "subscriptions"],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
        )
        assert listing.returncode == 0, listing.stderr  # reading needs no write access
        assert listing.stdout.startswith(f"{CHANNEL}  每日科技  08:00  active  next: ")
    finally:
        data.chmod(0o755)
    with Storage(data / "factbot.sqlite3") as db:  # nothing a user gave was lost
        assert [s.chat_id for s in db.subscriptions(active_only=True)] == [CHANNEL]
