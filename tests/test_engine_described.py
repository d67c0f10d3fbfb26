"""Descriptions instead of names (described.py): the name the sentence beside gives."""

from __future__ import annotations


def test_a_described_part_is_answered_with_its_name_and_that_sentence_quoted(engine) -> None:
    reply = engine.ask("那个像关节一样的黑色圆盒子零件叫什么")
    assert reply.kind == "answer"
    quoted = "".join(s.quote for s in reply.sources)
    assert "RV减速机" in quoted and "黑色的圆形盒子" in quoted  # both sentences, verbatim


def test_a_name_beside_of_another_kind_of_thing_does_not_answer(engine) -> None:
    # The sentence beside names the video model, not the architecture it is built on.
    assert engine.ask("朱军团队2022年提出的核心架构叫什么名字？").kind != "answer"


def test_a_sentence_that_names_it_itself_goes_first(engine) -> None:
    reply = engine.ask("朱军团队的视频模型叫啥名")
    assert reply.kind == "answer" and "Vidu" in reply.text
