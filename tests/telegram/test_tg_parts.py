"""The pure parts behind the handlers: addressing, button data, trimming, flood windows."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine
from bot.telegram.addressing import ask_question, is_command_like, mentions, strip_mentions
from bot.telegram.callbacks import Action, KeyCodec, deep_link
from bot.telegram.flood import FloodGuard, Verdict
from bot.telegram.render import Renderer, cut_at_sentence
from tests.telegram.support import ManualClock

BOT = "factbot_bot"


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("/ask 北京有多少所高校", "北京有多少所高校"),
        ("/ask北京有多少所高校", "北京有多少所高校"),
        ("/ask@factbot_bot 北京有多少所高校", "北京有多少所高校"),
        ("/ask@FACTBOT_BOT北京有多少所高校", "北京有多少所高校"),
        ("/ask   北京  有多少所高校 ", "北京 有多少所高校"),
        ("/ask @factbot_bot 北京有多少所高校", "北京有多少所高校"),
        ("/ask", ""),
        ("/ask@other_bot 北京", None),
        ("/asking 北京", None),
        ("北京 /ask", None),
        ("/help", None),
    ],
)
def test_ask_question(text: str, question: str | None) -> None:
    assert ask_question(text, BOT) == question


def test_mentions_and_commands() -> None:
    assert mentions("@factbot_bot 北京", BOT) and mentions("请问@factbot_bot北京", BOT)
    assert not mentions("mail x@factbot_bot", BOT) and not mentions("@factbot_bot2 hi", BOT)
    assert strip_mentions("请问 @factbot_bot，北京有多少所高校？", BOT) == "请问 北京有多少所高校？"
    assert strip_mentions("@factbot_bot：北京", BOT) == "北京"
    assert is_command_like("/start") and is_command_like("/foo北京")
    assert not is_command_like("/北京") and not is_command_like("北京/上海")


def test_callback_data_round_trips_and_rejects_the_unknown(engine: Engine) -> None:
    keys = [i.id for i in engine.knowledge.intents] + [f.id for f in engine.knowledge.facts]
    codec = KeyCodec([*keys, "一个很长的中文键" * 5])
    for key in [*keys, "一个很长的中文键" * 5]:
        for action in Action:
            data = codec.encode(action, key)
            assert len(data.encode("utf-8")) <= 64
            button = codec.decode(data)
            assert button is not None and (button.action, button.key) == (action, key)
    for forged in ["", "o", "o:", "q:" + keys[0], "o:nope", "o:~ffffffffffff", "o:" + "é" * 40]:
        assert codec.decode(forged) is None


def test_deep_link_payloads(engine: Engine) -> None:
    keys = [i.id for i in engine.knowledge.intents] + [f.id for f in engine.knowledge.facts]
    codec = KeyCodec([*keys, "长键" * 40])
    for key in [*keys, "长键" * 40]:
        payload = KeyCodec.payload(key)
        assert len(payload) <= 64 and payload.replace("-", "").replace("_", "").isalnum()
        assert codec.from_payload(payload) == key
    assert codec.from_payload("x-!!!") is None and codec.from_payload("nothing") is None
    assert deep_link(BOT, keys[0]) == f"https://t.me/{BOT}?start={KeyCodec.payload(keys[0])}"


def test_cut_at_sentence() -> None:
    text = "第一句话。第二句话比较长一些！第三句？"
    assert cut_at_sentence(text, 100) == text
    assert cut_at_sentence(text, 12) == "第一句话。……"
    assert cut_at_sentence("没有任何标点的很长的一句话", 8) == "没有任何标点……"
    assert cut_at_sentence(text, 2) == ""


def test_every_answer_fits_any_budget(engine: Engine) -> None:
    codec = KeyCodec([i.id for i in engine.knowledge.intents])
    for budget in (200, 300, 4000):
        renderer = Renderer(engine, codec, budget)
        for intent in engine.knowledge.intents:
            reply = engine.reply_for(intent.id)
            assert reply is not None
            rendered = renderer.reply(reply)
            plain = rendered.text
            for tag in ("<blockquote>", "</blockquote>"):
                plain = plain.replace(tag, "")
            plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            assert len(plain) <= budget
            assert plain.split("\n")[-1].startswith("来源：")


def test_flood_window() -> None:
    clock = ManualClock()
    guard = FloodGuard(2, window=60, clock=clock)
    assert [guard.check(1) for _ in range(2)] == [Verdict.ALLOW, Verdict.ALLOW]
    assert guard.check(1) is Verdict.WARN
    assert guard.check(1) is Verdict.SILENT
    assert guard.check(2) is Verdict.ALLOW
    clock.advance(30)
    assert guard.check(1) is Verdict.SILENT
    clock.advance(30)
    assert guard.check(1) is Verdict.ALLOW  # the first two have aged out
    assert guard.check(1) is Verdict.ALLOW
    assert guard.check(1) is Verdict.WARN  # a fresh notice for a fresh window
