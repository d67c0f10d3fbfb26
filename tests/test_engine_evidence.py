"""Evidence (evidence.py): what a sentence gives that a question asks: a figure for a word, an
unnamed body, a name."""

from __future__ import annotations

import pytest

from bot.engine.analysis import Token
from bot.engine.evidence import counted, unnamed


@pytest.mark.parametrize(
    ("word", "text", "expected"),
    [
        ("高校", "北京有92所高校", True),  # the figure before it
        ("分支机构", "分支机构数量突破1万家", True),  # after it, through a linking word
        ("医院", "北京天坛医院完成手术近200例", False),  # the word inside a longer name
        ("国家实验室", "1000余所科研院所 国家实验室", False),  # the figure counts another thing
        ("人", "7人入选", True),
        ("人", "人才济济", False),
        # the head of a name a figure stands right before: 11家 counts 服务(机构)
        ("服务", "11家中关村集成服务机构入驻", True),
        ("中关村", "11家中关村集成服务机构入驻", False),  # not the name's head
        ("成本", "这项技术将生产成本降低三分之二", True),  # by how much it changed
        ("成本", "零件成本占机器人总成本近三分之一", True),
    ],
)
def test_counted(word: str, text: str, expected: bool) -> None:
    assert counted(word, text, ("北京天坛医院", "中关村集成服务机构")) is expected


def test_unnamed_body() -> None:
    company = Token("企业", "n", "word", True)
    assert unnamed([company], "北脑二号由研究所联合科技企业研发")
    assert unnamed([company], "一家科技企业")
    assert not unnamed([company], "193家高新技术企业")


def test_the_year_in_a_name_dates_that_name_only(engine) -> None:
    reply = engine.ask("中关村论坛年会是哪一年开的")
    assert reply.kind == "answer" and "2024中关村论坛年会" in reply.text
    # what happened at it is not dated by its name
    assert "2024" not in engine.ask("北脑二号是哪年发布的").lead
