"""Tests for the fake Bot API server, driven by the real python-telegram-bot client.

Nothing of PTB is mocked: every test talks HTTP to the fake on 127.0.0.1, so these tests
also pin down that the fake's wire format is what PTB expects.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes, MessageHandler, filters

from tests.fake_telegram import ApiError, Call, EntityScanner, FakeTelegram, TelegramHtml

ALICE_ID = 1001
GROUP_ID = -1001234567890


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.add_chat(ALICE_ID, "private", first_name="Alice", username="alice_cn")
        server.user(ALICE_ID, "Alice", "alice_cn")
        server.add_chat(GROUP_ID, "supergroup", title="高校讨论组")
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as client:
        yield client


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after  # int or timedelta depending on PTB_TIMEDELTA
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# --- identity, sending, formatting ---------------------------------------------------------


async def test_get_me_parses_into_ptb_user(bot: Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "factbot_bot", True)
    assert fake.calls_of("getMe")[-1].ok


async def test_send_message_returns_complete_message(bot: Bot, fake: FakeTelegram) -> None:
    first = await bot.send_message(ALICE_ID, "你好 <b>世界</b>", parse_mode="HTML")
    second = await bot.send_message(ALICE_ID, "again")
    assert first.text == "你好 世界"
    assert first.entities == (MessageEntity("bold", 3, 2),)
    assert first.chat.id == ALICE_ID and first.chat.type == "private"
    assert first.from_user.id == bot.id and first.from_user.is_bot
    assert abs(first.date.timestamp() - time.time()) < 5
    assert second.message_id == first.message_id + 1
    assert fake.sent_messages(ALICE_ID)[0]["text"] == "你好 世界"
    params = fake.calls_of("sendMessage")[0].params
    assert params == {"chat_id": ALICE_ID, "text": "你好 <b>世界</b>", "parse_mode": "HTML"}


async def test_reply_markup_and_reply_are_echoed(bot: Bot, fake: FakeTelegram) -> None:
    update = fake.push_update(fake.message_update(ALICE_ID, ALICE_ID, "/ask 北京"))
    asked = update["message"]["message_id"]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("来源", callback_data="src:1")]])
    sent = await bot.send_message(
        ALICE_ID, "答案", reply_markup=keyboard, reply_to_message_id=asked
    )
    assert sent.reply_markup == keyboard
    assert sent.reply_to_message.text == "/ask 北京"
    assert sent.reply_to_message.from_user.id == ALICE_ID
    with pytest.raises(BadRequest, match=r"(?i)replied not found"):
        await bot.send_message(ALICE_ID, "x", reply_to_message_id=999)


async def test_unknown_chat_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await bot.send_message(424242, "hello")


INVALID_HTML = [
    ("<b>bold", "find end tag"),
    ("a < b", "start tag"),
    ("AT&T", "&"),
    ("&nbsp;", "&"),
    ("<div>x</div>", 'start tag "div"'),
    ("<b><i>x</b></i>", "unmatched end tag"),
    ("x</b>", "unexpected end tag"),
    ("<span>x</span>", "tg-spoiler"),
    ("<br>", 'start tag "br"'),
    ("<a href='x'>x", "find end tag"),
    ("<a href=x y>x</a>", "expected equal sign"),
]
VALID_HTML = [
    ("<b>a</b><strong>b</strong><i>c</i><em>d</em>", "abcd", ["bold", "bold", "italic", "italic"]),
    (
        "<u>a</u><ins>b</ins><s>c</s><strike>d</strike><del>e</del>",
        "abcde",
        ["underline", "underline", "strikethrough", "strikethrough", "strikethrough"],
    ),
    ('<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>', "ab", ["spoiler"] * 2),
    ('<a href="https://x.cn/?a=1&b=2">来源</a>', "来源", ["text_link"]),
    ("<code>1 &lt; 2 &amp;&amp; 3 &gt; 2</code>", "1 < 2 && 3 > 2", ["code"]),
    ('<pre><code class="language-python">x</code></pre>', "x", ["pre"]),
    ("<blockquote expandable>引用</blockquote>", "引用", ["expandable_blockquote"]),
    ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", ["custom_emoji"]),
    ("&quot;&#20013;&#x6587;&quot; a > b", '"中文" a > b', []),
    ("<B>大写</B>", "大写", ["bold"]),
]


@pytest.mark.parametrize(("html", "error"), INVALID_HTML)
def test_html_parser_rejects(html: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        TelegramHtml.parse(html)
    assert caught.value.code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert error.lower() in caught.value.description.lower()


@pytest.mark.parametrize(("html", "text", "types"), VALID_HTML)
def test_html_parser_accepts(html: str, text: str, types: list[str]) -> None:
    plain, entities = TelegramHtml.parse(html)
    assert plain == text
    assert [e["type"] for e in entities] == types


async def test_html_through_ptb(bot: Bot) -> None:
    for html, error in INVALID_HTML:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
            await bot.send_message(ALICE_ID, html, parse_mode="HTML")
        assert error.lower() in caught.value.message.lower(), html
    for html, text, types in VALID_HTML:
        message = await bot.send_message(ALICE_ID, html, parse_mode="HTML")
        assert message.text == text, html
        assert [e.type for e in message.entities] == types, html


async def test_entity_offsets_are_utf16(bot: Bot) -> None:
    message = await bot.send_message(ALICE_ID, "😀😀 <b>粗</b>", parse_mode="HTML")
    assert message.entities[0].offset == 5  # each emoji is two UTF-16 code units
    assert message.parse_entity(message.entities[0]) == "粗"


async def test_text_length_limits(bot: Bot) -> None:
    await bot.send_message(ALICE_ID, "字" * 4096)
    await bot.send_message(ALICE_ID, "<b>" + "字" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(ALICE_ID, "字" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)empty"):
        await bot.send_message(ALICE_ID, "")
    with pytest.raises(BadRequest, match=r"(?i)non-empty"):
        await bot.send_message(ALICE_ID, " \n ")
    with pytest.raises(BadRequest, match=r"(?i)non-empty"):
        await bot.send_message(ALICE_ID, "<b> </b>", parse_mode="HTML")


async def test_callback_data_limit(bot: Bot) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("按钮", callback_data=data)]])

    await bot.send_message(ALICE_ID, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await bot.send_message(ALICE_ID, "no", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await bot.send_message(ALICE_ID, "no", reply_markup=keyboard("北" * 22))  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.send_message(ALICE_ID, "no", reply_markup=keyboard(""))


# --- fault injection ------------------------------------------------------------------------


async def test_flood_wait_surfaces_as_retry_after(
    bot: Bot, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE_ID, "hi")
    assert retry_seconds(caught.value) == 7
    await bot.send_message(ALICE_ID, "hi")  # only the next call failed
    assert [c.http_status for c in fake.calls_of("sendMessage")] == [429, 200]


async def test_fault_can_target_one_chat_and_repeat(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", chat_id=GROUP_ID, times=2, error_code=502)
    await bot.send_message(ALICE_ID, "unaffected")
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_message(GROUP_ID, "x")
    await bot.send_message(GROUP_ID, "x")


async def test_migration_surfaces_as_chat_migrated(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", migrate_to_chat_id=-1009999)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(GROUP_ID, "x")
    assert caught.value.new_chat_id == -1009999

    fake.add_chat(-4242, "group", title="old group")
    new_id = fake.upgrade_to_supergroup(-4242)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-4242, "x")
    assert caught.value.new_chat_id == new_id
    assert (await bot.send_message(new_id, "x")).chat.type == "supergroup"


async def test_blocked_and_kicked_surface_as_forbidden(bot: Bot, fake: FakeTelegram) -> None:
    fake.block(ALICE_ID)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(ALICE_ID, "x")
    fake.unblock(ALICE_ID)
    await bot.send_message(ALICE_ID, "x")

    fake.push_update(fake.my_chat_member_update(GROUP_ID, "kicked", user=ALICE_ID))
    with pytest.raises(Forbidden, match=r"(?i)kicked from the supergroup chat"):
        await bot.send_message(GROUP_ID, "x")


async def test_connection_reset_and_slow_reply(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", kind="reset")
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE_ID, "lost")
    assert fake.calls_of("sendMessage")[-1].http_status is None
    assert fake.sent_messages() == []

    fake.fail_next("sendMessage", kind="timeout", delay=0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE_ID, "slow", read_timeout=0.1)
    # Like Telegram, the message was still sent after the client gave up.
    call = await fake.async_wait_for(lambda c: c.method == "sendMessage" and c.ok)
    assert call.result["text"] == "slow"


async def test_wrong_token_and_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        await Bot("123456:WRONG", base_url=fake.base_url).get_me()
    assert fake.calls[-1].http_status == 401
    with pytest.raises(InvalidToken):
        await Bot("not a token", base_url=fake.base_url).get_me()
    assert fake.calls[-1].http_status == 404
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ALICE_ID})
    assert fake.calls[-1].http_status == 404


async def test_rate_limits_when_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    with FakeTelegram(enforce_rate_limits=True) as fake:
        fake.add_chat(GROUP_ID, "supergroup", title="g")
        for user_id in range(1, 41):
            fake.add_chat(user_id, "private")
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            for _ in range(20):
                await bot.send_message(GROUP_ID, "x")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(GROUP_ID, "x")
            assert 1 <= retry_seconds(caught.value) <= 60
            # Global limit: 30 messages per second across all chats.
            results = await asyncio.gather(
                *(bot.send_message(uid, "x") for uid in range(1, 41)), return_exceptions=True
            )
            assert any(isinstance(r, RetryAfter) for r in results)
        assert any(c.http_status == 429 for c in fake.calls_of("sendMessage"))


async def test_fixed_latency() -> None:
    with FakeTelegram(latency=0.2) as fake:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            started = time.monotonic()
            await bot.get_me()
            assert time.monotonic() - started >= 0.2


# --- editing, callbacks, inline ------------------------------------------------------------


async def test_edits(bot: Bot, fake: FakeTelegram) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("更多", callback_data="more")]])
    sent = await bot.send_message(ALICE_ID, "v1", reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("v1", ALICE_ID, sent.message_id, reply_markup=keyboard)
    edited = await bot.edit_message_text("<i>v2</i>", ALICE_ID, sent.message_id, parse_mode="HTML")
    assert edited.text == "v2" and edited.edit_date is not None
    assert edited.reply_markup is None  # not resent => removed, as on Telegram
    assert fake.get_message(ALICE_ID, sent.message_id)["text"] == "v2"
    restored = await bot.edit_message_reply_markup(ALICE_ID, sent.message_id, reply_markup=keyboard)
    assert restored.reply_markup == keyboard
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_reply_markup(ALICE_ID, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"(?i)to edit not found"):
        await bot.edit_message_text("x", ALICE_ID, 999)
    update = fake.push_update(fake.message_update(ALICE_ID, ALICE_ID, "mine"))
    with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
        await bot.edit_message_text("x", ALICE_ID, update["message"]["message_id"])


async def test_callback_query_round_trip(bot: Bot, fake: FakeTelegram) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("来源", callback_data="src")]])
    sent = await bot.send_message(ALICE_ID, "答案", reply_markup=keyboard)
    fake.push_update(fake.callback_query_update(ALICE_ID, ALICE_ID, sent.message_id, "src"))
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query.data == "src" and query.message.message_id == sent.message_id
    assert query.message.from_user.id == bot.id
    assert await query.answer("ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("twice")


async def test_inline_query_limits(bot: Bot, fake: FakeTelegram) -> None:
    def articles(count: int, same_id: bool = False) -> list[InlineQueryResultArticle]:
        return [
            InlineQueryResultArticle(
                "a" if same_id else str(i),
                f"t{i}",
                InputTextMessageContent(f"<b>{i}</b>", parse_mode="HTML"),
            )
            for i in range(count)
        ]

    for results, error in (
        (articles(51), "Results_too_much"),
        (articles(2, same_id=True), "Result_id_duplicate"),
        (
            [InlineQueryResultArticle("x" * 65, "t", InputTextMessageContent("m"))],
            "Result_id_invalid",
        ),
        (
            [InlineQueryResultArticle("1", "t", InputTextMessageContent("<b>", parse_mode="HTML"))],
            "parse entities",
        ),
    ):
        fake.push_update(fake.inline_query_update(ALICE_ID, "北京", query_id="q1"))
        with pytest.raises(BadRequest, match=error):
            await bot.answer_inline_query("q1", results)
    assert await bot.answer_inline_query("q1", articles(50))


# --- chats and members ---------------------------------------------------------------------


async def test_chat_and_members(bot: Bot, fake: FakeTelegram) -> None:
    fake.set_member(GROUP_ID, 7, "creator", user=fake.user(7, "Owner"))
    fake.set_member(GROUP_ID, 8, "administrator", user=fake.user(8, "Admin"))
    fake.set_member(GROUP_ID, 9, "kicked", user=fake.user(9, "Spammer"))
    fake.set_member(GROUP_ID, bot.id, "administrator")
    chat = await bot.get_chat(GROUP_ID)
    assert (chat.type, chat.title) == ("supergroup", "高校讨论组")
    assert (await bot.get_chat_member(GROUP_ID, 8)).status == "administrator"
    assert (await bot.get_chat_member(GROUP_ID, 9)).status == "kicked"
    assert (await bot.get_chat_member(GROUP_ID, ALICE_ID)).status == "left"
    admins = await bot.get_chat_administrators(GROUP_ID)
    assert sorted(a.user.id for a in admins) == sorted([7, 8, bot.id])
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_chat_member(GROUP_ID, 31337)
    assert await bot.send_chat_action(GROUP_ID, "typing")
    with pytest.raises(BadRequest, match=r"(?i)action"):
        await bot.send_chat_action(GROUP_ID, "dancing")


async def test_commands_are_stored_per_scope(bot: Bot) -> None:
    await bot.set_my_commands([("ask", "提问")])
    await bot.set_my_commands([("help", "帮助")], language_code="en")
    assert [c.command for c in await bot.get_my_commands()] == ["ask"]
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["help"]
    with pytest.raises(BadRequest, match=r"(?i)Bot_command_invalid"):
        await bot.set_my_commands([("Ask-Now", "bad")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


# --- updates ---------------------------------------------------------------------------------


async def test_long_poll_returns_pushed_update_promptly(bot: Bot, fake: FakeTelegram) -> None:
    timer = threading.Timer(0.2, fake.push_update, [fake.message_update(ALICE_ID, ALICE_ID, "hi")])
    timer.start()
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert time.monotonic() - started < 2
    assert updates[0].message.text == "hi"


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
    assert 0.25 <= time.monotonic() - started < 2


async def test_offset_confirms_updates(bot: Bot, fake: FakeTelegram) -> None:
    for text in ("one", "two", "three"):
        fake.push_update(fake.message_update(ALICE_ID, ALICE_ID, text))
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    assert [u.message.text for u in await bot.get_updates()] == ["one", "two", "three"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert fake.pending_updates() == []


async def test_allowed_updates_filter(bot: Bot, fake: FakeTelegram) -> None:
    change = fake.my_chat_member_update(GROUP_ID, "member", old_status="member")
    member_update = {"chat_member": change["my_chat_member"]}
    with pytest.warns(UserWarning, match="allowed_updates"):
        fake.push_update(member_update)  # chat_member is opt-in on Telegram: never generated
    assert fake.pending_updates() == []
    assert await bot.get_updates(allowed_updates=["chat_member"]) == ()
    fake.push_update(member_update)
    (update,) = await bot.get_updates()  # the setting persists, as on Telegram
    assert update.chat_member.chat.id == GROUP_ID
    assert (await bot.get_webhook_info()).pending_update_count == 1


async def test_second_poller_conflicts(bot: Bot, fake: FakeTelegram) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await until(lambda: fake.waiting_polls == 1)
    async with Bot(fake.token, base_url=fake.base_url) as other:
        second = asyncio.create_task(other.get_updates(timeout=0))
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
            await first
        assert await second == ()


async def test_webhook_blocks_polling_and_post_webhook_delivers(
    bot: Bot, fake: FakeTelegram
) -> None:
    received: list[tuple[dict, str | None]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((body, self.headers.get("X-Telegram-Bot-Api-Secret-Token")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret")
        assert (await bot.get_webhook_info()).url == url
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await bot.get_updates()
        status = await asyncio.to_thread(
            fake.post_webhook, None, fake.message_update(ALICE_ID, ALICE_ID, "via hook")
        )
        assert status == 200
        body, secret = received[0]
        assert secret == "s3cret" and body["message"]["text"] == "via hook"
        assert Update.de_json(body, bot).message.from_user.id == ALICE_ID
        assert await bot.delete_webhook()
        assert await bot.get_updates() == ()
    finally:
        receiver.shutdown()
        receiver.server_close()


async def test_stop_releases_pending_long_poll() -> None:
    fake = FakeTelegram().start()
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=20))
        await until(lambda: fake.waiting_polls == 1)
        started = time.monotonic()
        await asyncio.to_thread(fake.stop)
        assert await poll == ()
        assert time.monotonic() - started < 1


# --- update builders -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        ("/ask北京有多少所高校", []),  # a CJK letter right after the command: no command
        ("/ask 北京有多少所高校", ["/ask"]),
        ("/ask@factbot_bot 北京", ["/ask@factbot_bot"]),
        ("/ask@factbot_bot北京", []),
        ("/ask，北京", ["/ask"]),  # full-width punctuation is not a letter
        ("请问 /ask 北京", ["/ask"]),
        ("北京/ask", []),
        ("/ask_2 x", ["/ask_2"]),
        ("/ 北京", []),
        ("http://example.com/ask", []),
    ],
)
def test_command_entities_follow_telegram(text: str, commands: list[str]) -> None:
    fake = FakeTelegram()  # builders work without starting the server
    update = Update.de_json(fake.push_update(fake.message_update(ALICE_ID, ALICE_ID, text)))
    found = update.message.parse_entities([MessageEntity.BOT_COMMAND])
    assert list(found.values()) == commands


def test_entity_scanner_mentions_urls_and_utf16() -> None:
    entities = EntityScanner.scan("😀/ask @factbot_bot 见 https://example.com/a，谢谢 a@bcdefg")
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bot_command", 2, 4),
        ("mention", 7, 12),
        ("url", 22, 21),
    ]


def test_html_parser_directly() -> None:
    text, entities = TelegramHtml.parse("<b>粗<i>斜</i></b>")
    assert text == "粗斜"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 1, "length": 1},
    ]


async def test_builders_produce_parseable_updates(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(GROUP_ID, "机器人的回答")
    alice = fake.user(ALICE_ID, "Alice", "alice_cn")
    channel = {"id": -1005555, "type": "channel", "title": "新闻频道"}
    raws = [
        fake.message_update(GROUP_ID, alice, "追问", reply_to_message_id=sent.message_id),
        fake.message_update(GROUP_ID, None, "匿名", sender_chat=GROUP_ID),
        fake.message_update(GROUP_ID, None, "转发", sender_chat=channel, is_automatic_forward=True),
        fake.message_update(GROUP_ID, alice, None, photo=True, caption="/ask 图"),
        fake.message_update(GROUP_ID, alice, None, sticker=True),
        fake.message_update(GROUP_ID, alice, "fwd", forward=True),
        fake.message_update(GROUP_ID, alice, "改了", edited=True, message_id=sent.message_id + 1),
        fake.channel_post_update(-1005555, "频道新闻"),
        fake.my_chat_member_update(-1007777, "administrator", user=alice, title="new"),
    ]
    updates = [Update.de_json(fake.push_update(raw), bot) for raw in raws]
    reply, anonymous, automatic, photo, sticker, forwarded, edited, post, joined = updates
    assert reply.message.reply_to_message.from_user.id == bot.id
    assert anonymous.message.sender_chat.id == GROUP_ID
    assert anonymous.message.from_user.username == "GroupAnonymousBot"
    assert automatic.message.is_automatic_forward
    assert automatic.message.sender_chat.type == "channel"
    assert photo.message.photo and photo.message.caption == "/ask 图"
    assert photo.message.caption_entities[0].type == "bot_command"
    assert sticker.message.sticker.emoji
    assert forwarded.message.forward_origin.type == "user"
    assert edited.edited_message.text == "改了"
    assert post.channel_post.chat.type == "channel"
    assert joined.my_chat_member.new_chat_member.status == "administrator"
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        fake.push_update(fake.my_chat_member_update(-1007777, "left", user=alice))
        await bot.send_message(-1007777, "x")


# --- encodings, helpers, the real Application ----------------------------------------------


def _post(url: str, body: bytes, content_type: str) -> dict:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5) as response:
        return json.loads(response.read())


def test_json_and_multipart_bodies(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{fake.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}
    reply = _post(
        url,
        json.dumps({"chat_id": ALICE_ID, "text": "json", "reply_markup": markup}).encode(),
        "application/json",
    )
    assert reply["ok"] and reply["result"]["reply_markup"] == markup
    boundary = "XyZ"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in (("chat_id", str(ALICE_ID)), ("text", "123"))
    )
    body = f"{parts}--{boundary}--\r\n".encode()
    reply = _post(url, body, f"multipart/form-data; boundary={boundary}")
    assert reply["result"]["text"] == "123"  # text stays a string even if it looks like JSON
    assert fake.calls_of("sendMessage")[-1].params == {"chat_id": ALICE_ID, "text": "123"}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{fake.base_url}{fake.token}/getChat?chat_id=%40alice_cn", timeout=5) as r:
        assert json.loads(r.read())["result"]["id"] == ALICE_ID  # GET, and "@username" ids


async def test_blocking_wait_for_refuses_inside_event_loop(fake: FakeTelegram) -> None:
    with pytest.raises(RuntimeError, match=r"(?i)async_wait_for"):
        fake.wait_for("sendMessage", timeout=0.1)
    with pytest.raises(TimeoutError, match=r"(?i)sendMessage"):
        await fake.async_wait_for("sendMessage", timeout=0.1)


def test_wait_for_from_a_thread(fake: FakeTelegram) -> None:
    async def later() -> None:
        await asyncio.sleep(0.1)
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            await bot.send_message(ALICE_ID, "one")
            await bot.send_message(ALICE_ID, "two")

    worker = threading.Thread(target=asyncio.run, args=(later(),))
    worker.start()
    call: Call = fake.wait_for("sendMessage", count=2)
    worker.join()
    assert call.result["text"] == "two"
    fake.reset_calls()
    assert fake.calls == []


async def test_ptb_application_receives_update_and_replies(fake: FakeTelegram) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"问题：<b>{' '.join(context.args)}</b>", parse_mode="HTML")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"收到：{update.message.text}", do_quote=True)

    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("ask", ask))
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        fake.push_update(fake.message_update(ALICE_ID, ALICE_ID, "/ask 北京"))
        fake.push_update(fake.message_update(ALICE_ID, ALICE_ID, "/ask北京有多少所高校"))
        second = await fake.async_wait_for(lambda c: c.method == "sendMessage" and c.ok, count=2)
        await app.updater.stop()
        await app.stop()
    first = fake.sent_messages(ALICE_ID)[0]
    assert first["text"] == "问题：北京"
    assert first["entities"] == [{"type": "bold", "offset": 3, "length": 2}]
    # No bot_command entity, so CommandHandler ignores it and the echo handler answers.
    assert second.result["text"] == "收到：/ask北京有多少所高校"
    assert second.result["reply_to_message"]["text"] == "/ask北京有多少所高校"
    assert fake.pending_updates() == []  # the updater confirmed what it fetched
