"""Owner-only /stats and /reload, /privacy and /forget for everyone (and `factbot forget` beside
the running bot), the heartbeat and the retention purge, over the fake Bot API with a real
SQLite file."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.engine.engine import Engine
from bot.ops import health
from bot.storage import Storage
from tests.conftest import run_cli
from tests.telegram.support import ALICE, BOB, GROUP, BotHarness, MakeBot, question_of_kind

UNKNOWN = "我不认识这个命令。发送 /help 看看我能做什么。"
QUESTION = "北京有多少所高校？"


async def test_stats_answers_an_owner_in_private(make_bot: MakeBot, engine: Engine) -> None:
    bot = await make_bot(owner_ids=[ALICE])
    assert engine.ask(QUESTION).kind == "answer"
    await bot.private(BOB, QUESTION)
    await bot.private(BOB, QUESTION)
    await bot.private(BOB, "上海有多少所高校？")
    text = (await bot.private(ALICE, "/stats")).params["text"]
    assert text.startswith("<pre>factbot stats: the last 7 day(s), ")
    intent = engine.ask(QUESTION).intent
    assert "questions: 2 answered, 1 declined, 0 clarified, 0 small talk" in text
    [name] = [i.examples[0] for i in engine.knowledge.intents if i.id == intent]
    assert f"most asked:\n     2  {name} ({intent})\n" in text
    assert "subscriptions: 0 active, 0 inactive" in text


async def test_owner_commands_reveal_nothing_to_anyone_else(bot_with_owner: BotHarness) -> None:
    bot = bot_with_owner
    menus = {
        json.dumps(c.params["scope"], sort_keys=True): [x["command"] for x in c.params["commands"]]
        for c in bot.fake.calls_of("setMyCommands")
    }
    owner_menu = menus[json.dumps({"type": "chat", "chat_id": ALICE}, sort_keys=True)]
    assert {"stats", "reload", "privacy"} <= set(owner_menu)
    for scope, commands in menus.items():
        if '"chat_id"' not in scope:  # everyone's menus: no owner command in them
            assert not {"stats", "reload"} & set(commands), scope
    for command in ("/stats", "/reload"):
        assert (await bot.private(BOB, command)).params["text"] == UNKNOWN
    # Not even the owner gets them in a group, where everyone would read the answer.
    sent = await bot.sends(bot.fake.message_update(GROUP, ALICE, "/stats"))
    assert sent == []


async def test_privacy_says_what_is_kept(bot: BotHarness) -> None:
    text = (await bot.private(ALICE, "/privacy")).params["text"]
    assert "90 天后删除" in text
    assert f"你的用户 ID 是 {ALICE}" in text
    assert "散列值，不存 ID 本身" in text
    assert "发送 /forget 可以立刻删除你的投票、你问过的这些问题和私聊订阅。" in text
    [in_group] = await bot.sends(bot.fake.message_update(GROUP, ALICE, "/privacy"))
    assert "90 天后删除" in in_group.params["text"]
    assert str(ALICE) not in in_group.params["text"]  # nobody else learns her id


async def test_forget_deletes_the_senders_votes_only(bot: BotHarness) -> None:
    for user in (ALICE, BOB):
        bot.storage.record_vote(
            chat_id=GROUP, message_id=7, user_id=user, question=QUESTION, fact_id="f", vote=1
        )
    reply = (await bot.private(ALICE, "/forget")).params["text"]
    assert reply == "已删除与你的用户 ID 相关的数据：1 个投票。"
    assert [v.user_id for v in bot.storage.votes()] == [BOB]
    again = (await bot.private(ALICE, "/forget")).params["text"]
    assert again == "没有与你的用户 ID 相关的数据需要删除。"
    in_group = await bot.sends(bot.fake.message_update(GROUP, BOB, "/forget"))
    assert [c.params["text"] for c in in_group] == ["请在和我的私聊里发送 /forget。"]
    assert [v.user_id for v in bot.storage.votes()] == [BOB]


async def stored_questions(bot: BotHarness, count: int) -> list[str]:
    """The unanswered questions once ``count`` are stored (the note is not awaited)."""
    for _ in range(200):
        rows = bot.storage.unanswered()
        if len(rows) >= count:
            break
        await asyncio.sleep(0.02)
    return sorted(q.question for q in rows)


async def test_forget_reaches_the_questions_a_user_asked(bot: BotHarness, tmp_path: Path) -> None:
    fallback, clarify = question_of_kind(bot.engine, "fallback"), question_of_kind(bot.engine,
                                                                                   "clarify")
    await bot.private(ALICE, fallback)
    await bot.one_message(bot.fake.message_update(GROUP, ALICE, f"/ask {clarify}"))
    await bot.private(BOB, clarify)
    assert await stored_questions(bot, 3) == sorted([fallback, clarify, clarify])
    # The operator forgets Alice from the command line while the bot runs.
    env = {"FACTBOT_CONFIG": "", "FACTBOT_DATA_DIR": str(tmp_path / "data")}
    done = await asyncio.to_thread(run_cli, "forget", str(ALICE), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"forgot user {ALICE}: deleted 0 vote(s), 2 unanswered question(s)\n"
    assert [(q.question, q.chat_type) for q in bot.storage.unanswered()] == [(clarify, "private")]
    # Bob forgets himself with /forget, and is told what went.
    reply = (await bot.private(BOB, "/forget")).params["text"]
    assert reply == "已删除与你的用户 ID 相关的数据：1 个我没答上来的问题。"
    assert bot.storage.unanswered() == []


async def test_heartbeat_makes_the_bot_healthy(bot: BotHarness) -> None:
    for _ in range(100):
        if bot.settings.heartbeat_path.exists():
            break
        await asyncio.sleep(0.05)
    beat = json.loads(bot.settings.heartbeat_path.read_text(encoding="utf-8"))
    assert beat["state"] == "running"
    verdict = health.check(bot.settings)
    assert verdict.ok, verdict.reason
    late = datetime.now(UTC) + timedelta(seconds=health.STALE_AFTER_SECONDS + 5)
    assert not health.check(bot.settings, now=late).ok


async def test_old_votes_are_purged_at_start(make_bot: MakeBot, tmp_path: Path) -> None:
    path = tmp_path / "data" / "factbot.sqlite3"
    long_ago = datetime.now(UTC) - timedelta(days=91)
    with Storage(path, now=lambda: long_ago) as old:
        old.record_vote(chat_id=ALICE, message_id=1, user_id=ALICE, question="q", fact_id="f",
                        vote=-1)
        old.record_unanswered(question="上海有多少所高校？", kind="fallback", chat_type="private")
    with Storage(path) as recent:
        recent.record_vote(chat_id=ALICE, message_id=2, user_id=ALICE, question="q",
                           fact_id="f", vote=1)
    bot = await make_bot()
    for _ in range(100):
        if len(bot.storage.votes()) == 1:
            break
        await asyncio.sleep(0.05)
    assert [v.message_id for v in bot.storage.votes()] == [2]
    assert bot.storage.unanswered() == []
