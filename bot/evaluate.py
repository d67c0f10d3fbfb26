"""Scoring the engine on a question set (the format of knowledge/eval/*.yaml).

Each item has `q` and one of: `expect` (an answer whose text holds every string), `any` (an
answer holding at least one), `oos: true` (must not be an answer), `smalltalk: true`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.engine import Engine
from bot.engine.reply import Reply
from bot.kb.yamlsrc import (
    KnowledgeError,
    KnowledgeInvalid,
    Mapping,
    display_path,
    line_of,
    load_yaml,
)


@dataclass(frozen=True)
class Item:
    question: str
    kind: str  # "answer" | "oos" | "smalltalk"
    strings: tuple[str, ...] = ()
    match_any: bool = False
    tag: str = ""
    line: int = 0

    def expected(self) -> str:
        if self.kind == "answer":
            joiner = " or " if self.match_any else " and "
            return "answer containing " + joiner.join(repr(s) for s in self.strings)
        return "not an answer" if self.kind == "oos" else "small talk"

    def judge(self, reply: Reply) -> bool:
        if self.kind == "oos":
            return reply.kind != "answer"
        if self.kind == "smalltalk":
            return reply.kind == "smalltalk"
        if reply.kind != "answer":
            return False
        hits = [s in reply.text for s in self.strings]
        return any(hits) if self.match_any else all(hits)


@dataclass
class Report:
    total: int = 0
    passed: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_tag: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    failures: list[tuple[Item, Reply]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def kind_accuracy(self, kind: str) -> float | None:
        passed, total = self.by_kind.get(kind, (0, 0))
        return passed / total if total else None


def load_items(path: Path) -> list[Item]:
    data = load_yaml(path)
    shown = display_path(path)
    if not isinstance(data, list):
        raise KnowledgeInvalid([KnowledgeError(shown, 1, "expected a list of questions")])
    items: list[Item] = []
    errors: list[KnowledgeError] = []
    for index, node in enumerate(data):
        line = line_of(data, index)
        if not isinstance(node, Mapping) or not isinstance(node.get("q"), str):
            errors.append(KnowledgeError(shown, line, "each item needs `q:` text"))
            continue
        tag = str(node.get("tag", ""))
        if "expect" in node or "any" in node:
            strings = node.get("expect") or node.get("any")
            if not isinstance(strings, list) or not strings:
                errors.append(KnowledgeError(shown, line, "expect/any must be a non-empty list"))
                continue
            items.append(
                Item(node["q"], "answer", tuple(map(str, strings)), "any" in node, tag, line)
            )
        elif node.get("oos") is True:
            items.append(Item(node["q"], "oos", tag=tag, line=line))
        elif node.get("smalltalk") is True:
            items.append(Item(node["q"], "smalltalk", tag=tag, line=line))
        else:
            errors.append(KnowledgeError(shown, line, "needs one of expect, any, oos, smalltalk"))
    if errors:
        raise KnowledgeInvalid(errors)
    return items


def evaluate(engine: Engine, items: list[Item]) -> Report:
    report = Report()
    for item in items:
        reply = engine.ask(item.question)
        ok = item.judge(reply)
        report.total += 1
        report.passed += ok
        for bucket, key in ((report.by_kind, item.kind), (report.by_tag, item.tag or "-")):
            bucket[key][0] += ok
            bucket[key][1] += 1
        if not ok:
            report.failures.append((item, reply))
    return report


def format_report(report: Report, name: str) -> str:
    def pct(passed: int, total: int) -> str:
        return f"{passed}/{total} = {100 * passed / total:.1f}%" if total else "-"

    lines = [f"{name}: overall {pct(report.passed, report.total)}"]
    labels = {"answer": "answered right", "oos": "out of scope declined", "smalltalk": "small talk"}
    for kind in ("answer", "oos", "smalltalk"):
        if kind in report.by_kind:
            lines.append(f"  {labels[kind]}: {pct(*report.by_kind[kind])}")
    lines.append(
        "  by tag: "
        + ", ".join(f"{tag} {pct(*counts)}" for tag, counts in sorted(report.by_tag.items()))
    )
    for item, reply in report.failures:
        got = reply.kind + (f" ({reply.intent})" if reply.intent else "")
        first = reply.text.splitlines()[0] if reply.text else ""
        lines.append(
            f"  FAIL [{item.tag}] {item.question}\n       expected {item.expected()}; "
            f"got {got}: {first[:60]}"
        )
    return "\n".join(lines)
