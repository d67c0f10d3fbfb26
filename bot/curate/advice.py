"""For one group of questions: what in the knowledge is nearest, and the YAML that would make the
bot answer it, ready to paste at a line of intents.yaml.

The nearest intents are the engine's own candidates for the group's most frequent wording,
with the scores it gave them and the words that stopped them (`factbot ask --explain` shows the
same). The nearest facts are the sentences sharing most of the question's character pairs. The
advice is one of: add the wordings as examples of the likeliest intent; write a new intent for
the nearest fact; nothing, because the question names something the article never mentions (the
bot was right to decline); or nothing, because the bot answers it now.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.curate.groups import Group
from bot.kb.yamlsrc import KnowledgeInvalid, Mapping, display_path, line_of, load_yaml

if TYPE_CHECKING:
    from bot.engine.engine import Engine
    from bot.engine.reply import Reply

NEAR_INTENT = 0.3  # an intent scoring below this is not what the question is about
NEAR_FACT = 0.5  # share of the question's character pairs a fact must hold to found an intent
SHOWN = 3  # intents and facts listed per group


@dataclass(frozen=True)
class Near:
    key: str  # intent or fact id
    score: float
    lacks: tuple[str, ...] = ()  # words the engine found no cover for
    text: str = ""


@dataclass
class Advice:
    intents: list[Near]
    facts: list[Near]
    verdict: str  # one line: what to do
    snippet: list[str] = field(default_factory=list)  # lines to paste, as they go in the file
    where: str = ""  # where they go


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


class Advisor:
    """Assesses groups against one loaded engine and its intents.yaml."""

    def __init__(self, engine: Engine, normalise: Callable[[str], str]) -> None:
        self.engine = engine
        self.normalise = normalise
        knowledge = engine.knowledge
        self.intents = {intent.id: intent for intent in knowledge.intents}
        self.fact_text = {fact.id: normalise(fact.text) for fact in knowledge.facts}
        self.facts = {fact.id: fact for fact in knowledge.facts}
        self.examples = {
            normalise(example): intent.id
            for intent in knowledge.intents
            for example in intent.examples
        }
        self.intents_path = knowledge.directory / "intents.yaml"
        self._example_lines = _last_example_lines(self.intents_path)

    def advise(self, group: Group) -> Advice:
        lead = group.lead
        reply = self.engine.ask(lead.question, explain=True)
        notes = reply.explanation or {}
        intents = self._near_intents(notes)
        facts = self._near_facts(lead.normalised)
        if reply.kind == "answer" and not group.voted_down:
            target = reply.intent or (reply.sources[0].fact_id if reply.sources else "?")
            return Advice(intents, facts, f"answered now (by {target}): nothing to add")
        absent = self._absent_names(notes, intents)
        if absent:
            return Advice(
                intents,
                facts,
                f"the article never mentions {'、'.join(absent)}: declining is right, "
                "nothing to add",
            )
        if group.voted_down:
            return self._voted_down(group, reply, intents, facts)
        known = self.examples.get(lead.normalised)
        if known:
            return Advice(intents, facts, f"already an example of {known}: look at its facts")
        if intents and intents[0].score >= NEAR_INTENT:
            return self._add_examples(group, intents, facts)
        if facts and facts[0].score >= NEAR_FACT:
            return self._new_intent(group, intents, facts)
        return Advice(intents, facts, "nothing in the knowledge is near: the article may not say")

    # ------------------------------------------------------------------ nearest

    def _voted_down(
        self, group: Group, reply: Reply, intents: list[Near], facts: list[Near]
    ) -> Advice:
        """An answer a user found wrong: another intent may answer it better (add the question
        there); else the intent that answered needs a look (its answer line, its facts)."""
        voted = set(group.voted_down)
        quoted = {source.fact_id for source in reply.sources}
        if reply.intent and voted & quoted:
            by = f"intent {reply.intent}"
        else:
            by = f"the answer quoting {', '.join(sorted(voted))}"
        others = [
            n for n in intents if n.key != reply.intent and not n.lacks and n.score >= NEAR_INTENT
        ]
        if not others:
            verdict = f"answered by {by} and voted 👎: check its answer line and facts"
            return Advice(intents, facts, verdict)
        advice = self._add_examples(group, intents, facts, others[0])
        advice.verdict = f"answered by {by} and voted 👎; if {others[0].key} answers it, " + (
            advice.verdict
        )
        return advice

    def names(self, question: str) -> frozenset[str]:
        """The named things of a question, as the engine reads them."""
        notes = self.engine.ask(question, explain=True).explanation or {}
        return frozenset(
            text
            for token in notes.get("tokens", [])
            for text, _, kind in [str(token).rpartition("/")]
            if kind == "entity"
        )

    def _near_intents(self, notes: dict) -> list[Near]:
        found = []
        for candidate in notes.get("candidates", []):
            kind, _, key = str(candidate.get("candidate", "")).partition(":")
            if kind == "intent" and key in self.intents:
                lacks = tuple(candidate.get("blocking") or ())
                found.append(Near(key, float(candidate.get("score", 0.0)), lacks))
        return found[:SHOWN]

    def _near_facts(self, normalised: str) -> list[Near]:
        pairs = _bigrams(normalised)
        if not pairs:
            return []
        scored = [
            (len(pairs & _bigrams(text)) / len(pairs), fact_id)
            for fact_id, text in self.fact_text.items()
        ]
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [
            Near(fact_id, score, text=self.facts[fact_id].text)
            for score, fact_id in scored[:SHOWN]
            if score > 0
        ]

    def _facts_of(self, intent_id: str) -> set[str]:
        return set(self.intents[intent_id].facts) if intent_id in self.intents else set()

    def _absent_names(self, notes: dict, intents: list[Near]) -> list[str]:
        """Named things of the question (tokens the engine read as names) that no fact of any
        article contains, when they are what stopped the nearest intent."""
        names = {
            text
            for token in notes.get("tokens", [])
            for text, _, kind in [str(token).rpartition("/")]
            if kind == "entity"
        }
        blocking = set(intents[0].lacks) if intents else names
        return sorted(
            name
            for name in names & blocking
            if not any(name in text for text in self.fact_text.values())
        )

    # ------------------------------------------------------------------ snippets

    def _add_examples(
        self, group: Group, intents: list[Near], facts: list[Near], near: Near | None = None
    ) -> Advice:
        near = near or intents[0]
        target = near.key
        line, indent = self._example_lines.get(target, (0, "    "))
        fresh = [p.question for p in group.phrasings if p.normalised not in self.examples]
        snippet = [f"{indent}- {_scalar(question)}" for question in fresh]
        where = (
            f"paste into {display_path(self.intents_path)} after line {line} "
            f"(the last example of {target}):"
        )
        lacks = f"; it lacked {'、'.join(near.lacks)}" if near.lacks else ""
        verdict = f"add the question to {target} (score {near.score:.2f}{lacks})"
        return Advice(intents, facts, verdict, snippet, where)

    def _new_intent(self, group: Group, intents: list[Near], facts: list[Near]) -> Advice:
        fact = self.facts[facts[0].key]
        name = f"new_{fact.section}_{fact.id.rsplit('.', 1)[-1]}"
        questions = [p.question for p in group.phrasings]
        snippet = [
            f"- id: {name}",
            f"  title: {_scalar(questions[0])}",
            f"  answer: {_scalar(fact.text)}",
            f"  facts: [{fact.id}]",
            "  examples:",
            *(f"    - {_scalar(q)}" for q in questions),
        ]
        where = (
            f"paste at the end of {display_path(self.intents_path)}, then rename it, shorten "
            f"its answer line and give it at least 5 examples:"
        )
        verdict = f"no intent is near: a new intent for {fact.id} ({fact.where})"
        return Advice(intents, facts, verdict, snippet, where)


def _scalar(text: str) -> str:
    """The text as a YAML scalar: as it is when YAML reads it back unchanged, else quoted."""
    try:
        if yaml.safe_load(f"- {text}") == [text]:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def _last_example_lines(path: Path) -> dict[str, tuple[int, str]]:
    """intent id -> (line of its last example, the indentation of that line) in intents.yaml."""
    try:
        data = load_yaml(path)
    except KnowledgeInvalid:
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    found: dict[str, tuple[int, str]] = {}
    for node in data if isinstance(data, list) else []:
        if not isinstance(node, Mapping) or not isinstance(node.get("examples"), list):
            continue
        examples = node["examples"]
        if not examples:
            continue
        line = line_of(examples, len(examples) - 1)
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        indent = text[: len(text) - len(text.lstrip())]
        found[str(node.get("id"))] = (line, indent)
    return found
