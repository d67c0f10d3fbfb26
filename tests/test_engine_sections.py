"""The heading of the part that tells of a thing (sections.py)."""

from __future__ import annotations

import pytest

from bot.engine.sections import asks_heading


@pytest.mark.parametrize(
    ("question", "heading", "told"),
    [
        ("讲RV减速机的那部分小标题是什么", "校企携手研发核心部件", "RV减速机"),
        ("Vidu是在哪个部分讲的？", "1个月实现自主研发新突破", "Vidu"),
        ("介绍京津冀科技创新服务平台地图那一节，标题叫啥", "1张地图汇聚3地资源", "地图"),
        ("写深圳农业基因组研究所的那节标题是什么", "稳定支持，科研人才坐稳", "深圳"),
    ],
)
def test_the_heading_of_the_part_that_tells_of_a_thing(
    engine, question: str, heading: str, told: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer"
    assert reply.lead.startswith("讲这件事的那一部分，小标题是：") and heading in reply.lead
    first, second = reply.sources
    assert first.quote.startswith(heading) and first.locator.endswith("标题")  # the heading
    assert told in second.quote  # and the sentence that tells of it, both verbatim


def test_headings_themselves_and_unknown_things_go_the_usual_way(engine) -> None:
    listed = engine.ask("文章有哪几个小标题？")
    assert listed.intent is not None and "讲这件事" not in listed.lead
    assert engine.ask("讲上海的那部分小标题是什么").kind != "answer"


def test_what_asks_for_a_heading() -> None:
    assert asks_heading("讲Vidu的那一节小标题说要瞄准创新的什么")
    assert asks_heading("这个在哪个部分")
    assert not asks_heading("标题党吧，Vidu能生成多长视频")
