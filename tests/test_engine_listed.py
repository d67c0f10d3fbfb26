"""The rest of a list the answer only partly said (bot/engine/listed.py), asked as "还有什么X"."""

from __future__ import annotations

from bot.engine.listed import LISTED_LEAD
from tests.test_context import talk


def test_other_things_of_a_list_are_the_items_the_answer_did_not_say(engine) -> None:
    first = "中国农科院深圳农业基因组研究所首次培育出的概念性品种叫啥"
    (answer, rest), _ = talk(engine, first, "还有什么成绩")
    assert "优薯1号" in answer.lead and "重大进展" not in answer.lead
    assert rest.kind == "answer" and rest.lead.startswith(LISTED_LEAD.split("{")[0])
    assert "1个教授团队2项研究成果入选2023中国农业科学重大进展" in rest.lead
    assert "7人入选" in rest.lead and "优薯1号" not in rest.lead  # (said already)
    assert rest.sources[0].paragraph_id == answer.sources[0].paragraph_id


def test_an_answer_that_said_part_of_the_list_is_told_only_the_rest(engine) -> None:
    first = "中国农科院深圳农业基因组研究所有几个人进了全球2%顶尖科学家榜单？"
    (answer, rest), _ = talk(engine, first, "还有什么成绩")
    assert "7人" in answer.lead
    assert "重大进展" in rest.lead and "7人入选" not in rest.lead


def test_other_things_after_an_answer_that_quotes_no_list_are_the_passage_s(engine) -> None:
    (_, other), _ = talk(engine, "Vidu演示时输入的提示词是什么？", "还展示过别的视频吗")
    assert not other.lead.startswith(LISTED_LEAD.split("{")[0])
