"""Abuse: what people must not be able to do, tried the ways people try it.

Subscriptions change only by an admin's new command (not by editing an old message, not by a
forward, not by a command addressed to another bot); owner-only commands look exactly like
commands the bot does not have; forged buttons and deep links get a short notice; one
flooding user is throttled while others are answered; the token and what people write stay
out of the INFO log; YAML is only ever loaded safely and SQL only ever parameterised (both
checked in the source, with checkers that are shown to catch what they look for).
"""

from __future__ import annotations

import ast
import asyncio
import base64
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.engine.engine import Engine
from bot.telegram.logs import setup_logging
from tests.telegram.support import ALICE, BOB, GROUP, BotHarness, MakeBot, answer_html

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for d in ("bot", "bench", "tests") for p in (ROOT / d).rglob("*.py"))
UNKNOWN = "我不认识这个命令。发送 /help 看看我能做什么。"
EXPIRED = "这个链接指向的内容已经不在了，你可以直接提问。"
STALE = "这个按钮已过期，请重新提问。"
SLOW_DOWN = "你问得太快了，请稍等一分钟再问。"
QUESTION = "北京有多少所高校？"
MEMBER, ADMIN = ALICE, BOB


@pytest.fixture
def group(fake) -> None:
    fake.set_member(GROUP, MEMBER, "member")
    fake.set_member(GROUP, ADMIN, "administrator")


async def replies_in_group(bot: BotHarness, update: dict) -> list[str]:
    """What the bot said in the group in reply to ``update``. Subscription commands stop
    their update before the harness sees it finish, so a question asked after it marks the
    end, with a moment's grace for the admin check's round trip."""
    body = update.get("message") or update.get("edited_message")
    assert body is not None
    mark = len(bot.fake.calls)
    bot.fake.push_update(update)
    sentinel = bot.fake.push_update(bot.fake.message_update(GROUP, ADMIN, f"/ask {QUESTION}"))
    await bot.settle(sentinel["update_id"])
    await asyncio.sleep(0.15)
    bot.clock.advance(61)  # the sentinels are not a flood
    return [c.result["text"] for c in bot.fake.calls[mark:] if c.ok and c.method == "sendMessage"
            and c.params["chat_id"] == GROUP
            and c.params.get("reply_parameters", {}).get("message_id") == body["message_id"]]


async def test_subscriptions_change_only_by_an_admins_new_command(
    bot: BotHarness, group: None
) -> None:
    fake, storage = bot.fake, bot.storage
    refused = await replies_in_group(bot, fake.message_update(GROUP, MEMBER, "/subscribe 07:00"))
    assert refused == ["只有群管理员可以订阅。"]
    # A member edits an old message into a command; forwards an admin's; names another bot.
    hello = fake.message_update(GROUP, MEMBER, "大家好")
    await replies_in_group(bot, hello)
    attempts = [
        fake.message_update(GROUP, MEMBER, "/subscribe 07:00", edited=True,
                            message_id=hello["message"]["message_id"]),
        fake.message_update(GROUP, MEMBER, "/subscribe 07:00", forward={"id": ADMIN,
                            "is_bot": False, "first_name": "Ada"}),
        fake.message_update(GROUP, ADMIN, "/subscribe 07:00", forward=True),
        fake.message_update(GROUP, ADMIN, "/subscribe@otherbot 07:00"),
        fake.message_update(GROUP, None, "/subscribe 07:00", sender_chat=-1009999),
    ]
    said = [await replies_in_group(bot, update) for update in attempts]
    assert said == [[], [], [], [], ["只有群管理员可以订阅。"]]
    assert storage.get_subscription(GROUP) is None

    command = fake.message_update(GROUP, ADMIN, "/subscribe 09:30")
    [done] = await replies_in_group(bot, command)
    assert done.startswith("已订阅：每天 09:30")
    # Nobody moves the time or unsubscribes but an admin's new command, not even the admin
    # by editing the old one.
    attempts = [
        fake.message_update(GROUP, MEMBER, "/subscribe 06:00"),
        fake.message_update(GROUP, MEMBER, "/unsubscribe"),
        fake.message_update(GROUP, ADMIN, "/subscribe 06:00", edited=True,
                            message_id=command["message"]["message_id"]),
        fake.message_update(GROUP, MEMBER, "/unsubscribe", forward=True),
        fake.message_update(GROUP, ADMIN, "/unsubscribe@otherbot"),
    ]
    said = [await replies_in_group(bot, update) for update in attempts]
    assert said == [["只有群管理员可以订阅。"], ["只有群管理员可以退订。"], [], [], []]
    sub = storage.get_subscription(GROUP)
    assert sub is not None and sub.active and sub.post_time == "09:30"


async def test_owner_commands_look_like_commands_the_bot_does_not_have(
    make_bot: MakeBot,
) -> None:
    bot = await make_bot(owner_ids=[ALICE])
    unknown = (await bot.private(BOB, "/nosuchcommand")).params["text"]
    assert unknown == UNKNOWN
    fake = bot.fake
    for command in ("/stats", "/reload"):
        assert (await bot.private(BOB, command)).params["text"] == UNKNOWN
        assert (await bot.private(BOB, f"{command} {ALICE}")).params["text"] == UNKNOWN
        # The owner's message forwarded by someone else, or posted as a channel: no.
        forwarded = fake.message_update(BOB, BOB, command, forward={"id": ALICE,
                                        "is_bot": False, "first_name": "Alice"})
        assert await bot.sends(forwarded) == []
        assert await bot.sends(fake.message_update(GROUP, None, command,
                                                   sender_chat=GROUP)) == []
        # Addressed to another bot, or an old message edited into it: not for us.
        assert await bot.sends(fake.message_update(GROUP, ALICE, f"{command}@otherbot")) == []
        hello = fake.message_update(ALICE, ALICE, "你好")
        await bot.exchange(hello)
        edited = fake.message_update(ALICE, ALICE, command, edited=True,
                                     message_id=hello["message"]["message_id"])
        assert await bot.sends(edited) == []
    texts = [c.params["text"] for c in fake.calls_of("sendMessage")]
    assert not any("factbot stats" in t or "reload" in t.lower() for t in texts)


@pytest.mark.parametrize(
    "payload",
    ["../../etc/passwd", "x-" + base64.urlsafe_b64encode(b"no_such").decode().rstrip("="),
     "h-000000000000", "a" * 65, "<b>hi</b>", "x-!!!!", "北京", "inline extra", "x-_-_"],
)
async def test_forged_deep_links_get_a_short_notice(bot: BotHarness, payload: str) -> None:
    call = await bot.private(ALICE, f"/start {payload}")
    assert call.ok
    assert call.result["text"].startswith(EXPIRED + "\n\n你好，Alice！")


@pytest.mark.parametrize(
    "data",
    ["u:~" + "0" * 12, "d:beijing_universities\x00", "a:" + "我" * 20, ":", "o:", "s:~",
     "u:beijing_universities:1", "r:beijing universities"],
)
async def test_forged_buttons_get_a_short_notice(bot: BotHarness, data: str) -> None:
    answer = await bot.private(ALICE, QUESTION)
    press = bot.fake.callback_query_update(ALICE, ALICE, answer.result["message_id"], data)
    calls = await bot.exchange(press)
    assert [(c.method, c.params.get("text")) for c in calls] == [("answerCallbackQuery", STALE)]
    assert await bot.storage.aio.votes() == []


async def test_one_flooding_user_is_throttled_and_others_are_not(
    bot: BotHarness, engine: Engine
) -> None:
    limit = bot.settings.questions_per_minute
    answer = answer_html(engine.ask(QUESTION))
    seen: list[str] = []
    for n in range(limit + 5):
        seen += [c.params["text"] for c in await bot.sends(
            bot.fake.message_update(ALICE, ALICE, QUESTION))]
        if n % 3 == 0:  # Bob, asking meanwhile, is answered every time
            assert (await bot.private(BOB, QUESTION)).params["text"] == answer
    assert seen == [answer] * limit + [SLOW_DOWN]
    bot.clock.advance(61)
    assert (await bot.private(ALICE, QUESTION)).params["text"] == answer


async def test_inline_flooding_is_throttled_for_that_user_only(
    bot: BotHarness, engine: Engine
) -> None:
    limit = bot.settings.questions_per_minute * 6
    for n in range(limit):
        [call] = await bot.exchange(bot.fake.inline_query_update(ALICE, f"北京{n}所高校"))
        assert call.ok
    [over] = await bot.exchange(bot.fake.inline_query_update(ALICE, QUESTION))
    assert over.params["results"] == [] and over.params["is_personal"] is True
    assert over.params["button"]["text"] == "你问得太快了，请稍等一分钟再问"
    assert over.params.get("cache_time") == 0
    [bobs] = await bot.exchange(bot.fake.inline_query_update(BOB, QUESTION))
    assert bobs.params["results"][0]["title"] == engine.answers(QUESTION, limit=5)[0].lead
    bot.clock.advance(61)
    [again] = await bot.exchange(bot.fake.inline_query_update(ALICE, QUESTION))
    assert again.params["results"]


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


async def test_the_info_log_holds_no_token_and_nothing_anyone_wrote(
    make_bot: MakeBot, engine: Engine, restore_logging: None
) -> None:
    stream = io.StringIO()
    setup_logging("INFO", ["123456:TEST-token"], stream=stream)
    bot = await make_bot()
    bot.expect_errors = True
    bot.fake.set_member(GROUP, BOB, "administrator")
    written = ["北京有多少所高校？", "秘密问题：今天天气怎么样？", "我的私事 secret-words"]
    answer = await bot.private(ALICE, written[0])
    key = engine.ask(written[0]).intent
    await bot.exchange(bot.fake.callback_query_update(ALICE, ALICE, answer.result["message_id"],
                                                      f"u:{key}"))
    await bot.exchange(bot.fake.inline_query_update(ALICE, written[1]))
    bot.fake.fail_next("sendMessage", error_code=500)
    await bot.exchange(bot.fake.message_update(ALICE, ALICE, written[2]))
    bot.fake.fail_next("sendMessage", error_code=400, description="Bad Request: boom")
    await bot.exchange(bot.fake.message_update(ALICE, ALICE, written[1]))
    bot.fake.fail_next("answerCallbackQuery", error_code=403, description="Forbidden: x")
    await bot.exchange(bot.fake.callback_query_update(ALICE, ALICE, answer.result["message_id"],
                                                      f"d:{key}"))
    await replies_in_group(bot, bot.fake.message_update(GROUP, BOB, "/subscribe 08:30"))
    bot.fake.block(BOB)
    await bot.exchange(bot.fake.message_update(BOB, BOB, written[2]))
    output = stream.getvalue()
    assert "ERROR bot.telegram" in output and "WARNING bot.telegram" in output
    assert "subscribed at 08:30" in output
    for secret in ("123456:TEST-token", "TEST-token", *written, "secret-words", "天气"):
        assert secret not in output


# ---------------------------------------------------------------------- the source


def unsafe_yaml_calls(source: str) -> list[int]:
    """Lines that load YAML with a loader that can build arbitrary objects."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        if not (isinstance(owner, ast.Name) and owner.id == "yaml"):
            continue
        name = node.func.attr
        if name in ("unsafe_load", "unsafe_load_all", "full_load", "full_load_all"):
            found.append(node.lineno)
        elif name in ("load", "load_all"):
            loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
            if loader is None and len(node.args) > 1:
                loader = node.args[1]
            if not _safe_loader(loader):
                found.append(node.lineno)
    return found


def _safe_loader(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in ("SafeLoader", "CSafeLoader"):
        return True
    return isinstance(node, ast.Name) and node.id in _SAFE_LOADER_NAMES


def _safe_loader_names() -> set[str]:
    """Loader classes the project defines on top of SafeLoader (bot.kb.yamlsrc's, e.g.)."""
    import importlib

    names = set()
    for path in SOURCES:
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        text = path.read_text(encoding="utf-8")
        if "Loader" not in text or "yaml" not in text or not module.startswith("bot."):
            continue
        namespace = vars(importlib.import_module(module))
        for name, value in namespace.items():
            if isinstance(value, type) and issubclass(value, yaml.constructor.SafeConstructor) \
                    and not issubclass(value, yaml.constructor.FullConstructor):
                names.add(name)
    return names


_SAFE_LOADER_NAMES = _safe_loader_names()
_SQL = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "REPLACE ", " WHERE ", "VALUES", "PRAGMA ",
        "CREATE ", "DROP ", "ALTER ")


def formatted_sql(source: str) -> list[int]:
    """Lines that build SQL by formatting values into it (f-strings, %, .format), except
    integers formatted with ``:d`` (PRAGMA takes no parameters) and names the module binds
    to string literals only (a fixed fragment of SQL, not a value)."""
    tree = ast.parse(source)
    fragments = _literal_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            values = [v for v in node.values if isinstance(v, ast.FormattedValue)]
            safe = all(_integer(v) or (isinstance(v.value, ast.Name)
                                       and v.value.id in fragments) for v in values)
            if _is_sql(literal) and values and not safe:
                found.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            if isinstance(node.left, ast.Constant) and _is_sql(str(node.left.value)):
                found.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "format" and isinstance(node.func.value, ast.Constant)
              and _is_sql(str(node.func.value.value))):
            found.append(node.lineno)
    return found


def _integer(value: ast.FormattedValue) -> bool:
    spec = value.format_spec
    return spec is not None and "".join(
        c.value for c in spec.values if isinstance(c, ast.Constant)).endswith("d")


def _literal_names(tree: ast.AST) -> set[str]:
    """Names every assignment of which, in the module, is a string literal."""
    literal: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constant = isinstance(node.value, ast.Constant) and isinstance(
                        node.value.value, str)
                    literal[target.id] = literal.get(target.id, True) and constant
    return {name for name, only in literal.items() if only}


def _is_sql(text: str) -> bool:
    return any(word in text.upper() and word in text for word in _SQL)


def test_the_checkers_catch_what_they_look_for() -> None:
    bad_yaml = ("import yaml\nyaml.load(t)\nyaml.load(t, Loader=yaml.Loader)\n"
                "yaml.unsafe_load(t)\nyaml.full_load(t)\nyaml.load(t, yaml.FullLoader)\n")
    assert unsafe_yaml_calls(bad_yaml) == [2, 3, 4, 5, 6]
    good_yaml = "import yaml\nyaml.safe_load(t)\nyaml.load(t, Loader=yaml.CSafeLoader)\n"
    assert unsafe_yaml_calls(good_yaml) == []
    bad_sql = ('c.execute(f"SELECT * FROM votes WHERE chat_id = {chat}")\n'
               'c.execute("DELETE FROM posts WHERE id = %s" % post)\n'
               'c.execute("INSERT INTO t VALUES ({})".format(v))\n')
    assert formatted_sql(bad_sql) == [1, 2, 3]
    assert formatted_sql('w = f(x)\nc.execute(f"DELETE FROM t WHERE {w}")\n') == [2]
    good_sql = ('c.execute("SELECT * FROM votes WHERE chat_id = ?", (chat,))\n'
                'c.execute(f"PRAGMA user_version = {n:d}")\nprint(f"{n} chats")\n'
                'part = "a = ?"\nc.execute(f"DELETE FROM t WHERE {part}", (a,))\n')
    assert formatted_sql(good_sql) == []


def test_yaml_is_loaded_safely_and_sql_is_parameterised() -> None:
    unsafe, formatted = [], []
    for path in SOURCES:
        if path.name == "test_tg_abuse.py":
            continue  # its own examples of what not to do
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        unsafe += [f"{where}:{line}" for line in unsafe_yaml_calls(source)]
        formatted += [f"{where}:{line}" for line in formatted_sql(source)]
    assert len(SOURCES) > 50 and "CSafeLoader" in _SAFE_LOADER_NAMES | {"CSafeLoader"}
    assert unsafe == [], "YAML loaded with a loader that builds arbitrary objects"
    assert formatted == [], "SQL built by formatting values into it"
