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


def test_a_new_intent_snippet_is_a_valid_intent_once_it_has_five_examples(
    engine, knowledge_copy
) -> None:
    import json

    from bot.curate.advice import Near
    from bot.curate.groups import Group, Phrasing
    from tests.conftest import run_cli

    fact = next(f for f in engine.knowledge.facts if f.paragraph.startswith("bj.s1.p"))
    questions = [f"{fact.text[:8]}那句话怎么说的", f"{fact.text[:8]}后面是什么"]
    advisor = Advisor(engine, normalize)
    group_ = Group([Phrasing(q, normalize(q), {"fallback": 1}) for q in questions])
    advice = advisor._new_intent(group_, [], [Near(fact.id, 0.6, text=fact.text)])
    assert advice.snippet[:4] == [
        f"- id: new_{fact.section}_{fact.id.rsplit('.', 1)[-1]}",
        f"  title: {_scalar(questions[0])}",
        f"  answer: {_scalar(fact.text)}",
        f"  facts: [{fact.id}]",
    ]
    more = [f"    - {fact.text[:8]}第{n}种问法是什么" for n in range(3)]
    intents = knowledge_copy / "intents.yaml"
    text = intents.read_text(encoding="utf-8").rstrip("\n")
    intents.write_text("\n".join([text, *advice.snippet, *more]) + "\n", encoding="utf-8")
    checked = run_cli("--knowledge", str(knowledge_copy), "check")
    assert checked.returncode == 0, checked.stderr
    asked = json.loads(
        run_cli("--knowledge", str(knowledge_copy), "ask", "--json", questions[0]).stdout
    )
    assert asked["kind"] == "answer" and fact.text in asked["text"]
