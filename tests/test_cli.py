"""The command line as a user runs it: real subprocesses of `python -m bot`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import KNOWLEDGE, run_cli


def test_ask_prints_a_sourced_answer() -> None:
    result = run_cli("ask", "北京有多少所高校？")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "92" in lines[0]
    assert lines[1].startswith("「") and "92所高校" in lines[1]
    assert lines[2].startswith("来源：《感悟高质量发展的“第一动力”》· ")


def test_ask_json_one_question() -> None:
    result = run_cli("ask", "--json", "上海有多少所高校？")
    reply = json.loads(result.stdout)
    assert set(reply) >= {"kind", "text", "sources", "score", "suggestions"}
    assert reply["kind"] == "fallback" and reply["sources"] == []
    assert 1 <= len(reply["suggestions"]) <= 3


def test_ask_json_reads_one_question_per_line() -> None:
    questions = ["北京有多少所高校？", "你好", "", "比特币多少钱"] * 50
    result = run_cli("ask", "--json", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) == len(questions)
    assert [r["kind"] for r in replies[:4]] == ["answer", "smalltalk", "fallback", "fallback"]
    assert "92" in replies[0]["text"] and replies[0]["sources"]
    assert replies == replies[:4] * 50  # one process, the same answer every time


def test_ask_explain_shows_the_decision() -> None:
    result = run_cli("ask", "--json", "--explain", "上海有多少所高校？")
    explain = json.loads(result.stdout)["explain"]
    assert explain["normalised"] == "上海有多少所高校"
    assert "上海" in explain["decision"]


def test_ask_without_question_or_json_is_a_usage_error() -> None:
    result = run_cli("ask")
    assert result.returncode == 2
    assert "give a question" in result.stderr


def test_chat_answers_until_exit() -> None:
    result = run_cli("chat", stdin="北京有多少所高校？\n谢谢\nexit\n")
    assert result.returncode == 0, result.stderr
    assert "92" in result.stdout
    assert "来源：" in result.stdout


def test_eval_reports_and_gates(tmp_path: Path) -> None:
    questions = tmp_path / "set.yaml"
    questions.write_text(
        '- {q: "北京有多少所高校？", expect: ["92"], tag: para}\n'
        '- {q: "上海有多少所高校？", oos: true, tag: near}\n'
        '- {q: "北京有多少所高校？", expect: ["93"], tag: para}\n',
        encoding="utf-8",
    )
    result = run_cli("eval", str(questions))
    assert result.returncode == 0
    assert "overall 2/3 = 66.7%" in result.stdout
    assert "FAIL [para] 北京有多少所高校？" in result.stdout
    gated = run_cli("eval", str(questions), "--min-accuracy", "0.9")
    assert gated.returncode == 1
    assert "below the minimum 0.9" in gated.stdout


def test_build_is_deterministic(knowledge_copy: Path) -> None:
    before = (knowledge_copy / "facts.yaml").read_bytes()
    assert run_cli("--knowledge", str(knowledge_copy), "build").returncode == 0
    assert (knowledge_copy / "facts.yaml").read_bytes() == before
    assert before == (KNOWLEDGE / "facts.yaml").read_bytes()


def test_ask_json_sessions_share_a_context_in_order() -> None:
    lines = [
        json.dumps({"q": "Vidu是什么？", "session": "s1"}, ensure_ascii=False),
        json.dumps({"q": "北京有多少所高校？", "session": "s2"}, ensure_ascii=False),
        json.dumps({"q": "它是谁发布的？", "session": "s1"}, ensure_ascii=False),
        json.dumps({"q": "科研院所呢？", "session": "s2"}, ensure_ascii=False),
        "它是谁发布的？",  # a plain line has no context
        json.dumps({"q": "它多少钱？", "session": "s1"}, ensure_ascii=False),
    ]
    result = run_cli("ask", "--json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("session") for r in replies] == ["s1", "s2", "s1", "s2", None, "s1"]
    assert "视频大模型" in replies[0]["text"] and "92" in replies[1]["text"]
    assert replies[2]["kind"] == "answer" and "清华大学" in replies[2]["text"]
    assert replies[3]["kind"] == "answer" and "1000余所" in replies[3]["text"]
    alone = run_cli("ask", "--json", "它是谁发布的？")
    assert replies[4] == json.loads(alone.stdout)
    assert replies[5]["kind"] == "fallback" and replies[5]["sources"] == []


def test_chat_reads_follow_ups_with_the_last_answer() -> None:
    result = run_cli("chat", stdin="北京有多少所高校？\n科研院所呢？\n原文怎么说\nexit\n")
    assert result.returncode == 0, result.stderr
    answers = result.stdout.split("> ")[1:]
    assert "92所高校" in answers[0]
    assert answers[1].startswith("北京有1000余所科研院所。")
    assert answers[2].startswith("原文是这样写的：\n「北京市拥有92所高校、1000余所科研院所")


def test_eval_scores_conversations_by_turn_tag(tmp_path: Path) -> None:
    conversations = tmp_path / "conversations.yaml"
    conversations.write_text(
        "- id: c1\n  turns:\n"
        '    - {q: "Vidu是什么？", expect: ["视频大模型"], tag: standalone}\n'
        '    - {q: "它是谁发布的？", expect: ["清华大学"], tag: pronoun}\n'
        '    - {q: "它多少钱？", oos: true, tag: oos}\n'
        "- id: c2\n  turns:\n"
        '    - {q: "北京有多少所高校？", expect: ["92"], tag: standalone}\n'
        '    - {q: "科研院所呢？", expect: ["93"], tag: ellipsis}\n',
        encoding="utf-8",
    )
    result = run_cli("eval", str(conversations), "--min-followup", "0.6")
    assert result.returncode == 0, result.stdout
    assert "follow-ups (pronoun, ellipsis, more, oos): 2/3 = 66.7%" in result.stdout
    assert "ellipsis 0/1 = 0.0%, oos 1/1 = 100.0%, pronoun 1/1 = 100.0%" in result.stdout
    assert "FAIL [ellipsis] c2: 科研院所呢？" in result.stdout
    gated = run_cli("eval", str(conversations), "--min-followup", "0.9")
    assert gated.returncode == 1 and "follow-up accuracy 0.667 is below" in gated.stdout
