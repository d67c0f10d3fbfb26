"""Follow-up questions (bot/engine/context.py): text + context -> reply + context."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.context import EMPTY, TTL_SECONDS, Context
from bot.kb.store import load_language
from bot.kb.yamlsrc import display_path


def talk(engine, *questions: str, step: float = 10.0, context: Context = EMPTY):
    """The replies to a conversation's turns, and the context after the last one."""
    replies, now = [], 1000.0
    for question in questions:
        reply, context = engine.converse(question, context, now)
        replies.append(reply)
        now += step
    return replies, context


def answered(reply, *strings: str) -> bool:
    return reply.kind == "answer" and all(s in reply.text for s in strings)


def test_pronouns_stand_for_the_last_topic(engine) -> None:
    (what, who, length), context = talk(
        engine, "Vidu是什么？", "它是谁发布的？", "它现在能生成多长？"
    )
    assert answered(what, "视频大模型")
    assert answered(who, "清华大学") and who.intent == engine.ask("Vidu是谁发布的").intent
    assert answered(length, "16秒")
    assert ("vidu", "product") in context.topic


def test_a_person_pronoun_finds_the_person_the_answer_named(engine) -> None:
    (_, prize), _ = talk(engine, "清华人工智能学院的首任院长是谁？", "他得过什么奖？")
    assert answered(prize, "图灵奖")


def test_a_pronoun_with_a_noun_picks_the_name_holding_it(engine) -> None:
    (_, head), _ = talk(engine, "北脑二号是谁研发的？", "这个研究所的所长是谁？")
    assert answered(head, "罗敏")


def test_ellipsis_puts_the_new_noun_into_the_last_question(engine) -> None:
    (_, institutes, researchers), _ = talk(
        engine, "北京有多少所高校？", "科研院所呢？", "那科研人员呢"
    )
    assert answered(institutes, "1000余所")
    assert answered(researchers, "55万")
    (_, masters), _ = talk(engine, "肥城锂电园区常驻多少博士？", "硕士呢？")
    assert answered(masters, "37名硕士")


def test_ellipsis_of_another_place_is_declined_not_answered_with_beijing(engine) -> None:
    (_, shanghai), context = talk(engine, "北京有多少所高校？", "上海呢？")
    assert shanghai.kind != "answer" and "92" not in shanghai.text
    # the refusal keeps the conversation: the next follow-up still means Beijing
    (institutes,), _ = talk(engine, "科研院所呢？", context=context)
    assert answered(institutes, "1000余所")


def test_ellipsis_of_another_time_replaces_the_time(engine) -> None:
    (then, now), _ = talk(engine, "Vidu今年3月能生成多长的视频？", "现在呢？")
    assert answered(then, "8秒") and answered(now, "16秒")


def test_a_follow_up_the_article_does_not_answer_is_declined(engine) -> None:
    (_, price, who), _ = talk(engine, "Vidu是什么？", "它多少钱？", "它是谁发布的？")
    assert price.kind == "fallback" and not price.sources
    assert answered(who, "清华大学")  # the topic survives the refusal


def test_a_message_that_stands_alone_starts_a_new_topic(engine) -> None:
    (_, universities, institutes), context = talk(
        engine, "Vidu是什么？", "北京有多少所高校？", "科研院所呢？"
    )
    assert universities == engine.ask("北京有多少所高校？")
    assert answered(institutes, "1000余所")
    assert context.topic[0] == ("北京", "place") and "vidu" not in dict(context.topic)


def test_a_refused_new_question_drops_the_context(engine) -> None:
    (_, shanghai, pronoun), context = talk(engine, "Vidu是什么？", "上海有多少所高校？", "它呢")
    assert shanghai.kind == "fallback"
    assert context == EMPTY and pronoun.kind != "answer"


def test_more_shows_the_whole_paragraph_then_the_next_ones(engine) -> None:
    (answer, more, again), context = talk(engine, "RV减速机是什么？", "详细说说", "还有呢？")
    first = answer.sources[0].paragraph_id
    [section] = [
        list(s.paragraphs)
        for s in engine.knowledge.main_article.sections
        if first in [p.id for p in s.paragraphs]
    ]
    at = [p.id for p in section].index(answer.sources[0].paragraph_id)
    assert more.kind == "answer" and "15厘米" in more.text
    assert [s.quote for s in more.sources] == [p.text for p in section[at : at + 2]]
    assert more.sources[0].locator == answer.sources[0].locator
    assert again.kind == "answer" and [s.quote for s in again.sources] == [section[at + 2].text]
    assert again.lead == "文章接着说："
    assert set(context.shown) > {s.fact_id for s in more.sources}


def test_the_original_is_the_paragraph_the_answer_quoted(engine) -> None:
    (answer, original), _ = talk(engine, "北京有多少所高校？", "原文怎么说")
    paragraph = engine.paragraph_of(answer.sources[0].fact_id)
    assert paragraph is not None
    assert original.kind == "answer" and original.sources[0].quote == paragraph[0]
    assert original.lead != answer.lead


def test_more_without_a_conversation_is_not_an_answer(engine) -> None:
    (more,), context = talk(engine, "还有呢？")
    assert more.kind != "answer" and context == EMPTY


def test_the_context_is_forgotten_after_a_few_minutes(engine) -> None:
    (_, late), _ = talk(engine, "Vidu是什么？", "它现在能生成多长？", step=TTL_SECONDS + 1)
    assert late == engine.ask("它现在能生成多长？")
    (_, soon), _ = talk(engine, "Vidu是什么？", "它现在能生成多长？", step=TTL_SECONDS - 1)
    assert answered(soon, "16秒")


def test_small_talk_keeps_the_conversation(engine) -> None:
    (_, thanks, more), _ = talk(engine, "北京有多少所高校？", "谢谢", "原文怎么说")
    assert thanks.kind == "smalltalk" and answered(more, "1000余所科研院所")


def test_converse_is_pure(engine) -> None:
    _, context = talk(engine, "Vidu是什么？")
    first = engine.converse("它是谁发布的？", context, 1015.0)
    assert engine.converse("它是谁发布的？", context, 1015.0) == first
    assert first[1].at == 1015.0 and context.at == 1000.0
    with pytest.raises(FrozenInstanceError):
        context.key = "x"  # type: ignore[misc]
    # without a context a message is read alone, exactly as `ask` reads it
    assert engine.converse("北京有多少所高校？", EMPTY, 0.0)[0] == engine.ask("北京有多少所高校？")


def test_follow_up_words_are_validated_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "language.yaml"
    path.write_text(
        "attribute_questions: {}\n"
        "followups:\n  more: [还有呢]\n  pronoun: [它]\n  original: 原文\n",
        encoding="utf-8",
    )
    language, errors = load_language(path)
    assert language.followups == {"more": ("还有呢",)}
    shown = [f"{e.path}:{e.line}" for e in errors]
    assert shown == [f"{display_path(path)}:4", f"{display_path(path)}:5"]
    assert "unknown list 'pronoun'" in errors[0].message


_PIECES = [
    "它",
    "他",
    "这个",
    "呢",
    "那",
    "还有",
    "原文",
    "详细说说",
    "北京",
    "高校",
    "Vidu",
    "it",
    "what about",
    "多少",
    "？",
    "😂",
    " ",
    "谁",
    "2023年",
    "\u200b",
    "上海",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join))
def test_any_message_in_a_conversation_gets_a_reply_quoting_the_article(engine, text) -> None:
    _, context = talk(engine, "北京有多少所高校？")
    reply, after = engine.converse(text, context, 1010.0)
    assert reply.kind in ("answer", "clarify", "smalltalk", "fallback")
    for source in reply.sources:
        paragraph = engine.paragraph_of(source.fact_id)
        assert paragraph is not None
        assert all(part in paragraph[0] for part in source.quote.split("……"))
    assert after == EMPTY or after.key  # a context is either empty or about an answer


def test_a_pronoun_after_the_message_s_own_name_is_that_name(engine) -> None:
    (_, own), _ = talk(engine, "Vidu是什么？", "姚智是谁，他得过什么奖")
    assert answered(own, "图灵奖")
    (_, where), context = talk(
        engine, "Vidu是什么？", "京津冀科技创新服务平台地图上面有多少个平台？"
    )
    assert answered(where, "300余个")  # 地图上面: no pronoun, a new topic
    assert "vidu" not in dict(context.topic)


def test_addressing_a_bot_is_not_part_of_a_follow_up(engine) -> None:
    (_, more, shanghai), _ = talk(
        engine, "@factbot_bot 北京有多少所高校？", "@factbot_bot 还有呢", "/ask@factbot_bot 上海呢"
    )
    assert more.kind == "answer" and more.lead == "原文是这样写的："
    assert shanghai.kind == "fallback" and "92" not in shanghai.text


def test_more_may_name_what_it_is_about_when_that_is_the_topic(engine) -> None:
    first = "天坛医院的手术机器人做了多少例手术？"
    for more in ("详细说说它", "展开讲讲这个机器人", "多说点手术机器人的"):
        (_, reply), _ = talk(engine, first, more)
        assert reply.kind == "answer" and reply.lead == "原文是这样写的：", more
    (_, price), _ = talk(engine, first, "这个机器人多少钱")
    assert price.kind == "fallback"


def test_a_pronoun_keeps_the_rest_of_the_topic_when_alone_it_reads_elsewhere(engine) -> None:
    (_, origin), _ = talk(engine, "肥城锂电园区有多少博士？", "他们是从哪些单位来的")
    assert answered(origin, "山东大学")  # not the sidebar's 综合各媒体报道


def test_it_never_stands_for_a_place_the_answer_only_mentioned(engine) -> None:
    (what, who), context = talk(engine, "夸父是什么？", "它是哪家单位研发的？")
    assert answered(what, "量子计算云平台") and ("北京", "place") in context.answer
    assert who.kind == "fallback"  # the article never says; not 北京天坛医院's robot


def test_a_demonstrative_finds_a_name_the_answer_only_quoted(engine) -> None:
    (person, made), _ = talk(engine, "罗敏是谁？", "这个所研发了什么？")
    assert "北京脑科学与类脑研究所" not in person.lead  # named only in the quote
    assert answered(made, "北脑二号")


def test_an_english_follow_up_asks_with_its_own_question_words(engine) -> None:
    (_, origin), _ = talk(engine, "How many doctors are based in Feicheng?", "where are they from?")
    assert answered(origin, "山东大学")  # not small talk: "where" asks


def test_a_plural_pronoun_stands_for_the_last_two_topics_of_one_kind(engine) -> None:
    (_, _, both), context = talk(engine, "夸父是啥", "悟道3.0呢", "它们都是哪里涌现的成果")
    assert answered(both, "夸父", "悟道3.0", "北京")
    assert context.question.startswith("夸父和悟道3.0")  # read of both
    (_, _, who), _ = talk(engine, "夸父是啥", "悟道3.0呢", "它们分别是哪家机构研发的？")
    assert who.kind == "fallback"  # the article names no developer of either


def test_a_yes_or_no_with_no_subject_is_asked_of_the_topic(engine) -> None:
    (_, free), context = talk(engine, "Vidu是谁发布的？", "可以免费使用吗")
    assert free.kind == "fallback"  # not 肥城's free research space
    assert ("vidu", "product") in context.topic  # the refusal keeps the conversation


def test_the_whole_country_as_a_subject_is_not_asked_of_the_topic_s_place(engine) -> None:
    first = "北京万人发明专利拥有量是多少"
    (_, average), _ = talk(engine, first, "那全国平均是多少")
    assert average.kind == "fallback"  # the article gives Beijing's figure only
    (_, rank), _ = talk(engine, "北京的国家实验室数量怎么样", "在全国排第几")
    assert answered(rank, "全国首位")  # 在全国: the scope of Beijing's rank


def test_a_place_inside_after_a_preposition_is_the_last_topic_past_a_name(engine) -> None:
    first = "北京推进科技创新中心建设多少年了"
    (_, role), _ = talk(engine, first, "中关村在这里面是什么角色")
    assert answered(role, "主阵地")  # 这里面: Beijing's centre, though 中关村 is named before it


def test_a_period_of_review_is_the_review(engine) -> None:
    (_, review), _ = talk(engine, "阮珏是谁", "他的考察期有多久")
    assert answered(review, "6年")  # 考察期 is 为期6年的考察


def test_where_the_box_shown_comes_from_is_its_credit_line(engine) -> None:
    (_, credit), _ = talk(engine, "相关链接的标题是什么", "这块是转载的吗")
    assert answered(credit, "综合各媒体报道")  # the box's 来源说明, not a section heading
    (_, running), _ = talk(engine, "北京有几所高校", "那部分是原创的吗")
    assert "综合各媒体报道" not in running.text  # the running text has no such credit
    (_, pronoun), _ = talk(engine, "相关链接的标题是什么", "它的内容都是哪来的")
    assert answered(pronoun, "综合各媒体报道")  # 它, not a request for more of the passage
    (_, people), _ = talk(engine, "肥城锂电产业园常驻多少博士", "他们是从哪来的")
    assert answered(people, "山东大学")  # where the doctors come from, not the box's sources


def test_a_bare_question_is_not_answered_of_another_part_of_the_article(engine) -> None:
    (_, who), _ = talk(engine, "RV减速机是什么", "谁研发的")
    assert who.kind == "fallback"  # never the surgical robot's team, which a curated question
    # of that wording names
    (_, inventor), _ = talk(engine, "猴子用意念控制机械臂抓草莓是什么成果", "谁研发的")
    assert answered(inventor, "北京脑科学与类脑研究所")  # of the topic: its own section
