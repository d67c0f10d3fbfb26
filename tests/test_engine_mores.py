"""Requests for more (bot/engine/mores.py): told from other follow-ups by what they name."""

from __future__ import annotations

from bot.engine.passage import MORE_LEAD, ORIGINAL_LEAD
from tests.test_context import talk


def test_the_original_of_one_thing_is_the_paragraph_that_speaks_of_it(engine) -> None:
    first = "相关链接说我国哪些人才指标居全球首位"
    (answer, original), _ = talk(engine, first, "原文怎么讲人才红利的")
    assert "人才红利" not in answer.text  # the answer quoted the paragraph's other sentences
    assert original.kind == "answer" and original.lead == ORIGINAL_LEAD
    assert "“人口红利”正在加快向“人才红利”转化" in original.text
    assert original.sources[0].paragraph_id == answer.sources[0].paragraph_id


def test_a_request_for_the_original_may_first_restate_the_passage(engine) -> None:
    first = "朱军团队研究生成式人工智能多久了"
    (answer, original), _ = talk(engine, first, "一个月就从8秒做到16秒，原文怎么解释的")
    assert "长期科研积累" not in answer.text
    assert original.lead == ORIGINAL_LEAD and "实则源于长期科研积累和多项原创成果" in original.text
    (_, described), _ = talk(engine, "高校科技成果转化促进大会有多少企业参加", "原文咋形容的")
    assert described.lead == ORIGINAL_LEAD and "“直接对话”" in described.text


def test_more_of_one_thing_is_the_next_paragraph_that_speaks_of_it(engine) -> None:
    first = "纪姝婷团队是通过什么机制跟企业合作的"
    (answer, more), _ = talk(engine, first, "这项技术的效果如何 展开讲讲")
    assert "三分之二" not in answer.text
    assert more.lead == MORE_LEAD and "生产成本降低三分之二，生产效率提高2至3倍" in more.text
    (_, ranking), _ = talk(engine, "北京有多少所高校？", "详细说说北京的大学排名")
    assert ranking.kind == "fallback"  # the passage never speaks of a ranking
    # a new topic asked with a request for more is a question of its own
    (_, new), _ = talk(engine, "Vidu是什么", "北脑二号是什么 介绍一下")
    assert new.intent == engine.ask("北脑二号是什么 介绍一下").intent and new.intent


def test_other_things_may_be_asked_with_what_the_passage_did_with_them(engine) -> None:
    (_, other), _ = talk(engine, "Vidu演示时输入的提示词是什么？", "还展示过别的视频吗")
    assert other.kind == "answer" and "“弹吉他的熊猫”生成视频展示" in other.text
    (_, unknown), _ = talk(engine, "Vidu演示时输入的提示词是什么？", "还卖过别的视频吗")
    assert unknown.kind != "answer"  # the passage never sells anything


def test_a_request_for_more_of_the_words_shown_is_their_paragraph(engine) -> None:
    first = "中关村创新发展研究院院长叫啥"
    (_, _, words), _ = talk(engine, first, "他认为创新方向应该怎样", "详细说说这两个词")
    assert words.lead == ORIGINAL_LEAD  # the words' own paragraph, not the next one
    assert "“立地”即原始创新" in words.text and "“顶天”即前沿创新" in words.text
    assert "92所高校" not in words.text
    (_, thing), _ = talk(engine, "纪姝婷是谁", "详细说说这个机器人")
    assert "纪姝婷" in thing.text  # (a demonstrative with a noun still asks for more)
