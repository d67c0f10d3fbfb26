"""intents.yaml: the curated question types, each with example questions, the facts that answer
it and its answer line; every error at its line, and an answer line may state no figure its
facts do not."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.kb.facts import Fact
from bot.kb.ids import LostFacts
from bot.kb.yamlsrc import KnowledgeError, Mapping, display_path, line_of, load_list

MIN_EXAMPLES = 5
_INTENT_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Intent:
    """A curated question type: example questions, the facts that answer it, a lead line."""

    id: str
    answer: str
    facts: tuple[str, ...]
    examples: tuple[str, ...]
    title: str = ""
    daily: bool = False  # postable as a daily fact
    line: int = 0


def load_intents(
    path: Path,
    fact_ids: set[str],
    normalise: Callable[[str], str] | None = None,
    lost: LostFacts | None = None,
) -> tuple[list[Intent], list[KnowledgeError]]:
    data, c = load_list(path)
    intents: list[Intent] = []
    seen: dict[str, int] = {}
    examples_seen: dict[str, tuple[str, int]] = {}
    for index, node in enumerate(data):
        line = line_of(data, index)
        if not isinstance(node, Mapping):
            c.error(line, "each intent must be a mapping with id, answer, facts and examples")
            continue
        unknown = set(node) - {"id", "title", "answer", "facts", "examples", "daily"}
        for key in sorted(unknown, key=str):
            close = difflib.get_close_matches(
                str(key), ["id", "title", "answer", "facts", "examples", "daily"], 1
            )
            c.error(
                line_of(node, key),
                f"unknown key {key!r}",
                f"did you mean {close[0]!r}?" if close else "remove it",
            )
        intent_id = node.get("id")
        if not isinstance(intent_id, str) or not _INTENT_ID.match(intent_id):
            c.error(line_of(node, "id"), "intent id must be lowercase letters, digits and _")
            continue
        if intent_id in seen:
            c.error(
                line_of(node, "id"),
                f"duplicate intent id {intent_id!r}",
                f"first defined at line {seen[intent_id]}; rename one",
            )
            continue
        seen[intent_id] = line_of(node, "id")
        answer = node.get("answer")
        if not isinstance(answer, str) or not answer.strip():
            c.error(line_of(node, "answer"), f"{intent_id}: `answer` must be a short line of text")
            answer = ""
        facts = node.get("facts")
        if not isinstance(facts, list) or not facts:
            c.error(line_of(node, "facts"), f"{intent_id}: `facts` must list at least one fact id")
            facts = []
        for i, fact_id in enumerate(facts):
            if fact_id not in fact_ids:
                message, hint = (lost or LostFacts(())).explain(intent_id, str(fact_id))
                c.error(line_of(facts, i, line_of(node, "facts")), message, hint)
        examples = c.texts(node, "examples", intent_id, MIN_EXAMPLES)
        if normalise is not None:
            for i, example in enumerate(examples):
                key = normalise(example)
                ex_line = line_of(node["examples"], i, line)
                if key in examples_seen and examples_seen[key][0] != intent_id:
                    other, other_line = examples_seen[key]
                    c.error(
                        ex_line,
                        f"example {example!r} is claimed by {intent_id} and {other}",
                        f"see line {other_line}; keep it in one intent",
                    )
                examples_seen.setdefault(key, (intent_id, ex_line))
        title = node.get("title", "")
        daily = node.get("daily", False)
        if not isinstance(daily, bool):
            c.error(line_of(node, "daily"), f"{intent_id}: `daily` must be true or false")
            daily = False
        intents.append(
            Intent(
                intent_id,
                answer,
                tuple(str(f) for f in facts),
                examples,
                str(title or ""),
                daily,
                line,
            )
        )
    return intents, c.errors


def check_answers(
    path: Path, intents: list[Intent], facts: dict[str, Fact]
) -> list[KnowledgeError]:
    """An answer line may only state figures that its quotes contain: the bot never invents."""
    errors: list[KnowledgeError] = []
    for intent in intents:
        quoted = "".join(facts[f].text for f in intent.facts if f in facts)
        for figure in _FIGURE.findall(intent.answer):
            if figure not in quoted:
                errors.append(
                    KnowledgeError(
                        display_path(path),
                        intent.line,
                        f"{intent.id}: answer states {figure!r}, which none of its facts contains",
                        "say only what the quoted facts say, or add the fact that says it",
                    )
                )
    return errors
