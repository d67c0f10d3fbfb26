"""/reload (owner only): valid knowledge replaces the running one in every worker, invalid
knowledge is refused with its errors and the bot keeps answering as before."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.engine.engine import Engine
from tests.telegram.support import ALICE, BOB, MakeBot

NEW_GREETING = "我换了一句新的问候语，有问题尽管问。"


@pytest.fixture
def engine(knowledge_copy: Path) -> Engine:
    """The bot answers from a private copy of the knowledge, which the tests edit."""
    return Engine.load(knowledge_copy)


def new_greeting(directory: Path) -> None:
    path = directory / "smalltalk.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in entries:
        if entry["id"] == "greeting":
            entry["replies"] = [NEW_GREETING]
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("processes", [0, 1], ids=["thread", "worker"])
async def test_reload_swaps_the_knowledge(
    make_bot: MakeBot, knowledge_copy: Path, processes: int
) -> None:
    bot = await make_bot(owner_ids=[ALICE], engine_processes=processes)
    before = (await bot.private(BOB, "你好")).params["text"]
    assert NEW_GREETING not in before
    workers = list(bot.app.bot_data["services"].asker.worker_pids)
    new_greeting(knowledge_copy)
    assert (await bot.private(BOB, "你好")).params["text"] == before  # not before /reload

    done = (await bot.private(ALICE, "/reload")).params["text"]
    assert done.startswith(f"<pre>reloaded {knowledge_copy}: 1 article(s), ")
    assert (await bot.private(BOB, "你好")).params["text"] == NEW_GREETING
    after = bot.app.bot_data["services"].asker.worker_pids
    assert len(after) == processes and set(after).isdisjoint(workers)


async def test_invalid_knowledge_is_refused_and_the_old_one_kept(
    make_bot: MakeBot, knowledge_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await make_bot(owner_ids=[ALICE])
    bot.expect_errors = True
    before = (await bot.private(BOB, "你好")).params["text"]
    new_greeting(knowledge_copy)
    intents = knowledge_copy / "intents.yaml"
    intents.write_text(
        intents.read_text(encoding="utf-8") + "\n- id: broken\n  facts: [no_such_fact]\n",
        encoding="utf-8",
    )
    refused = (await bot.private(ALICE, "/reload")).params["text"]
    assert refused.startswith("<pre>reload refused: ")
    assert "the running knowledge stays" in refused
    assert f"{intents}:" in refused
    assert (await bot.private(BOB, "你好")).params["text"] == before
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.operator"]
    assert any(f"{intents}:" in m and "still answering" in m for m in logged)
