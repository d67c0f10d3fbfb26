"""The engine in worker processes, as ``factbot run`` uses it: the same answers as the engine
in-process, many questions at once, and answers still when a worker dies."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest

from bot.engine.engine import Engine
from bot.telegram.services import SERVICES
from tests.telegram.support import ALICE, BotHarness, MakeBot, answer_html, esc

QUESTION = "北京有多少所高校？"
# Distinct questions (answers, clarifications and refusals alike), more than a worker holds.
MANY = [
    "北京有多少所高校？",
    "天津有多少所高校？",
    "北京有多少个国家实验室？",
    "朱军是哪一年加入清华大学的？",
    "今天天气怎么样？",
    "上海有多少所高校？",
    "谁赢得了去年的欧冠？",
    "数说的数据截止到啥时候",
]
USERS = [5000 + i for i in range(len(MANY))]


def expected_text(engine: Engine, question: str) -> str:
    reply = engine.ask(question)
    return answer_html(reply) if reply.kind == "answer" else esc(reply.lead)


async def ask_all(bot: BotHarness) -> dict[int, str]:
    """Every user asks their question at the same moment; returns what each was sent."""
    for user in USERS:
        bot.fake.add_chat(user, "private")
    queued = [
        bot.fake.push_update(bot.fake.message_update(user, user, question))
        for user, question in zip(USERS, MANY, strict=True)
    ]
    await asyncio.gather(*(bot.settle(q["update_id"], timeout=30) for q in queued))
    sent = {c.params["chat_id"]: c.params["text"] for c in bot.fake.calls_of("sendMessage")}
    return {user: sent.get(user, "") for user in USERS}


async def test_many_questions_at_once_each_get_their_own_answer(
    make_bot: MakeBot, engine: Engine
) -> None:
    bot = await make_bot(engine_processes=1)
    got = await ask_all(bot)
    for user, question in zip(USERS, MANY, strict=True):
        assert got[user].startswith(expected_text(engine, question)), question
    # a follow-up is read with its conversation's context in the worker too
    follow_up = await bot.one_message(bot.fake.message_update(USERS[0], USERS[0], "科研院所呢？"))
    assert follow_up.params["text"] == expected_text(engine, "北京有多少所科研院所？")


async def test_a_killed_worker_costs_speed_not_answers(
    make_bot: MakeBot, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await make_bot(engine_processes=1)
    bot.expect_errors = True
    call = await bot.private(ALICE, QUESTION)  # the worker is up and answering
    assert call.params["text"] == answer_html(engine.ask(QUESTION))
    asker = bot.app.bot_data["services"].asker
    [pid] = asker.worker_pids
    os.kill(pid, signal.SIGKILL)
    # Questions already sent to the dead worker and those after it: all answered, right.
    got = await ask_all(bot)
    for user, question in zip(USERS, MANY, strict=True):
        assert got[user].startswith(expected_text(engine, question)), question
    assert asker.worker_pids == []
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "engine worker process" in record.getMessage()
    assert "answering on a thread now" in record.getMessage()


async def test_workers_leave_when_the_bot_stops(make_bot: MakeBot) -> None:
    bot = await make_bot(engine_processes=1)
    await bot.private(ALICE, QUESTION)
    asker = bot.app.bot_data["services"].asker
    [pid] = asker.worker_pids
    asker.close()
    assert asker.worker_pids == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


async def test_an_answer_the_cache_let_go_comes_back_as_the_object_still_kept(
    make_bot: MakeBot, engine: Engine
) -> None:
    """Asked again after the cache dropped it, an answer arrives from the worker as a fresh
    copy; the bot keeps one copy of it however many conversations hold it, and the asker
    gets the same answer either way."""
    bot = await make_bot(engine_processes=1)
    s = bot.app.bot_data[SERVICES]
    s.asker.cache_size = 1
    for user in USERS[:3]:
        bot.fake.add_chat(user, "private")
    first = await bot.private(USERS[0], QUESTION)
    await bot.private(USERS[1], MANY[1])  # the cache holds one answer: QUESTION's goes
    again = await bot.private(USERS[2], QUESTION)
    assert again.params["text"] == first.params["text"]
    assert again.params["text"].startswith(expected_text(engine, QUESTION))
    now = bot.clock()
    one = s.conversations.get((USERS[0], None), now)
    other = s.conversations.get((USERS[2], None), now)
    assert one.key and one == other
    assert one.question is other.question and one.topic is other.topic
