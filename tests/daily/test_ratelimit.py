"""``MeteredRateLimiter``: PTB's rate limiter, counting the requests made for a chat, which the
broadcast reads to leave room for the bot's answers."""

from __future__ import annotations

from typing import Any

from bot.daily.ratelimit import MeteredRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_requests_for_a_chat_are_counted_for_one_second() -> None:
    clock = Clock()
    limiter = MeteredRateLimiter(overall_max_rate=30, overall_time_period=1, clock=clock)
    sent: list[dict[str, Any]] = []

    async def request(data: dict[str, Any]) -> dict[str, Any]:
        sent.append(data)
        return {"ok": data}

    for n in range(3):
        data = {"chat_id": 1000 + n, "text": "答"}
        assert await limiter.process_request(request, (data,), {}, "sendMessage", data, None) == {
            "ok": data
        }
    no_chat = {"callback_query_id": "7"}
    await limiter.process_request(request, (no_chat,), {}, "answerCallbackQuery", no_chat, None)
    assert len(sent) == 4
    assert limiter.recent() == 3  # the callback answer is not bound for a chat
    clock.now += 0.5
    assert limiter.recent() == 3
    clock.now += 0.6
    assert limiter.recent() == 0
