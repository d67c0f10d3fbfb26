"""Faults on every kind of call the bot makes: 429, 500, 502, a reset connection, a reply
slower than the timeout, 403 and 400, each injected by the fake Bot API into the production
bot. Whatever happens, other chats are served, what is worth retrying is retried, each
failure is logged once with its cause, and nothing is left half done (a vote counted twice,
an unanswered question kept twice, an edit remembered that never happened).

``OUTCOMES`` is the table of what each fault leads to (docs/reliability.md shows it)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.engine.engine import Engine
from tests.fake_telegram import Call
from tests.telegram.support import ALICE, BOB, GROUP, BotHarness, MakeBot, answer_html

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TIMEOUT = 0.25  # the bot's read timeout in these tests
QUESTION = "北京有多少所高校？"
OTHER = "北京有多少科研人员？"
FALLBACK = "上海有多少所高校？"
APOLOGY = "抱歉，出了点问题，请稍后再试。"
FAULTS: dict[str, dict[str, Any]] = {
    "429": {"retry_after": 1},
    "500": {"error_code": 500},
    "502": {"error_code": 502},
    "reset": {"kind": "reset"},
    "slow": {"kind": "delay", "delay": TIMEOUT + 0.35},
    "403": {"error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    "400": {"error_code": 400, "description": "Bad Request: something is off"},
}


class Watch:
    """What one fault led to: the calls of the faulty kind and the log lines about it."""

    def __init__(self, bot: BotHarness, caplog: pytest.LogCaptureFixture, method: str) -> None:
        self.bot, self.caplog, self.method = bot, caplog, method
        self.calls_mark = len(bot.fake.calls)
        self.log_mark = len(caplog.records)

    def statuses(self) -> list[int | None]:
        return [c.http_status for c in self.bot.fake.calls[self.calls_mark :]
                if c.method == self.method]

    def lines(self, level: int = logging.INFO) -> list[str]:
        return [f"{r.levelname} {r.name}: {r.getMessage()}"
                for r in self.caplog.records[self.log_mark :]
                if r.levelno >= level and r.name.startswith(("bot", "telegram"))]

    def problems(self) -> list[str]:
        return self.lines(logging.WARNING)


async def other_chat_is_served(bot: BotHarness, engine: Engine) -> None:
    """Bob, in his own chat, gets his answer while Alice's call is failing."""
    mark = len(bot.fake.calls)
    queued = bot.fake.push_update(bot.fake.message_update(BOB, BOB, OTHER))
    await bot.settle(queued["update_id"])
    [call] = [c for c in bot.fake.calls[mark:] if c.params.get("chat_id") == BOB]
    assert (call.http_status, call.params["text"]) == (200, answer_html(engine.ask(OTHER)))


async def faulty(bot: BotHarness, update: dict[str, Any], engine: Engine) -> list[Call]:
    """Pushes ``update`` (whose handling meets the fault), serves Bob meanwhile, and returns
    the calls the update caused once it is handled."""
    mark = len(bot.fake.calls)
    queued = bot.fake.push_update(update)
    await other_chat_is_served(bot, engine)
    await bot.settle(queued["update_id"], timeout=10)
    await asyncio.sleep(0)  # the error handler runs as its own task
    return [c for c in bot.fake.calls[mark:] if c.method != "getUpdates"
            and c.params.get("chat_id") != BOB]


async def settled(fault: str) -> None:
    """After a slow fault, waits until the fake has finished the call the bot gave up on."""
    if fault == "slow":
        await asyncio.sleep(FAULTS["slow"]["delay"] - TIMEOUT + 0.3)


@pytest.fixture
async def bot(make_bot: MakeBot, caplog: pytest.LogCaptureFixture) -> BotHarness:
    caplog.set_level(logging.INFO)
    harness = await make_bot(read_timeout=TIMEOUT)
    harness.expect_errors = True
    return harness


async def test_send_message(bot: BotHarness, engine: Engine, caplog) -> None:
    answer = answer_html(engine.ask(QUESTION))
    for fault, options in FAULTS.items():
        bot.clock.advance(61)  # flood protection is not what is tested here
        watch = Watch(bot, caplog, "sendMessage")
        bot.fake.fail_next("sendMessage", chat_id=ALICE, **options)
        calls = await faulty(bot, bot.fake.message_update(ALICE, ALICE, QUESTION), engine)
        texts = [(c.http_status, c.params["text"]) for c in calls]
        if fault == "429":  # waited out and sent again by the rate limiter
            assert texts == [(429, answer), (200, answer)]
            assert watch.problems() == []
        elif fault == "slow":  # Telegram delivered it after the timeout: no apology after it
            since = bot.fake.calls[watch.calls_mark].time
            await bot.fake.async_wait_for(lambda c, t=since: c.ok and c.time >= t
                                          and c.params.get("text") == answer)
            assert [t for t in texts if t[1] == APOLOGY] == []
            [line] = watch.problems()
            assert "TimedOut" in line
        elif fault == "403":
            assert texts == [(403, answer)]
            [line] = watch.problems()
            assert "blocked by the user" in line
        else:  # sent once (a message is not repeatable), then the apology
            assert texts[0][1] == answer and texts[0][0] in (500, 502, 400, None)
            assert texts[1:] == [(200, APOLOGY)]
            [line] = watch.problems()
            cause = {"500": "Internal Server Error", "502": "Bad Gateway",
                     "reset": "RemoteProtocolError", "400": "Something is off"}[fault]
            assert cause in line, line


async def test_an_unanswered_question_is_kept_once_the_asker_has_the_reply(
    bot: BotHarness, engine: Engine
) -> None:
    bot.fake.fail_next("sendMessage", chat_id=ALICE, error_code=500)
    await faulty(bot, bot.fake.message_update(ALICE, ALICE, FALLBACK), engine)
    assert await bot.storage.aio.unanswered() == []  # the apology went out, not the reply
    await bot.private(ALICE, FALLBACK)  # asked again
    assert [q.question for q in await bot.storage.aio.unanswered()] == [FALLBACK]


async def test_edit_message_text(bot: BotHarness, engine: Engine, caplog) -> None:
    """An edited question updates its answer; the edit is repeatable, so it is retried."""
    for fault, options in FAULTS.items():
        bot.clock.advance(61)  # flood protection is not what is tested here
        asked = bot.fake.message_update(ALICE, ALICE, QUESTION)
        answer = await bot.one_message(asked)
        watch = Watch(bot, caplog, "editMessageText")
        if fault == "400":
            options = {"error_code": 400, "description": "Bad Request: message to edit not found"}
        bot.fake.fail_next("editMessageText", **options)
        edit = bot.fake.message_update(ALICE, ALICE, OTHER, edited=True,
                                       message_id=asked["message"]["message_id"])
        calls = await faulty(bot, edit, engine)
        await settled(fault)
        statuses = watch.statuses()
        shown = bot.fake.get_message(ALICE, answer.result["message_id"])
        assert shown is not None
        edited = shown["text"].startswith(engine.ask(OTHER).lead)
        if fault in ("429", "500", "502", "reset", "slow"):
            assert 200 in statuses and len(statuses) == 2 and edited, (fault, statuses)
            assert watch.problems() == []
            [line] = [x for x in watch.lines() if "went through" in x or "Rate limit" in x]
        elif fault == "403":
            assert statuses == [403] and not edited
            [line] = watch.problems()
            assert "blocked" in line
        else:  # the answer is gone: a fresh one is sent instead
            assert statuses == [400] and not edited
            [fresh] = [c for c in calls if c.method == "sendMessage"]
            assert fresh.params["text"] == answer_html(engine.ask(OTHER))
            assert watch.problems() == []


async def test_answer_callback_query_and_votes_counted_once(
    bot: BotHarness, engine: Engine, caplog
) -> None:
    key = engine.ask(QUESTION).intent
    answer = await bot.private(ALICE, QUESTION)
    message_id = answer.result["message_id"]
    for fault, options in FAULTS.items():
        bot.clock.advance(61)  # flood protection is not what is tested here
        watch = Watch(bot, caplog, "answerCallbackQuery")
        bot.fake.fail_next("answerCallbackQuery", **options)
        press = bot.fake.callback_query_update(ALICE, ALICE, message_id, f"u:{key}")
        await faulty(bot, press, engine)
        await settled(fault)
        statuses = watch.statuses()
        if fault in ("403", "400"):
            assert statuses == [int(fault)]
            [line] = watch.problems()
            assert ("blocked" if fault == "403" else "Something is off") in line
            # The spinner stopped without a word: the user presses again, and is thanked.
            press = bot.fake.callback_query_update(ALICE, ALICE, message_id, f"u:{key}")
            await faulty(bot, press, engine)
            assert watch.statuses()[-1] == 200
        else:
            assert 200 in statuses and len(statuses) == 2, (fault, statuses)
            assert watch.problems() == []
        [vote] = await bot.storage.aio.votes()  # however often it was pressed or sent
        assert (vote.user_id, vote.vote) == (ALICE, 1)


async def test_answer_inline_query(bot: BotHarness, engine: Engine, caplog) -> None:
    for fault, options in FAULTS.items():
        bot.clock.advance(61)  # flood protection is not what is tested here
        watch = Watch(bot, caplog, "answerInlineQuery")
        bot.fake.fail_next("answerInlineQuery", **options)
        await faulty(bot, bot.fake.inline_query_update(ALICE, QUESTION), engine)
        await settled(fault)
        statuses = watch.statuses()
        if fault in ("403", "400"):
            assert statuses == [int(fault)]
            [line] = watch.problems()
            assert ("blocked" if fault == "403" else "Something is off") in line
        else:
            assert 200 in statuses and len(statuses) == 2, (fault, statuses)
            assert watch.problems() == []


async def test_get_chat_member_for_subscribe(bot: BotHarness, engine: Engine, caplog) -> None:
    bot.fake.set_member(GROUP, ALICE, "administrator")
    for fault, options in FAULTS.items():
        bot.clock.advance(61)  # flood protection is not what is tested here
        bot.storage.unsubscribe(GROUP)
        watch = Watch(bot, caplog, "getChatMember")
        bot.fake.fail_next("getChatMember", **options)
        # The subscription commands stop their update in their handler group (the harness
        # cannot see them finish): wait for the reply instead.
        mark = len(bot.fake.calls)
        bot.fake.push_update(bot.fake.message_update(GROUP, ALICE, "/subscribe 09:30"))
        await other_chat_is_served(bot, engine)
        reply_call = await bot.fake.async_wait_for(
            lambda c, m=mark: c.method == "sendMessage" and c.params.get("chat_id") == GROUP
            and bot.fake.calls.index(c) >= m, timeout=10)
        await settled(fault)
        reply = reply_call.result["text"]
        sub = bot.storage.get_subscription(GROUP)
        if fault in ("403", "400"):  # could not check: told so, nothing changed
            assert reply == "暂时无法确认你是不是群管理员，请稍后再试。"
            assert sub is None or not sub.active
            [line] = watch.problems()
            assert "getChatMember" in line
        else:
            assert reply.startswith("已订阅：每天 09:30"), (fault, reply)
            assert sub is not None and sub.active
            assert watch.problems() == []


async def test_get_updates(bot: BotHarness, engine: Engine, caplog) -> None:
    """Polling survives every fault: the next question is answered, each failure logged once."""
    for fault, options in FAULTS.items():
        bot.clock.advance(61)  # flood protection is not what is tested here
        watch = Watch(bot, caplog, "getUpdates")
        bot.fake.fail_next("getUpdates", **options)
        await bot.fake.async_wait_for(lambda c, w=watch: c.method == "getUpdates"
                                      and bot.fake.calls.index(c) >= w.calls_mark, timeout=10)
        await other_chat_is_served(bot, engine)
        problems = watch.problems()
        if fault == "slow":  # PTB gives up on the poll and polls again at once
            assert len(problems) <= 1
        elif fault == "429":
            assert problems == []
        else:
            [line] = problems
            assert " bot.telegram: polling: " in line, line


async def test_set_my_commands(bot: BotHarness, engine: Engine, caplog) -> None:
    app = bot.app
    assert app.post_init is not None
    for fault, options in FAULTS.items():
        bot.clock.advance(61)  # flood protection is not what is tested here
        watch = Watch(bot, caplog, "setMyCommands")
        bot.fake.fail_next("setMyCommands", **options)
        await app.post_init(app)  # what runs at start-up
        await settled(fault)
        statuses = watch.statuses()
        if fault in ("403", "400"):  # one scope refused, the other registered; never fatal
            assert statuses == [int(fault), 200]
            [line] = watch.problems()
            assert line.startswith("WARNING bot.telegram.app: could not register the private")
        else:
            assert statuses.count(200) >= 2 and len(statuses) == 3, (fault, statuses)
            assert watch.problems() == []
        await other_chat_is_served(bot, engine)


async def test_a_subscription_whose_confirmation_fails_is_kept_and_logged_once(
    bot: BotHarness, engine: Engine, caplog
) -> None:
    bot.fake.set_member(GROUP, ALICE, "administrator")
    watch = Watch(bot, caplog, "sendMessage")
    bot.fake.fail_next("sendMessage", chat_id=GROUP, error_code=502)
    bot.fake.push_update(bot.fake.message_update(GROUP, ALICE, "/subscribe 09:30"))
    await bot.fake.async_wait_for(lambda c, m=watch.calls_mark: c.method == "sendMessage"
                                  and c.params.get("chat_id") == GROUP
                                  and bot.fake.calls.index(c) >= m)
    await other_chat_is_served(bot, engine)  # by then the command is done with
    sub = bot.storage.get_subscription(GROUP)
    assert sub is not None and sub.active and sub.post_time == "09:30"  # what the admin gave
    # Not "something went wrong" on top of a subscription that worked: just the one failure.
    assert [c.params.get("chat_id") for c in bot.fake.calls[watch.calls_mark:]
            if c.method == "sendMessage"] == [GROUP, BOB]
    [line] = watch.problems()
    assert "Bad Gateway" in line
