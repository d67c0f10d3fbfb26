"""Grouping recorded questions and writing their YAML (bot.curate), on the real engine."""

from __future__ import annotations

import yaml

from bot.curate.advice import Advisor, _scalar
from bot.curate.groups import Asked, group
from bot.engine.normalize import normalize


def test_wordings_naming_different_things_are_not_one_group(engine) -> None:
    advisor = Advisor(engine, normalize)
    asked = [
        Asked("上海有多少所高校？", "fallback"),
        Asked("天津有多少所高校？", "fallback"),
        Asked("上海有多少所高校", "fallback"),  # the same once normalised
        Asked("上海有几所大学", "clarify"),
    ]
    groups = group(asked, normalize, advisor.names)
    assert [[(p.question, p.count) for p in g.phrasings] for g in groups] == [
        [("上海有多少所高校？", 2), ("上海有几所大学", 1)],
        [("天津有多少所高校？", 1)],
    ]
    assert groups[0].counts() == {"fallback": 2, "clarify": 1}


def test_a_vote_is_not_grouped_with_unanswered_questions(engine) -> None:
    advisor = Advisor(engine, normalize)
    asked = [Asked("北京有多少所高校？", "fallback"), Asked("北京有多少所高校？", "down", "x")]
    assert [g.voted_down for g in group(asked, normalize, advisor.names)] == [[], ["x"]]


def test_snippet_text_reads_back_as_written() -> None:
    for text in ["北京有多少所高校？", "“一区”是什么", "- 开头是横线", "a: b", "#话题", "yes"]:
        assert yaml.safe_load(f"- {_scalar(text)}") == [text]
