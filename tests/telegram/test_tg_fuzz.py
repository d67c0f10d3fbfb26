"""Fuzzing through the whole stack (``bench.fuzz``): drawn updates of every kind, served by
the fake Bot API to the production Application. A fixed seed and a bounded number of
examples here; ``python -m bench.fuzz --examples N`` runs longer. No unhandled exception and
no request Telegram would reject."""

from __future__ import annotations

from bench.fuzz import MARKER_USER, FuzzBot, fuzz
from bot.engine.engine import Engine

EXAMPLES = 80


def test_drawn_updates_never_crash_the_bot_nor_make_it_send_what_telegram_rejects(
    engine: Engine,
) -> None:
    with FuzzBot.running(engine) as bot:
        fuzz(bot, EXAMPLES, run_seed=None, derandomize=True)
        assert bot.tried >= EXAMPLES // 2
        assert bot.unhandled() == []
        assert bot.rejected() == []
        # The bot did answer along the way (not a run that tested nothing).
        sent = [c for c in bot.fake.calls_of("sendMessage")
                if c.ok and c.params["chat_id"] != MARKER_USER]
        assert len(sent) >= EXAMPLES // 4
        assert {c.method for c in bot.fake.calls} >= {
            "sendMessage", "answerCallbackQuery", "answerInlineQuery"}
