"""Failures: one error handler logs them with the update; an apology only when a reply was
due; retries on RetryAfter; and the token never reaches a log line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.engine.engine import Engine
from bot.telegram.logs import setup_logging
from tests.telegram.support import ALICE, BotHarness, MakeBot, answer_html

APOLOGY = "抱歉，出了点问题，请稍后再试。"
QUESTION = "北京有多少所高校"


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.telegram" and r.levelno >= logging.ERROR]


async def test_failed_answer_is_logged_with_the_update_and_apologised_for(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.expect_errors = True
    bot.fake.fail_next("sendMessage", error_code=500)
    calls = await bot.exchange(bot.fake.message_update(ALICE, ALICE, QUESTION))
    assert [(c.method, c.http_status) for c in calls] == [
        ("sendMessage", 500),
        ("sendMessage", 200),
    ]
    assert calls[1].params == {"chat_id": ALICE, "text": APOLOGY, "parse_mode": "HTML",
                               "link_preview_options": {"is_disabled": True}}
    [record] = logged_errors(caplog)
    logged = record.getMessage()
    assert '"update_id": 1' in logged and '"id": 1001' in logged  # the update that caused it
    assert logged.endswith("NetworkError: Internal Server Error")  # its cause
    assert QUESTION not in logged and f'"text": "<{len(QUESTION)} chars>"' in logged
    assert record.exc_info is None  # Telegram's weather, not a bug: one line, no traceback


async def test_no_apology_when_no_reply_was_due(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.expect_errors = True
    bot.fake.fail_next("answerInlineQuery", error_code=400, description="Bad Request: boom")
    calls = await bot.exchange(bot.fake.inline_query_update(ALICE, QUESTION))
    assert [c.method for c in calls] == ["answerInlineQuery"]
    [record] = logged_errors(caplog)
    assert "inline_query" in record.getMessage()


async def test_failed_button_gets_the_apology_as_its_notice(
    bot: BotHarness, engine: Engine
) -> None:
    bot.expect_errors = True
    answer = await bot.private(ALICE, QUESTION)
    bot.fake.fail_next("sendMessage", error_code=500)
    key = engine.ask(QUESTION).intent
    update = bot.fake.callback_query_update(ALICE, ALICE, answer.result["message_id"], f"o:{key}")
    calls = await bot.exchange(update)
    assert [c.method for c in calls] == ["sendMessage", "answerCallbackQuery"]
    assert calls[1].params["text"] == APOLOGY


# PTB's own AIORateLimiter reads RetryAfter.retry_after, which PTB 22 marks as changing type.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_wait_is_retried_by_the_rate_limiter(bot: BotHarness, engine: Engine) -> None:
    bot.fake.fail_next("sendMessage", retry_after=1)
    calls = await bot.exchange(bot.fake.message_update(ALICE, ALICE, QUESTION))
    assert [(c.method, c.http_status) for c in calls] == [
        ("sendMessage", 429),
        ("sendMessage", 200),
    ]
    assert calls[1].params["text"] == answer_html(engine.ask(QUESTION))


async def test_blocked_user_is_logged_without_an_apology(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.block(ALICE)
    calls = await bot.exchange(bot.fake.message_update(ALICE, ALICE, QUESTION))
    assert [(c.method, c.http_status) for c in calls] == [("sendMessage", 403)]
    warnings = [r for r in caplog.records if r.name == "bot.telegram" and r.levelname == "WARNING"]
    assert any("blocked" in r.getMessage() for r in warnings)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers),
             {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "apscheduler")})
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


async def test_a_full_run_at_debug_never_logs_the_token(
    make_bot: MakeBot, engine: Engine, caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    stream = io.StringIO()
    token = "123456:TEST-token"
    setup_logging("DEBUG", [token], stream=stream)  # before the bot is built, as `factbot run`
    bot = await make_bot()
    bot.expect_errors = True
    answer = await bot.private(ALICE, QUESTION)
    key = engine.ask(QUESTION).intent
    await bot.exchange(bot.fake.callback_query_update(ALICE, ALICE, answer.result["message_id"],
                                                      f"o:{key}"))
    await bot.exchange(bot.fake.inline_query_update(ALICE, QUESTION))
    bot.fake.fail_next("sendMessage", error_code=500)
    await bot.exchange(bot.fake.message_update(ALICE, ALICE, QUESTION))
    bot.fake.fail_next("sendMessage", error_code=401, description="Unauthorized")
    await bot.exchange(bot.fake.message_update(ALICE, ALICE, QUESTION))
    output = stream.getvalue()
    assert "HTTP Request: POST" in output  # httpx logged its request lines at DEBUG...
    assert "Set Bot API URL" in output  # ...and PTB its URL...
    assert "[REDACTED]" in output  # ...with the token cut out
    assert "Traceback" in output
    for secret in (token, token.split(":")[1]):
        assert secret not in output
        assert secret not in caplog.text
