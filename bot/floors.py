"""Accuracy floors: one data file (knowledge/eval/floors.yaml) says, for groups of question
sets, the lowest accuracy each set of the group may reach on answers, out-of-scope refusals,
small talk and conversation follow-ups. pytest, CI (`factbot eval --floors`) and the README's
accuracy table all read it, so a change that lowers accuracy fails where a developer looks.

Every question set in the folder must be in the file: a new set without floors fails the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.evaluate import Report
from bot.kb.yamlsrc import (
    KnowledgeError,
    KnowledgeInvalid,
    Mapping,
    display_path,
    line_of,
    load_yaml,
)

FLOORS_FILE = "floors.yaml"
# What a floor bounds, as the file names it -> how a report and the table name it.
MEASURES = {
    "answer": "answers right",
    "oos": "out of scope declined",
    "smalltalk": "small talk",
    "followup": "follow-ups",
}
TABLE_START = "<!-- accuracy table: made by `factbot eval --floors --readme README.md` -->"
TABLE_END = "<!-- end of accuracy table -->"


@dataclass(frozen=True)
class Group:
    """Sets scored against the same floors, shown as one row of the table."""

    sets: tuple[str, ...]  # file names in the eval folder
    about: str
    floors: dict[str, float]  # measure -> lowest share (0..1) each set must reach
    line: int = 0
    held_out: bool = False  # scored as totals only: its questions are never printed


def load_floors(path: Path) -> list[Group]:
    """The groups of floors.yaml, checked: errors name file and line."""
    data = load_yaml(path)
    shown = display_path(path)
    if not isinstance(data, list):
        raise KnowledgeInvalid([KnowledgeError(shown, 1, "expected a list of groups of sets")])
    groups: list[Group] = []
    errors: list[KnowledgeError] = []
    seen: set[str] = set()
    for number, node in enumerate(data):
        line = line_of(data, number)
        group = _group(node, line, shown, errors)
        if group is None:
            continue
        for name in group.sets:
            if name in seen:
                errors.append(KnowledgeError(shown, line, f"{name} is in two groups"))
            seen.add(name)
        groups.append(group)
    if errors:
        raise KnowledgeInvalid(errors)
    return groups


def _group(node: object, line: int, shown: str, errors: list[KnowledgeError]) -> Group | None:
    if not isinstance(node, Mapping):
        errors.append(KnowledgeError(shown, line, "each group needs `sets:` and floors"))
        return None
    sets = node.get("sets")
    if not isinstance(sets, list) or not sets or not all(isinstance(s, str) for s in sets):
        errors.append(KnowledgeError(shown, line, "`sets:` must be a list of file names"))
        return None
    floors: dict[str, float] = {}
    before = len(errors)
    held_out = node.get("held_out", False)
    if not isinstance(held_out, bool):
        where = line_of(node, "held_out", line)
        errors.append(KnowledgeError(shown, where, "held_out must be true or false"))
    for key, value in node.items():
        if key in ("sets", "about", "held_out"):
            continue
        where = line_of(node, key, line)
        if key not in MEASURES:
            known = ", ".join(MEASURES)
            errors.append(KnowledgeError(shown, where, f"unknown floor {key!r}", f"use {known}"))
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            errors.append(KnowledgeError(shown, where, f"{key} must be a share from 0 to 1"))
        else:
            floors[key] = float(value)
    if not floors and len(errors) == before:
        errors.append(KnowledgeError(shown, line, "a group needs at least one floor"))
    return Group(tuple(sets), str(node.get("about", "")), floors, line, held_out is True)


def unlisted(groups: list[Group], directory: Path) -> list[str]:
    """Question sets in the folder that no group lists (each must have floors)."""
    listed = {name for group in groups for name in group.sets}
    present = sorted(p.name for p in directory.glob("*.yaml") if p.name != FLOORS_FILE)
    return [name for name in present if name not in listed]


def share(report: Report, measure: str) -> float | None:
    """The report's accuracy on one measure (None when the set has no such questions)."""
    if measure == "followup":
        return report.followup_accuracy
    return report.kind_accuracy(measure)


def shortfalls(name: str, report: Report, floors: dict[str, float]) -> list[str]:
    """One line per floor the set's report falls below."""
    lines = []
    for measure, minimum in floors.items():
        value = share(report, measure)
        if value is not None and value < minimum:
            label = MEASURES[measure]
            lines.append(f"{name}: {label} {value:.3f} is below the floor {minimum}")
    return lines


def _counts(reports: list[Report], measure: str) -> tuple[int, int]:
    passed = total = 0
    for report in reports:
        if measure == "followup":
            got, of = report.followups
        else:
            got, of = report.by_kind.get(measure, (0, 0))
        passed, total = passed + got, total + of
    return passed, total


def _cell(reports: list[Report], measure: str, floor: float | None) -> str:
    passed, total = _counts(reports, measure)
    if not total:
        return "–"
    figure = f"{passed}/{total} = {_percent(passed / total)}"
    return figure if floor is None else f"{figure} (≥ {_percent(floor)})"


def _percent(value: float) -> str:
    text = f"{100 * value:.1f}"
    return (text.removesuffix(".0") if text.endswith(".0") else text) + "%"


def table(groups: list[Group], reports: dict[str, Report]) -> str:
    """The README's accuracy table: per group, today's figures and (in brackets) the floor."""
    head = "| sets | what they are | " + " | ".join(MEASURES.values()) + " |"
    lines = [head, "| " + " | ".join(["---"] * (2 + len(MEASURES))) + " |"]
    for group in groups:
        names = ", ".join(f"`{name}`" for name in group.sets)
        found = [reports[name] for name in group.sets]
        cells = [_cell(found, m, group.floors.get(m)) for m in MEASURES]
        lines.append(f"| {names} | {group.about} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def with_table(text: str, generated: str) -> str:
    """`text` (the README) with the part between the table's markers replaced."""
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no {TABLE_START!r} … {TABLE_END!r} markers")
    return text[: start + len(TABLE_START)] + "\n" + generated + "\n" + text[end:]
