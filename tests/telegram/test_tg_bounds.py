"""The bot's in-memory tables are bounded, and what users see holds at the bounds: the
oldest entries go first, a recent user's buttons, edits, follow-ups and /fact still work,
and nothing is kept per chat or user beyond the caps (PTB's own sets included).

Each test shrinks one table of the running production bot to a handful of entries (the
defaults hold thousands) and drives more users than that through it.
"""

from __future__ import annotations

import itertools

from bot.engine.engine import Engine
from bot.telegram.bounded import Recent, pair_key
from bot.telegram.flood import FloodGuard
from bot.telegram.services import SERVICES, AnswerMemory, Conversations, Services
from tests.telegram.support import ALICE, BotHarness, answer_html, buttons
from tests.telegram.test_tg_followups import FOLLOW_UP, MEANT, TOPIC, expected

QUESTION = "北京有多少所高校？"
EDITED = "北京有多少科研人员？"
USERS = [3001, 3002, 3003, 3004]


def services_of(bot: BotHarness) -> Services:
    return bot.app.bot_data[SERVICES]


async def test_old_answers_are_forgotten_first_and_recent_ones_still_edit_and_vote(
    bot: BotHarness, engine: Engine
) -> None:
    s = services_of(bot)
    s.memory = AnswerMemory(size=2)
    asked, answers = {}, {}
    for user in USERS:  # four answers into a memory of two
        bot.fake.user(user, f"读者{user}")
        asked[user] = bot.fake.message_update(user, user, QUESTION)
        answers[user] = await bot.one_message(asked[user])
    assert len(s.memory) == 2
    oldest, newest = USERS[0], USERS[-1]

    async def vote(user: int) -> None:
        up = dict(buttons(answers[user]))["👍"]
        press = bot.fake.callback_query_update(user, user, answers[user].result["message_id"], up)
        assert [c.method for c in await bot.exchange(press)] == ["answerCallbackQuery"]

    # a recent answer's vote is stored with the question it answered; the oldest answer's
    # vote still counts, without its question (as after a restart)
    await vote(USERS[2])
    await vote(oldest)
    assert [(v.user_id, v.vote, v.question) for v in bot.storage.votes()] == [
        (USERS[2], 1, QUESTION), (oldest, 1, None)]

    def edit(user: int) -> dict[str, object]:
        return bot.fake.message_update(
            user, user, EDITED, edited=True, message_id=asked[user]["message"]["message_id"]
        )

    # the newest question's edit updates its answer in place
    calls = await bot.exchange(edit(newest))
    assert [c.method for c in calls] == ["editMessageText"]
    assert calls[0].params["message_id"] == answers[newest].result["message_id"]
    assert calls[0].params["text"] == answer_html(engine.ask(EDITED))
    # the oldest was forgotten: its edit gets a fresh answer, never an error
    calls = await bot.exchange(edit(oldest))
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].params["text"] == answer_html(engine.ask(EDITED))


async def test_a_recent_conversation_follows_on_when_older_ones_were_forgotten(
    bot: BotHarness, engine: Engine
) -> None:
    s = services_of(bot)
    s.conversations = Conversations(size=2, clock=bot.clock)
    for user in USERS:
        bot.fake.user(user, f"读者{user}")
        await bot.private(user, TOPIC)
    assert len(s.conversations) == 2
    follow_up = await bot.private(USERS[-1], FOLLOW_UP)
    assert follow_up.params == expected(engine, MEANT, USERS[-1])
    # the oldest conversation went: its follow-up is read alone, as after a restart
    alone = await bot.private(USERS[0], FOLLOW_UP)
    assert alone.params["text"] == answer_html(engine.ask(FOLLOW_UP))
    assert alone.params["text"] != follow_up.params["text"]


async def test_flood_state_forgets_idle_senders_and_still_throttles_a_flooder(
    bot: BotHarness,
) -> None:
    s = services_of(bot)
    s.flood = FloodGuard(2, window=60, clock=bot.clock, max_senders=1_000)
    for user in range(4000, 4030):  # thirty people ask once
        bot.fake.user(user, f"读者{user}")
        await bot.private(user, QUESTION)
    bot.clock.advance(61)  # a minute later they are all idle
    await bot.private(ALICE, QUESTION)
    await bot.private(ALICE, QUESTION)
    notice = await bot.private(ALICE, QUESTION)
    assert notice.params["text"] == "你问得太快了，请稍等一分钟再问。"
    assert s.flood.held == 1  # only Alice is remembered now
    for user in range(4030, 4035):  # others keep being answered...
        bot.fake.user(user, f"读者{user}")
        await bot.private(user, QUESTION)
    # ...and Alice, still inside her minute, is still ignored
    assert await bot.sends(bot.fake.message_update(ALICE, ALICE, QUESTION)) == []


async def test_fact_never_repeats_in_a_recent_chat_and_keeps_no_chat_data(
    bot: BotHarness, engine: Engine
) -> None:
    s = services_of(bot)
    s.last_fact = Recent(2)
    s.flood = FloodGuard(1_000, clock=bot.clock)
    for user in USERS:
        bot.fake.user(user, f"读者{user}")
    recent, others = USERS[0], USERS[1:]
    facts = []
    for round_ in range(9):  # the recent chat asks every other time, the others in turn
        facts.append((await bot.private(recent, "/fact")).params["text"])
        other = others[round_ % len(others)]
        await bot.private(other, "/fact")
    # one other chat in between: the recent chat is still remembered, no fact twice in a row
    assert all(a != b for a, b in itertools.pairwise(facts))
    assert len(s.last_fact) == 2
    assert len(engine.daily_intents() or engine.knowledge.intents) > 1
    assert dict(bot.app.chat_data) == {} and dict(bot.app.user_data) == {}


async def test_ptb_keeps_no_set_of_every_chat_and_user_it_met(bot: BotHarness) -> None:
    for user in range(5000, 5020):
        bot.fake.user(user, f"读者{user}")
        await bot.private(user, QUESTION)
    app = bot.app
    # without a persistence these were never emptied: every chat and user ever met
    assert app._chat_ids_to_be_updated_in_persistence == set()
    assert app._user_ids_to_be_updated_in_persistence == set()
    assert dict(app.chat_data) == {} and dict(app.user_data) == {}


def test_pair_keys_never_confuse_two_chats_or_messages() -> None:
    chats = [1001, 1002, -1001234567890, -1001234567891, 7_000_000_000]
    seconds = [None, 0, 1, 2, 2**31 - 1, 2**63]
    keys = [pair_key(chat, second) for chat in chats for second in seconds]
    assert len(set(keys)) == len(keys)
    assert pair_key(-5, 2**64) == (-5, 2**64)  # out of range: the pair itself


def test_recent_forgets_the_oldest_write_first() -> None:
    table: Recent[str, int] = Recent(2)
    table.put("a", 1)
    table.put("b", 2)
    table.put("a", 3)  # written again: now the newest
    table.put("c", 4)
    assert ("a" in table, "b" in table, "c" in table) == (True, False, True)
    assert table.get("a") == 3 and len(table) == 2
