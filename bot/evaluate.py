"""Scoring the engine on a question set (the format of knowledge/eval/*.yaml).

Each item has `q` and one of: `expect` (an answer whose text holds every string), `any` (an
answer holding at least one), `oos: true` (must not be an answer), `smalltalk: true`. A claim
may carry `verdict: yes|no|unstated`: the reply's verdict must be that one (an out-of-scope
claim may also be declined without one). An unstated claim may be written either way: `oos`
(the reply must not answer) or `expect` (the reply, which says the article does not say, must
show those strings of what it does say).

A conversation file is a list of `{id, turns: [items]}`: the turns of one conversation are asked
in order with one context (`Engine.converse`), so follow-ups are scored the way users meet them;
their tags (standalone, pronoun, ellipsis, more, oos) are reported like any other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.engine.context import EMPTY
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
    conversation: str = ""  # the id of the conversation it is a turn of ("": it stands alone)
    verdict: str = ""  # for a claim: the verdict the reply must give (yes, no, unstated)

    def expected(self) -> str:
        if self.kind == "answer":
            joiner = " or " if self.match_any else " and "
            wanted = "answer containing " + joiner.join(repr(s) for s in self.strings)
            return wanted + (f" with verdict {self.verdict}" if self.verdict else "")
        return "not an answer" if self.kind == "oos" else "small talk"

    def judge(self, reply: Reply) -> bool:
        if self.kind == "oos":
            return reply.kind != "answer" and (
                not self.verdict or reply.verdict in (None, self.verdict)
            )
        if self.kind == "smalltalk":
            return reply.kind == "smalltalk"
        if self.verdict == "unstated" and reply.verdict == "unstated":
            pass  # "文章没有说这一点。它说的是：……": no answer, but the quote expected is shown
        elif reply.kind != "answer":
            return False
        if self.verdict and reply.verdict != self.verdict:
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
    followups: list[int] = field(default_factory=lambda: [0, 0])  # turns of FOLLOWUP_TAGS

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def followup_accuracy(self) -> float | None:
        passed, total = self.followups
        return passed / total if total else None

    def kind_accuracy(self, kind: str) -> float | None:
        passed, total = self.by_kind.get(kind, (0, 0))
        return passed / total if total else None


FOLLOWUP_TAGS = ("pronoun", "ellipsis", "more", "oos")  # the turns that lean on the context
TURN_SECONDS = 20.0  # the time between two turns of a conversation in a scored file


def load_items(path: Path) -> list[Item]:
    data = load_yaml(path)
    shown = display_path(path)
    if not isinstance(data, list):
        raise KnowledgeInvalid([KnowledgeError(shown, 1, "expected a list of questions")])
    items: list[Item] = []
    errors: list[KnowledgeError] = []
    for index, node in enumerate(data):
        line = line_of(data, index)
        if isinstance(node, Mapping) and "turns" in node:
            items += _conversation(node, shown, line, errors)
            continue
        items += _items([node], [line], shown, errors)
    if errors:
        raise KnowledgeInvalid(errors)
    return items


def _conversation(
    node: Mapping, shown: str, line: int, errors: list[KnowledgeError]
) -> list[Item]:
    turns = node.get("turns")
    name = str(node.get("id") or f"line {line}")
    if not isinstance(turns, list) or not turns:
        errors.append(KnowledgeError(shown, line, "`turns:` must be a list of questions"))
        return []
    lines = [line_of(turns, i) or line for i in range(len(turns))]
    return [replace(item, conversation=name) for item in _items(turns, lines, shown, errors)]


VERDICTS = ("", "yes", "no", "unstated")


def _items(
    nodes: list, lines: list[int], shown: str, errors: list[KnowledgeError]
) -> list[Item]:
    items: list[Item] = []
    for node, line in zip(nodes, lines, strict=True):
        if not isinstance(node, Mapping) or not isinstance(node.get("q"), str):
            errors.append(KnowledgeError(shown, line, "each item needs `q:` text"))
            continue
        tag = str(node.get("tag", ""))
        verdict = node.get("verdict", "")
        if verdict not in VERDICTS:
            errors.append(KnowledgeError(shown, line, f"verdict must be one of {VERDICTS[1:]}"))
            continue
        if "expect" in node or "any" in node:
            strings = node.get("expect") or node.get("any")
            if not isinstance(strings, list) or not strings:
                errors.append(KnowledgeError(shown, line, "expect/any must be a non-empty list"))
                continue
            items.append(
                Item(
                    node["q"], "answer", tuple(map(str, strings)), "any" in node, tag, line,
                    verdict=verdict,
                )
            )
        elif node.get("oos") is True:
            items.append(Item(node["q"], "oos", tag=tag, line=line, verdict=verdict))
        elif node.get("smalltalk") is True:
            items.append(Item(node["q"], "smalltalk", tag=tag, line=line))
        else:
            errors.append(KnowledgeError(shown, line, "needs one of expect, any, oos, smalltalk"))
    return items


def evaluate(engine: Engine, items: list[Item]) -> Report:
    report = Report()
    context, now, previous = EMPTY, 0.0, ""
    for item in items:
        if item.conversation:  # a turn: with the context of the turns before it
            if item.conversation != previous:
                context = EMPTY
            now += TURN_SECONDS
            reply, context = engine.converse(item.question, context, now)
        else:
            reply, context = engine.ask(item.question), EMPTY
        previous = item.conversation
        ok = item.judge(reply)
        report.total += 1
        report.passed += ok
        if item.conversation and item.tag in FOLLOWUP_TAGS:
            report.followups[0] += ok
            report.followups[1] += 1
        for bucket, key in ((report.by_kind, item.kind), (report.by_tag, item.tag or "-")):
            bucket[key][0] += ok
            bucket[key][1] += 1
        if not ok:
            report.failures.append((item, reply))
    return report


def format_report(report: Report, name: str, totals_only: bool = False) -> str:
    """The report's figures, then each failure with its question (not for a held-out set,
    whose questions a log must not show: `totals_only`)."""
    def pct(passed: int, total: int) -> str:
        return f"{passed}/{total} = {100 * passed / total:.1f}%" if total else "-"

    lines = [f"{name}: overall {pct(report.passed, report.total)}"]
    labels = {"answer": "answered right", "oos": "out of scope declined", "smalltalk": "small talk"}
    for kind in ("answer", "oos", "smalltalk"):
        if kind in report.by_kind:
            lines.append(f"  {labels[kind]}: {pct(*report.by_kind[kind])}")
    if report.followups[1]:
        lines.append(f"  follow-ups ({', '.join(FOLLOWUP_TAGS)}): {pct(*report.followups)}")
    lines.append(
        "  by tag: "
        + ", ".join(f"{tag} {pct(*counts)}" for tag, counts in sorted(report.by_tag.items()))
    )
    if totals_only:
        lines.append(f"  ({len(report.failures)} failures, not shown: the set is held out)")
        return "\n".join(lines)
    for item, reply in report.failures:
        got = reply.kind + (f" ({reply.intent})" if reply.intent else "")
        first = reply.text.splitlines()[0] if reply.text else ""
        where = f"{item.conversation}: " if item.conversation else ""
        lines.append(
            f"  FAIL [{item.tag}] {where}{item.question}\n       expected {item.expected()}; "
            f"got {got}: {first[:60]}"
        )
    return "\n".join(lines)
