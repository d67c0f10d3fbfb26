"""``JsonRequest``, the bot's HTTP client: calls go out as one JSON body and arrive intact;
timeouts and broken connections surface as PTB's own errors."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.telegram.request import JsonRequest
from tests.fake_telegram import FakeTelegram

CHAT = -1004242
TEXT = (
    "北京有<b>92</b>所高校，&amp; 其中“双一流”高校34所。\n"
    "<blockquote>北京有92所高校。</blockquote>"
)


@pytest.fixture
async def client(fake: FakeTelegram) -> AsyncIterator[Bot]:
    fake.add_chat(CHAT, "supergroup", title="群")
    bot = Bot(fake.token, base_url=fake.base_url, request=JsonRequest())
    async with bot:
        yield bot


async def test_a_message_arrives_exactly_as_sent(client: Bot, fake: FakeTelegram) -> None:
    question = fake.push_update(fake.message_update(CHAT, 1001, "问题"))["message"]
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("原文", callback_data="o:k")]])
    sent = await client.send_message(
        CHAT,
        TEXT,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        reply_parameters=ReplyParameters(question["message_id"]),
    )
    [call] = fake.calls_of("sendMessage")
    assert call.params == {
        "chat_id": CHAT,
        "text": TEXT,
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "原文", "callback_data": "o:k"}]]},
        "reply_parameters": {"message_id": question["message_id"]},
    }
    assert sent.text == "北京有92所高校，& 其中“双一流”高校34所。\n北京有92所高校。"
    assert sent.reply_markup == markup


async def test_telegram_errors_are_ptb_errors(client: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await client.send_message(CHAT, "<b>unclosed", parse_mode=ParseMode.HTML)


async def test_a_slow_api_is_a_timeout(fake: FakeTelegram) -> None:
    fake.add_chat(CHAT, "supergroup", title="群")
    fake.fail_next("sendMessage", kind="delay", delay=1.0)
    bot = Bot(fake.token, base_url=fake.base_url, request=JsonRequest(read_timeout=0.2))
    async with bot:
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "你好")


async def test_an_unreachable_api_is_a_network_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bot = Bot("123:abc", base_url=f"http://127.0.0.1:{port}/bot", request=JsonRequest())
    await bot.request.initialize()
    try:
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "你好")
    finally:
        await bot.request.shutdown()
