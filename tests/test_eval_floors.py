"""Accuracy floors inside the suite: every question set of knowledge/eval/ meets the floors
floors.yaml gives it, every set has floors, and the README's table is the one they make."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluate import Report, evaluate, load_items
from bot.floors import FLOORS_FILE, load_floors, shortfalls, table, unlisted, with_table
from bot.kb.yamlsrc import KnowledgeInvalid
from tests.conftest import KNOWLEDGE, ROOT, run_cli

EVAL = KNOWLEDGE / "eval"
GROUPS = load_floors(EVAL / FLOORS_FILE)
FLOORS = {name: group.floors for group in GROUPS for name in group.sets}
SETS = sorted(p.name for p in EVAL.glob("*.yaml") if p.name != FLOORS_FILE)
_reports: dict[str, Report] = {}


def report_of(engine, name: str) -> Report:
    if name not in _reports:
        _reports[name] = evaluate(engine, load_items(EVAL / name))
    return _reports[name]


@pytest.mark.parametrize("name", SETS)
def test_each_set_meets_its_floors(engine, name: str) -> None:
    assert name in FLOORS, f"{name} has no floors: add it to a group of {FLOORS_FILE}"
    below = shortfalls(name, report_of(engine, name), FLOORS[name])
    assert below == []


def test_the_floors_name_every_set_and_only_sets_that_exist() -> None:
    assert unlisted(GROUPS, EVAL) == []
    assert sorted(FLOORS) == SETS


def test_the_readme_table_is_the_one_the_floors_make(engine) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    made = table(GROUPS, {name: report_of(engine, name) for name in FLOORS})
    assert with_table(readme, made) == readme, (
        "the README's accuracy table is out of date: run `factbot eval --floors --readme README.md`"
    )


def test_a_bad_floors_file_names_file_and_line(tmp_path: Path) -> None:
    floors = tmp_path / FLOORS_FILE
    floors.write_text(
        "- sets: [a.yaml]\n  answer: 1.5\n- sets: [b.yaml]\n  answers: 0.9\n- sets: a.yaml\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeInvalid) as raised:
        load_floors(floors)
    messages = [f"{e.line}: {e.message}" for e in raised.value.errors]
    assert messages == [
        "2: answer must be a share from 0 to 1",
        "4: unknown floor 'answers'",
        "5: `sets:` must be a list of file names",
    ]


def test_eval_floors_gates_on_each_set_and_on_sets_without_floors(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(
        '- {q: "北京有多少所高校？", expect: ["92"]}\n- {q: "上海有多少所高校？", oos: true}\n',
        encoding="utf-8",
    )
    (tmp_path / "hard.yaml").write_text(
        '- {q: "北京有多少所高校？", expect: ["93"]}\n', encoding="utf-8"
    )
    floors = tmp_path / FLOORS_FILE
    floors.write_text("- sets: [good.yaml]\n  answer: 1.0\n  oos: 1.0\n", encoding="utf-8")
    missing = run_cli("eval", "--floors", str(floors))
    assert missing.returncode == 1
    assert "hard.yaml has no floors" in missing.stderr
    floors.write_text(
        "- sets: [good.yaml]\n  answer: 1.0\n  oos: 1.0\n- sets: [hard.yaml]\n  answer: 0.5\n",
        encoding="utf-8",
    )
    below = run_cli("eval", "--floors", str(floors))
    assert below.returncode == 1
    assert f"{tmp_path / 'hard.yaml'}: answers right 0.000 is below the floor 0.5" in below.stdout
    assert "good.yaml: answers right" not in below.stdout
    floors.write_text("- sets: [good.yaml]\n  answer: 1.0\n- sets: [hard.yaml]\n  answer: 0\n")
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- accuracy table: made by `factbot eval --floors --readme "
                      "README.md` -->\nold\n<!-- end of accuracy table -->\nafter\n")
    passed = run_cli("eval", "--floors", str(floors), "--readme", str(readme))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    written = readme.read_text()
    assert "old" not in written and written.endswith("<!-- end of accuracy table -->\nafter\n")
    assert "| `good.yaml` |  | 1/1 = 100% (≥ 100%) | 1/1 = 100% | – | – |" in written


def test_a_held_out_set_is_scored_without_showing_its_questions(tmp_path: Path) -> None:
    (tmp_path / "open.yaml").write_text(
        '- {q: "北京有多少所高校？", expect: ["93"]}\n', encoding="utf-8"
    )
    (tmp_path / "held.yaml").write_text(
        '- {q: "北京有多少科研院所？", expect: ["1001"]}\n', encoding="utf-8"
    )
    floors = tmp_path / FLOORS_FILE
    floors.write_text(
        "- sets: [open.yaml]\n  answer: 0\n- sets: [held.yaml]\n  held_out: true\n  answer: 0\n",
        encoding="utf-8",
    )
    run = run_cli("eval", "--floors", str(floors))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "北京有多少所高校" in run.stdout  # a tuning set's failure, with its question
    assert "北京有多少科研院所" not in run.stdout  # a held-out one: its totals only
    assert f"{tmp_path / 'held.yaml'}: overall 0/1" in run.stdout
    assert "(1 failures, not shown: the set is held out)" in run.stdout


def test_held_out_must_be_true_or_false(tmp_path: Path) -> None:
    floors = tmp_path / FLOORS_FILE
    floors.write_text("- sets: [a.yaml]\n  held_out: maybe\n  answer: 0.5\n", encoding="utf-8")
    with pytest.raises(KnowledgeInvalid) as raised:
        load_floors(floors)
    assert [f"{e.line}: {e.message}" for e in raised.value.errors] == [
        "2: held_out must be true or false"
    ]
