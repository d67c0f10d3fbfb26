"""``MeteredRateLimiter``: PTB's rate limiter, counting the requests made for a chat, which the
broadcast reads to leave room for the bot's answers."""

from __future__ import annotations

from typing import Any

from bot.daily.ratelimit import ChatWindow, MeteredRateLimiter


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


async def test_request_times_are_kept_for_the_horizon_only() -> None:
    """A day of answers without a broadcast (nobody reading ``recent``) keeps one second of
    request times, not a day of them; the count the broadcast reads is the same."""
    clock = Clock()
    limiter = MeteredRateLimiter(overall_max_rate=0, clock=clock)

    async def request(data: dict[str, Any]) -> bool:
        return True

    for n in range(3000):  # 20 a second for 150 s
        clock.now += 0.05
        data = {"chat_id": n, "text": "答"}
        await limiter.process_request(request, (data,), {}, "sendMessage", data, None)
    assert limiter.held <= 21
    assert limiter.recent() == 20  # the last second's, as before


def test_a_broadcasts_groups_are_forgotten_a_window_later_and_limits_still_hold() -> None:
    clock = Clock()
    windows = ChatWindow(2, 60.0, clock=clock)
    for n in range(5000):  # one post each to 5,000 groups
        windows.record(-1000 - n)
    windows.record(-7)
    windows.record(-7)
    assert windows.wait(-7) == 60.0  # a group at its limit waits for its window
    assert windows.wait(-1000) == 0.0 and windows.wait(42) == 0.0
    clock.now += 30
    assert windows.wait(-7) == 30.0
    clock.now += 31
    windows.record(-8)  # the next send, a window on: everything older is dropped
    assert windows.held == 1
    assert windows.wait(-7) == 0.0
