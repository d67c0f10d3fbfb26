"""A broadcast killed with SIGKILL half-way, then restarted: nothing doubled, nothing lost.

The broadcast runs in a real subprocess (`factbot post --now`) against the fake Bot API, which
answers every call only after some latency, so plenty of sends are in flight when the process
is killed. The restart is the same command again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bot.storage import Storage
from tests.conftest import ROOT
from tests.fake_telegram import FakeTelegram

CHATS = 200


def start_cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_broadcast_then_restart(tmp_path: Path) -> None:
    with FakeTelegram(latency=0.25) as fake:
        data = tmp_path / "data"
        chats = [-1002000000000 - n for n in range(CHATS)]
        with Storage(data / "factbot.sqlite3") as storage:
            for chat in chats:
                fake.add_chat(chat, "supergroup", title=f"群 {chat}")
                storage.subscribe(chat, chat_type="supergroup", title=None, post_time="08:00")
        env = {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "FACTBOT_CONFIG": "",
            "FACTBOT_API_BASE_URL": fake.base_url,
            "FACTBOT_DATA_DIR": str(data),
            "FACTBOT_GLOBAL_SEND_RATE": "150",
        }

        first = start_cli(env, "post", "--now")
        try:
            fake.wait_for(lambda c: c.method == "sendMessage" and c.ok, timeout=60, count=50)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        killed_at = time.time()

        with Storage(data / "factbot.sqlite3") as storage:
            at_kill = {p.chat_id: p.status for p in storage.posts()}
        in_flight = {chat for chat, status in at_kill.items() if status == "pending"}
        assert set(at_kill.values()) <= {"sent", "pending"}
        assert 0 < len(in_flight) <= 32  # at most the broadcaster's in-flight bound
        assert len(at_kill) < CHATS  # killed half-way indeed

        # Requests that reached the fake before the kill still complete there (Telegram does
        # not know the client died): wait until they are all recorded.
        deadline = time.time() + 5
        while time.time() < deadline:
            settled = len(fake.calls_of("sendMessage"))
            time.sleep(0.5)
            if len(fake.calls_of("sendMessage")) == settled:
                break

        restart = start_cli(env, "post", "--now")
        out, err = restart.communicate(timeout=120)
        assert restart.returncode == 0, err

    per_chat = Counter(m["chat"]["id"] for m in fake.sent_messages())
    assert max(per_chat.values()) == 1  # no chat got two posts
    not_attempted = set(chats) - set(at_kill)
    assert all(per_chat[chat] == 1 for chat in not_attempted)  # all of them got their post
    after_restart = {
        c.params["chat_id"] for c in fake.calls_of("sendMessage") if c.time > killed_at
    }
    assert not after_restart & set(at_kill)  # nothing attempted before the kill was resent

    with Storage(data / "factbot.sqlite3") as storage:
        final = {p.chat_id: p for p in storage.posts()}
    assert set(final) == set(chats)
    uncertain = {chat for chat, post in final.items() if post.status == "uncertain"}
    assert uncertain == in_flight  # the sends in flight at the kill, and only those
    assert all(final[c].status == "sent" for c in set(chats) - in_flight)
    assert all(
        final[c].error == "interrupted: the process ended before the send was confirmed"
        for c in uncertain
    )
    for chat in uncertain:  # reported, one line each
        assert f"chat {chat}: the post of " in err
    assert err.count("was interrupted by a crash") == len(uncertain)
    assert out.startswith("daily posts for ")
