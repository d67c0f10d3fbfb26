"""`factbot report` on what real users did: questions sent through the production bot over the
fake Bot API, a 👎 pressed, then the report run as a subprocess on the bot's SQLite file, and
its YAML pasted into a copy of the knowledge, which then passes check and answers."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

from bot.engine.engine import Engine
from tests.conftest import run_cli
from tests.telegram.support import ALICE, BOB, KNOWLEDGE, BotHarness

# Pairs of wordings of one question the engine may decline (it is being tuned: the test takes
# the first pair it declines both of).
DECLINED_PAIRS = [
    ("北脑二号在猴子脑袋里放了什么？", "北脑二号往猴子的脑袋里放了什么？"),
    ("三城一区里的“一区”全称是什么？", "三城一区的“一区”全称叫什么？"),
    ("肥城锂电产业园里都配了哪些设施？", "肥城锂电产业园都配了什么设施？"),
    ("优薯1号出自哪家科研单位？", "优薯1号是哪家科研单位搞出来的？"),
]
SHANGHAI = ("上海有多少所高校？", "上海有几所大学")
VOTED = "北京有多少所高校？"


def _declined_pair(engine: Engine) -> tuple[str, str]:
    for pair in DECLINED_PAIRS:
        if all(engine.ask(q).kind == "fallback" for q in pair):
            return pair
    raise AssertionError("the engine answers every pair now: add a pair it declines")


def _report(data_dir: Path, *args: str):
    return run_cli("report", "--data-dir", str(data_dir), *args)


def _groups(stdout: str) -> list[str]:
    return re.split(r"\n\n(?=group \d+: )", stdout.strip())[1:]


async def test_report_groups_what_users_asked_and_its_snippet_makes_it_answered(
    bot: BotHarness, engine: Engine, tmp_path: Path
) -> None:
    first, second = _declined_pair(engine)
    await bot.private(ALICE, first)
    await bot.private(BOB, first)
    await bot.private(BOB, second)
    for question in SHANGHAI:
        await bot.private(ALICE, question)
    reply = engine.ask(VOTED)
    answer = await bot.private(ALICE, VOTED)
    down = bot.fake.callback_query_update(
        ALICE, ALICE, answer.result["message_id"], f"d:{reply.intent}"
    )
    await bot.exchange(down)
    assert len(await bot.storage.aio.unanswered()) == 5  # after the queued notes

    data_dir = bot.settings.data_dir
    result = await asyncio.to_thread(_report, data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("knowledge: ")
    assert result.stdout.startswith("6 question(s) in 3 group(s), the most asked first")
    declined, shanghai, voted = _groups(result.stdout)

    # The most asked: both wordings, counted, with the engine's nearest intent and its score.
    notes = engine.ask(first, explain=True).explanation
    top = next(c for c in notes["candidates"] if c["candidate"].startswith("intent:"))
    intent = top["candidate"].removeprefix("intent:")
    lines = declined.splitlines()
    assert lines[:3] == ["group 1: 3 time(s) (declined 3)", f"  2× {first}", f"  1× {second}"]
    assert lines[3].startswith(f"  nearest intents: {intent} {top['score']:.2f}")
    assert lines[4] == "  nearest facts:" and lines[5].startswith("    bj.")
    assert f"  to do: add the question to {intent} (score {top['score']:.2f}" in declined
    where = next(line for line in lines if line.startswith("  paste into "))
    line = int(re.search(r"after line (\d+) \(the last example of (\w+)\):", where).group(1))
    assert f"(the last example of {intent}):" in where
    snippet = lines[lines.index(where) + 2 :]
    assert snippet == [f"    - {first}", f"    - {second}"]

    assert shanghai.splitlines()[:3] == [
        "group 2: 2 time(s) (declined 2)",
        f"  1× {SHANGHAI[0]}",
        f"  1× {SHANGHAI[1]}",
    ]
    assert "  to do: the article never mentions 上海: declining is right, nothing to add" in (
        shanghai
    )
    assert "paste into" not in shanghai

    assert voted.splitlines()[:3] == [
        "group 3: 1 time(s) (👎 1)",
        f"  1× {VOTED}",
        f"  👎 on the answer quoting {reply.sources[0].fact_id}",
    ]
    assert f"  to do: answered by intent {reply.intent} and voted 👎" in voted

    # The snippet pasted where the report says: check passes and the question is answered.
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy, ignore=shutil.ignore_patterns("eval"))
    intents = (copy / "intents.yaml").read_text(encoding="utf-8").split("\n")
    assert intents[line - 1].startswith("    - ")  # the intent's last example
    intents[line:line] = snippet
    (copy / "intents.yaml").write_text("\n".join(intents), encoding="utf-8")
    checked = await asyncio.to_thread(run_cli, "--knowledge", str(copy), "check")
    assert checked.returncode == 0, checked.stderr
    for question in (first, second):
        asked = await asyncio.to_thread(
            run_cli, "--knowledge", str(copy), "ask", "--json", question
        )
        answered = json.loads(asked.stdout)
        assert (answered["kind"], answered["intent"]) == ("answer", intent)

    # What was asked before a date is left out.
    later = await asyncio.to_thread(_report, data_dir, "--since", "2999-01-01")
    assert later.returncode == 0
    assert (
        later.stdout
        == "nothing to report since 2999-01-01: every question was answered, and no 👎\n"
    )


async def test_report_without_a_database_says_where_it_looked(tmp_path: Path) -> None:
    result = await asyncio.to_thread(_report, tmp_path)
    assert result.returncode == 1
    assert f"factbot report: no database at {tmp_path / 'factbot.sqlite3'}" in result.stderr
    assert not (tmp_path / "factbot.sqlite3").exists()
    undated = await asyncio.to_thread(_report, tmp_path, "--since", "yesterday")
    assert undated.returncode == 2
    assert undated.stderr.endswith(
        "factbot report: --since 'yesterday' is not a date (YYYY-MM-DD)\n"
    )
