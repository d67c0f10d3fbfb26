"""`factbot health`, `factbot stats` and `factbot forget` as real subprocesses on real files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.engine.engine import Engine
from bot.ops.health import STALE_AFTER_SECONDS, write_heartbeat
from bot.storage import Storage
from tests.conftest import run_cli


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "FACTBOT_CONFIG": "",
        "FACTBOT_DATA_DIR": str(tmp_path / "data"),
        "FACTBOT_TIMEZONE": "Asia/Shanghai",
    }


def data(env: dict[str, str]) -> Path:
    return Path(env["FACTBOT_DATA_DIR"])


def test_health_fails_without_a_running_bot_and_passes_with_one(env: dict[str, str]) -> None:
    done = run_cli("health", env=env)
    assert done.returncode == 1
    assert done.stderr == (
        f"unhealthy: no heartbeat at {data(env) / 'heartbeat.json'}: the bot is not running "
        "(or still starting)\n"
    )
    Storage(data(env) / "factbot.sqlite3").close()
    started = datetime.now(UTC)
    write_heartbeat(data(env) / "heartbeat.json", started=started)
    done = run_cli("health", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("healthy: heartbeat ")
    assert done.stdout.endswith(", database OK (schema 4)\n")

    stale = started - timedelta(seconds=STALE_AFTER_SECONDS + 30)
    write_heartbeat(data(env) / "heartbeat.json", started=stale, now=stale)
    done = run_cli("health", env=env)
    assert done.returncode == 1
    assert "the bot is stuck or gone" in done.stderr and done.stderr.count("\n") == 1

    write_heartbeat(data(env) / "heartbeat.json", started=started, state="stopped")
    assert "stopped at" in run_cli("health", env=env).stderr


def test_health_fails_on_a_corrupt_database(env: dict[str, str]) -> None:
    data(env).mkdir()
    (data(env) / "factbot.sqlite3").write_bytes(b"this is not sqlite" * 100)
    write_heartbeat(data(env) / "heartbeat.json", started=datetime.now(UTC))
    done = run_cli("health", env=env)
    assert done.returncode == 1
    assert "is not a usable SQLite database" in done.stderr
    assert done.stderr.count("\n") == 1


def test_stats_reads_without_creating_a_database(env: dict[str, str]) -> None:
    done = run_cli("stats", env=env)
    assert done.returncode == 0
    assert done.stdout.startswith("no database at ")
    assert not data(env).exists()


def test_stats_shows_the_days_and_totals(env: dict[str, str], engine: Engine) -> None:
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai"))
    intent = engine.knowledge.intents[0]
    with Storage(data(env) / "factbot.sqlite3") as db:
        for kind, key in [("answer", intent.id), ("answer", intent.id), ("fallback", None)]:
            db.count_question(day=today.date(), kind=kind, intent=key)
        db.record_vote(chat_id=1, message_id=1, user_id=1, question="q", fact_id="f", vote=-1)
    done = run_cli("stats", "--days", "2", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    first = (today.date() - timedelta(days=1)).isoformat()
    assert lines[0] == (
        f"factbot stats: the last 2 day(s), {first} to {today.date()} (Asia/Shanghai)"
    )
    assert lines[1] == "questions: 2 answered, 1 declined, 0 clarified, 0 small talk"
    assert lines[2] == (
        f"  {today.date()}  answered    2  declined    1  clarified    0  small talk    0"
    )
    assert lines[3:5] == ["most asked:", f"     2  {intent.examples[0]} ({intent.id})"]
    assert lines[5:] == [
        "votes: 0 up, 1 down",
        "subscriptions: 0 active, 0 inactive",
        "daily posts: 0 sent, 0 failed, 0 uncertain, 0 skipped",
    ]
    assert run_cli("stats", "--days", "0", env=env).returncode == 2


def test_forget_deletes_one_users_data(env: dict[str, str]) -> None:
    assert run_cli("forget", "42", env=env).stdout == (
        f"nothing stored about user 42 (no database at {data(env) / 'factbot.sqlite3'})\n"
    )
    with Storage(data(env) / "factbot.sqlite3") as db:
        db.record_vote(chat_id=-5, message_id=1, user_id=42, question="q", fact_id="f", vote=1)
        db.record_vote(chat_id=-5, message_id=1, user_id=43, question="q", fact_id="f", vote=1)
        db.subscribe(42, chat_type="private", title=None, post_time="08:00")
    done = run_cli("forget", "42", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "forgot user 42: deleted 1 vote(s), 0 unanswered question(s), their private chat's "
        "subscription with "
        "0 post log row(s)\n"
    )
    with Storage(data(env) / "factbot.sqlite3") as db:
        assert [v.user_id for v in db.votes()] == [43]
        assert db.subscriptions() == []
    assert run_cli("forget", "42", env=env).stdout == "nothing stored about user 42\n"
    assert run_cli("forget", "-3", env=env).returncode == 2
