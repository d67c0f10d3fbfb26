"""`factbot subscribe / unsubscribe / subscriptions / post` as real subprocesses.

The fake Bot API runs in this process; the CLI reaches it through FACTBOT_API_BASE_URL, reads
the token from TELEGRAM_BOT_TOKEN and keeps its SQLite file under FACTBOT_DATA_DIR, exactly as
an operator's shell would set it up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.conftest import run_cli
from tests.fake_telegram import FakeTelegram

CHANNEL = -1001234567890
GROUP = -1001000000555


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.add_chat(CHANNEL, "channel", title="每日科技", username="dailyfacts")
        server.add_chat(GROUP, "supergroup", title="读书会")
        yield server


@pytest.fixture
def env(tmp_path: Path, fake: FakeTelegram) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "FACTBOT_TOKEN": "",
        "FACTBOT_CONFIG": "",
        "FACTBOT_API_BASE_URL": fake.base_url,
        "FACTBOT_DATA_DIR": str(tmp_path / "data"),
        "FACTBOT_TIMEZONE": "Asia/Shanghai",
    }


def db(env: dict[str, str]) -> Storage:
    return Storage(Path(env["FACTBOT_DATA_DIR"]) / "factbot.sqlite3")


def subscribe(env: dict[str, str], chat_id: int, chat_type: str, post_time: str = "08:00") -> None:
    """A subscription made earlier (`factbot subscribe` itself is tested above)."""
    with db(env) as storage:
        storage.subscribe(chat_id, chat_type=chat_type, title=None, post_time=post_time)


NEXT = r"\d{4}-\d\d-\d\d \d\d:\d\d Asia/Shanghai"


def test_subscribe_a_channel_by_negative_id_as_typed(
    fake: FakeTelegram, env: dict[str, str]
) -> None:
    done = run_cli("subscribe", "-1001234567890", "--time", "09:30", env=env)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        r"subscribed -1001234567890 \(每日科技\): every day at 09:30 Asia/Shanghai; "
        r"next post \d{4}-\d\d-\d\d 09:30 Asia/Shanghai\n",
        done.stdout,
    )
    with db(env) as storage:
        sub = storage.get_subscription(CHANNEL)
    assert (sub.chat_type, sub.title, sub.post_time, sub.active) == (
        "channel",
        "每日科技",
        "09:30",
        True,
    )


def test_subscribe_by_username_and_list_and_unsubscribe(
    fake: FakeTelegram, env: dict[str, str]
) -> None:
    assert run_cli("subscribe", "@dailyfacts", env=env).returncode == 0
    assert run_cli("subscribe", str(GROUP), "--time", "7:05", env=env).returncode == 0
    gone = run_cli("unsubscribe", str(GROUP), env=env)
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout == (
        f"unsubscribed {GROUP}; its history is kept, `factbot subscribe` brings it back\n"
    )
    listing = run_cli("subscriptions", env=env)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == 2  # one line per chat, sorted by id
    # Columns line up (a CJK character is two columns wide): id, title, time, state, next.
    assert re.fullmatch(rf"-1001234567890  每日科技  08:00  {'active':23}  next: {NEXT}", lines[0])
    assert lines[1] == "-1001000000555  读书会    07:05  inactive (unsubscribed)  next: -"


def test_subscribe_refuses_chats_the_bot_cannot_post_in(
    fake: FakeTelegram, env: dict[str, str]
) -> None:
    fake.set_member(CHANNEL, fake.bot_id, "member")  # in the channel, but not an admin
    not_admin = run_cli("subscribe", str(CHANNEL), env=env)
    unknown = run_cli("subscribe", "-1009999999999", env=env)
    assert not_admin.returncode == unknown.returncode == 1
    assert not_admin.stderr == (
        f"factbot subscribe: the bot is not an admin allowed to post in channel {CHANNEL}: "
        "make it one (channel settings > Administrators), then run this again\n"
    )
    assert unknown.stderr == (
        "factbot subscribe: Telegram does not know chat -1009999999999 (Chat not found): add "
        "the bot to the chat (as an admin for a channel) and check the id or @username\n"
    )
    with db(env) as storage:
        assert storage.subscriptions() == []


def test_commands_needing_telegram_say_how_to_get_a_token(env: dict[str, str]) -> None:
    env = {**env, "TELEGRAM_BOT_TOKEN": ""}
    for args in (("subscribe", "@dailyfacts"), ("post", "--now")):
        done = run_cli(*args, env=env)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr == (
            f"factbot {args[0]}: no bot token: set TELEGRAM_BOT_TOKEN (talk to @BotFather on "
            "Telegram to get one) or `token:` in the config file\n"
        )


def test_bad_arguments_are_usage_errors(env: dict[str, str]) -> None:
    bad_time = run_cli("subscribe", str(CHANNEL), "--time", "25:00", env=env)
    bad_chat = run_cli("unsubscribe", "chat", env=env)
    no_now = run_cli("post", env=env)
    assert bad_time.returncode == bad_chat.returncode == no_now.returncode == 2
    assert bad_time.stderr.endswith(
        "argument --time: invalid post time '25:00': expected HH:MM, 24-hour, "
        "e.g. 08:00 or 21:30\n"
    )
    assert bad_chat.stderr.endswith(
        "argument CHAT: 'chat' is not a chat: give @username or a numeric id such as "
        "-1001234567890\n"
    )
    assert no_now.stderr.endswith("the following arguments are required: --now\n")


def test_post_now_to_one_chat_waits_out_a_flood_limit(
    fake: FakeTelegram, env: dict[str, str]
) -> None:
    subscribe(env, GROUP, "supergroup", "23:59")
    subscribe(env, CHANNEL, "channel")
    fake.fail_next("sendMessage", chat_id=GROUP, retry_after=1)
    done = run_cli("post", "--now", "--chat", str(GROUP), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    (post,) = fake.sent_messages(GROUP)
    assert post["text"].startswith("📌 每日一事实｜")
    fact = post["reply_markup"]["inline_keyboard"][0][0]["url"].split("start=")[1]
    assert done.stdout == f"chat {GROUP}: sent (fact {fact}, message {post['message_id']})\n"
    assert [c.http_status for c in fake.calls_of("sendMessage")] == [429, 200]
    assert fake.sent_messages(CHANNEL) == []  # only the chat asked for

    again = run_cli("post", "--now", "--chat", str(GROUP), env=env)
    assert again.returncode == 0
    assert again.stdout == f"chat {GROUP}: already posted today\n"  # at most one a day
    assert len(fake.sent_messages(GROUP)) == 1


def test_post_now_to_every_chat_reports_a_summary(fake: FakeTelegram, env: dict[str, str]) -> None:
    subscribe(env, GROUP, "supergroup")
    subscribe(env, CHANNEL, "channel")
    fake.block(GROUP)  # kicked since
    done = run_cli("post", "--now", env=env)
    assert done.returncode == 1
    assert done.stderr == (
        f"chat {GROUP}: deactivated: forbidden: bot was kicked from the supergroup chat\n"
    )
    assert re.fullmatch(r"daily posts for \d{4}-\d\d-\d\d: deactivated: 1, sent: 1\n", done.stdout)
    assert len(fake.sent_messages(CHANNEL)) == 1
    unknown = run_cli("post", "--now", "--chat", "-1005555", env=env)
    assert unknown.returncode == 1
    assert unknown.stderr == (
        "chat -1005555: not subscribed; subscribe it with: factbot subscribe -1005555\n"
    )
