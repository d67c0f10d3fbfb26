"""What the engine answers: one Reply, the same for the CLI, the bot and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["answer", "clarify", "smalltalk", "fallback"]


@dataclass(frozen=True)
class Source:
    """A verbatim quote and where it stands in the article."""

    article: str  # the article's title
    section: str  # section name as the locator shows it
    paragraph: int  # 1-based paragraph (or data-box item) number
    quote: str
    fact_id: str
    paragraph_id: str
    locator: str  # "《title》· section · 第N段"
    quoted: tuple[str, ...] = ()  # every fact the quote joins, in reading order (else fact_id)

    @property
    def fact_ids(self) -> tuple[str, ...]:
        return self.quoted or (self.fact_id,)

    def as_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "section": self.section,
            "paragraph": self.paragraph,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Reply:
    """One reply. `lead` is the first line (the answer line, or the message of a non-answer).

    It carries what the layers around the engine need, so none of them rebuilds a key from
    text or compares a reply's text with a constant: the knowledge keys of what it answers,
    of each suggestion, whether the question went unanswered, whether related facts exist.
    """

    kind: Kind
    lead: str
    sources: tuple[Source, ...] = ()
    suggestions: tuple[str, ...] = ()
    score: float = 0.0
    intent: str | None = None
    explanation: dict[str, Any] | None = field(default=None, compare=False)
    keys: tuple[str, ...] = ()  # an answer's intent or fact ids, the main one first
    suggestion_keys: tuple[str, ...] = ()  # the key each suggestion stands for, in order
    unanswered: bool = False  # it asked something the article does not (clearly) answer
    related: bool = False  # an answer whose key has related facts (the 相关 button)
    # A claim's check: "yes" (the article confirms it), "no" (it says otherwise), "unstated"
    verdict: str | None = None

    @property
    def key(self) -> str | None:
        """The knowledge key of the main answer (None for anything but an answer)."""
        return self.keys[0] if self.keys else None

    @property
    def text(self) -> str:
        """The whole reply as plain text: lead, then each quote with its source line."""
        parts = [self.lead]
        for source in self.sources:
            parts.append(f"「{source.quote}」")
            parts.append(f"来源：{source.locator}")
        if self.suggestions:
            parts.extend(f"· {s}" for s in self.suggestions)
        return "\n".join(parts)

    def as_json(self, explain: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "text": self.text,
            "sources": [s.as_json() for s in self.sources],
            "score": round(self.score, 4),
            "suggestions": list(self.suggestions),
        }
        if self.intent:
            data["intent"] = self.intent
        if self.verdict:
            data["verdict"] = self.verdict
        if explain and self.explanation is not None:
            data["explain"] = self.explanation
        return data

