"""More of the passage an answer quoted (bot/engine/passage.py), always whole paragraphs."""

from __future__ import annotations

from bot.engine.passage import FULL_AND_NEXT_LEAD, MORE_LEAD, ORIGINAL_LEAD, box_credit
from tests.test_context import talk


def _section(engine, paragraph_id: str) -> list:
    article = engine.knowledge.main_article
    for section in article.sections:
        ids = [p.id for p in section.paragraphs]
        if paragraph_id in ids:
            return list(section.paragraphs)
    raise AssertionError(paragraph_id)


def test_more_after_a_whole_paragraph_is_that_paragraph_in_its_setting(engine) -> None:
    (answer, more, again), _ = talk(engine, "北脑二号是什么？", "详细说说", "还有呢")
    [quoted] = {s.paragraph_id for s in answer.sources}
    paragraphs = _section(engine, quoted)
    at = [p.id for p in paragraphs].index(quoted)
    assert answer.sources[0].quote == paragraphs[at].text  # the answer showed it whole
    assert more.lead == FULL_AND_NEXT_LEAD
    assert [s.quote for s in more.sources] == [p.text for p in paragraphs[at : at + 2]]
    assert again.lead == MORE_LEAD and [s.quote for s in again.sources] == [paragraphs[at + 2].text]


def test_the_original_is_the_passage_between_the_paragraphs_quoted(engine) -> None:
    (answer, original), _ = talk(engine, "阮珏是干什么的？", "原文怎么写的")
    quoted = {s.paragraph_id for s in answer.sources}
    paragraphs = _section(engine, next(iter(quoted)))
    ids = [p.id for p in paragraphs]
    first, last = min(ids.index(p) for p in quoted), max(ids.index(p) for p in quoted)
    assert last - first == 2  # it quotes two paragraphs with one between them
    assert original.lead == ORIGINAL_LEAD
    assert [s.quote for s in original.sources] == [p.text for p in paragraphs[first : last + 1]]


def test_other_things_of_a_kind_are_the_paragraph_that_speaks_of_them(engine) -> None:
    (answer, other), context = talk(engine, "Vidu演示时输入的提示词是什么？", "有没有别的演示")
    assert "熊猫" not in answer.text
    assert other.kind == "answer" and "“弹吉他的熊猫”生成视频展示" in other.text
    assert other.lead == MORE_LEAD and len(other.sources) == 1
    assert set(context.shown) > {s.fact_id for s in answer.sources}
    (_, unknown), _ = talk(engine, "Vidu演示时输入的提示词是什么？", "还有别的价格吗")
    assert unknown.kind != "answer"  # nothing of the passage speaks of prices


def test_what_follows_is_more_never_the_paragraph_itself(engine) -> None:
    (answer, first, onward), _ = talk(engine, "Vidu是谁发布的？", "还有呢", "下一段呢")
    assert onward.lead == MORE_LEAD  # (一段 alone would ask for the original)
    shown = {s.paragraph_id for s in (*answer.sources, *first.sources)}
    assert onward.sources and not {s.paragraph_id for s in onward.sources} & shown
    (_, source), _ = talk(engine, "肥城锂电园区常驻多少博士？", "这段话出自哪里")
    assert source.lead == ORIGINAL_LEAD


def test_chat_before_a_request_for_more_does_not_hide_it(engine) -> None:
    (answer, original), _ = talk(engine, "北京有多少所高校？", "谢谢！那原文呢")
    assert original.kind == "answer" and original.lead == ORIGINAL_LEAD
    assert original.sources[0].paragraph_id == answer.sources[0].paragraph_id



def test_a_box_credit_is_found_only_for_a_fact_in_a_box(engine) -> None:
    sidebar = next(f.id for f in engine.knowledge.facts if f.text == "人才高地的「引才密码」")
    credit = engine.knowledge.fact(box_credit(engine, (sidebar,)))
    assert "综合各媒体报道" in credit.text
    running = next(f.id for f in engine.knowledge.facts if "92所高校" in f.text)
    assert box_credit(engine, (running,)) == ""
