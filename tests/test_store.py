"""`factbot check`: the committed knowledge passes, and each kind of breakage is reported with
file, line and what to do, exit status 1 -- by every command, never with a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine.normalize import normalize
from bot.kb.store import load_knowledge, uncovered_facts
from bot.kb.yamlsrc import KnowledgeInvalid
from tests.conftest import KNOWLEDGE, run_cli


def _errors(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeInvalid) as caught:
        load_knowledge(directory, normalise=normalize)
    return [str(e) for e in caught.value.errors]


def _replace(path: Path, old: str, new: str) -> None:
    """Replace the first occurrence of `old` outside comment lines."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines):
        if old in line and not line.lstrip().startswith("#"):
            lines[number] = line.replace(old, new, 1)
            path.write_text("\n".join(lines), encoding="utf-8")
            return
    raise AssertionError(f"{old!r} not found in {path}")


def _replace_line(path: Path, old: str, new: str) -> None:
    """Replace the first line that is exactly `old`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[lines.index(old)] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def _line(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line and not line.lstrip().startswith("#"):
            return number
    raise AssertionError(needle)


def _code(path: Path) -> str:
    """The file without its comment lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def test_committed_knowledge_is_valid() -> None:
    knowledge = load_knowledge(KNOWLEDGE, normalise=normalize)
    assert len(knowledge.facts) > 90
    assert len(knowledge.intents) >= 60
    assert all(len(i.examples) >= 5 for i in knowledge.intents)


def test_every_fact_with_a_figure_or_name_is_reachable() -> None:
    knowledge = load_knowledge(KNOWLEDGE, normalise=normalize)
    assert [f.id for f in uncovered_facts(knowledge)] == []


def test_check_command_passes_on_committed_knowledge() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("knowledge OK:")


def test_yaml_syntax_error_names_file_and_line(knowledge_copy: Path) -> None:
    intents = knowledge_copy / "intents.yaml"
    line = _line(intents, "  facts: [")
    _replace(intents, "  facts: [", "  facts: [unclosed, ")
    _replace(intents, "]", "")
    [error] = _errors(knowledge_copy)
    assert re.search(r"intents\.yaml:\d+: YAML syntax", error), error
    assert int(re.search(r"intents\.yaml:(\d+):", error).group(1)) >= line


def test_unknown_fact_id(knowledge_copy: Path) -> None:
    intents = knowledge_copy / "intents.yaml"
    first = re.search(r"(bj\.[a-z0-9]+\.[0-9a-f]{6})", _code(intents)).group(1)
    _replace(intents, first, "bj.s9.ffffff")
    errors = _errors(knowledge_copy)
    line = _line(intents, "bj.s9.ffffff")
    assert any(
        e.startswith(f"{intents}:{line}:") and "unknown fact id 'bj.s9.ffffff'" in e for e in errors
    ), errors


def test_duplicate_intent_id(knowledge_copy: Path) -> None:
    intents = knowledge_copy / "intents.yaml"
    ids = re.findall(r"^- id: (\w+)", _code(intents), flags=re.M)
    _replace_line(intents, f"- id: {ids[1]}", f"- id: {ids[0]}")
    errors = _errors(knowledge_copy)
    assert any(
        f"duplicate intent id '{ids[0]}'" in e and "first defined at line" in e for e in errors
    ), errors


def test_example_claimed_by_two_intents(knowledge_copy: Path) -> None:
    from bot.kb.store import load_intents

    intents_path = knowledge_copy / "intents.yaml"
    knowledge = load_knowledge(knowledge_copy, normalise=normalize)
    first, second = knowledge.intents[0], knowledge.intents[1]
    _replace_line(intents_path, f"    - {second.examples[0]}", f"    - {first.examples[0]}？？")
    _, errors = load_intents(intents_path, {f.id for f in knowledge.facts}, normalize)
    assert any(
        "is claimed by" in str(e) and first.id in str(e) and second.id in str(e) for e in errors
    ), errors


def test_quote_not_verbatim(knowledge_copy: Path) -> None:
    facts = knowledge_copy / "facts.yaml"
    _replace(facts, "92所高校、1000余所科研院所、55万余名", "93所高校、1000余所科研院所、55万余名")
    errors = _errors(knowledge_copy)
    assert any("is not verbatim in bj.intro.p4" in e for e in errors), errors
    assert any("facts.yaml is stale" in e and "run `factbot build`" in e for e in errors)


def test_stale_facts_after_article_edit(knowledge_copy: Path) -> None:
    article = knowledge_copy / "sources" / "bj" / "article.yaml"
    _replace(article, "千年古都，处处跃动着", "千年古都，处处都跃动着")
    errors = _errors(knowledge_copy)
    assert any(
        e.startswith(f"{knowledge_copy / 'facts.yaml'}:1: facts.yaml is stale") for e in errors
    )


def test_answer_stating_a_figure_no_quote_has(knowledge_copy: Path) -> None:
    intents = knowledge_copy / "intents.yaml"
    match = re.search(r"^  answer: (.*92.*)$", _code(intents), flags=re.M)
    _replace(intents, match.group(0), match.group(0).replace("92", "99"))
    errors = _errors(knowledge_copy)
    assert any("answer states '99'" in e for e in errors), errors


def test_too_few_examples(knowledge_copy: Path) -> None:
    intents = knowledge_copy / "intents.yaml"
    knowledge = load_knowledge(knowledge_copy, normalise=normalize)
    victim = knowledge.intents[0]
    lines = intents.read_text(encoding="utf-8").split("\n")
    for example in victim.examples[1:]:
        lines.remove(f"    - {example}")
    intents.write_text("\n".join(lines), encoding="utf-8")
    errors = _errors(knowledge_copy)
    assert any(f"{victim.id}: needs at least 5 examples, has 1" in e for e in errors), errors


@pytest.mark.parametrize("command", [["check"], ["ask", "北京有多少所高校"], ["eval", "x.yaml"]])
def test_every_command_refuses_invalid_knowledge_without_traceback(
    knowledge_copy: Path, command: list[str]
) -> None:
    _replace(knowledge_copy / "facts.yaml", "92所高校", "93所高校")
    result = run_cli("--knowledge", str(knowledge_copy), *command)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "the knowledge is invalid" in result.stderr
    assert "facts.yaml:1: facts.yaml is stale" in result.stderr


def test_smalltalk_addressed_must_be_a_boolean(knowledge_copy: Path) -> None:
    smalltalk = knowledge_copy / "smalltalk.yaml"
    _replace(smalltalk, "  addressed: true", "  addressed: yes please")
    line = _line(smalltalk, "addressed: yes please")
    errors = _errors(knowledge_copy)
    assert any(
        e.startswith(f"{smalltalk}:{line}:") and "addressed must be true or false" in e
        for e in errors
    ), errors


def test_article_year_must_be_a_year(knowledge_copy: Path) -> None:
    article = knowledge_copy / "sources" / "bj" / "article.yaml"
    _replace_line(article, "year: 2024", "year: soon")
    line = _line(article, "year: soon")
    errors = _errors(knowledge_copy)
    assert any(
        e.startswith(f"{article}:{line}:") and "year: must be a year" in e for e in errors
    ), errors


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("synonyms.yaml", "file missing (restore it from the repository)"),
        ("language.yaml", "file missing (restore it from the repository)"),
        ("terms.yaml", "file missing (restore it from the repository)"),
        ("intents.yaml", "file missing (restore it from the repository)"),
        ("facts.yaml", "facts.yaml missing (run `factbot build`)"),
    ],
)
def test_a_missing_file_is_an_error_named_by_its_path(
    knowledge_copy: Path, name: str, hint: str
) -> None:
    (knowledge_copy / name).unlink()
    result = run_cli("--knowledge", str(knowledge_copy), "check")
    assert result.returncode == 1
    assert f"  {knowledge_copy / name}: {hint}" in result.stderr.splitlines()
    assert ":0:" not in result.stderr


def _break(path: Path, needle: str, broken: str) -> int:
    """Replace the first line containing `needle` with `broken`; returns its line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if needle in line and "#" not in line[:2])
    lines[number] = broken
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


@pytest.mark.parametrize(
    ("name", "needle", "broken", "problem"),
    [
        # a quote left open is noticed at the end of its item: the line to fix is where it opens
        ("intents.yaml", "  answer: ", '  answer: "北京有多少所高校', "quoted scalar"),
        ("intents.yaml", "  facts: [", "  facts: [bj.s1.3839af, bj.intro.57a8ee", "flow sequence"),
        ("intents.yaml", "  title: ", "   title: one space too many", "mapping values"),
        ("synonyms.yaml", ": [", "高校: [大学, 院校", "flow sequence"),
        ("language.yaml", "  - ", "  - \t制表符", "cannot start any token"),
    ],
)
def test_a_yaml_error_points_at_the_line_to_fix(
    knowledge_copy: Path, name: str, needle: str, broken: str, problem: str
) -> None:
    path = knowledge_copy / name
    line = _break(path, needle, broken)
    result = run_cli("--knowledge", str(knowledge_copy), "check")
    assert result.returncode == 1
    [error] = [e for e in result.stderr.splitlines() if "YAML syntax" in e]
    assert error.startswith(f"  {path}:{line}: YAML syntax: "), (error, line)
    assert problem in error


def test_a_clause_list_must_be_one_the_engine_reads(knowledge_copy: Path) -> None:
    path = knowledge_copy / "language.yaml"
    line = _break(path, "  topic: [", "  topics: [说到, 谈到]")
    errors = _errors(knowledge_copy)
    assert any(
        e.startswith(f"{path}:{line}:") and "clauses: unknown list 'topics'" in e for e in errors
    ), errors
