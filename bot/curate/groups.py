"""What users asked that the bot did not answer well, read from its database and grouped.

A group is questions that read alike (after the engine's own normalisation: simplified,
half-width, Arabic numerals, no colloquial endings), so ten people asking one thing in ten ways
is one entry to curate, with its count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

GROUP_AT = 0.6  # similarity (0-1) of normalised questions at which they are one group
GROUP_NAMED_AT = 0.45  # ...when they name the same things
KINDS = ("fallback", "clarify", "down")  # declined, asked back about, answered but voted 👎


@dataclass(frozen=True)
class Asked:
    """One recorded question: how the bot met it, and for a 👎 the fact it had answered with."""

    question: str
    kind: str
    fact_id: str | None = None


@dataclass
class Phrasing:
    """One wording (one normalised form) and how often it was met, by kind."""

    question: str
    normalised: str
    counts: dict[str, int] = field(default_factory=dict)
    fact_ids: list[str] = field(default_factory=list)  # facts a 👎 was given on

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass
class Group:
    phrasings: list[Phrasing]

    @property
    def count(self) -> int:
        return sum(p.count for p in self.phrasings)

    @property
    def lead(self) -> Phrasing:
        """The most frequent wording: the one the group is assessed by."""
        return self.phrasings[0]

    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for phrasing in self.phrasings:
            for kind, count in phrasing.counts.items():
                total[kind] = total.get(kind, 0) + count
        return total

    @property
    def voted_down(self) -> list[str]:
        return [f for p in self.phrasings for f in p.fact_ids]


def gather(storage: object, since: datetime | None) -> list[Asked]:
    """The questions a curator should look at, oldest first."""
    unanswered, votes = storage.curator_feedback(since)  # type: ignore[attr-defined]
    asked = [Asked(row.question, row.kind) for row in unanswered]
    asked += [Asked(vote.question, "down", vote.fact_id) for vote in votes if vote.question]
    return asked


def group(
    asked: Iterable[Asked],
    normalise: Callable[[str], str],
    names: Callable[[str], frozenset[str]] = lambda _: frozenset(),
) -> list[Group]:
    """Wordings by normalised form, then wordings that read alike into groups; the largest
    group first (ties: the one asked first). Two wordings are one group only when they name
    the same things (上海 is not 北京, however alike the rest) and were met the same way (a 👎
    on an answer is not a question that went unanswered); naming the same things, they may
    read less alike (上海有几所大学, 上海有多少所高校)."""
    phrasings: dict[tuple[str, bool], Phrasing] = {}
    for item in asked:
        key = normalise(item.question) or item.question.strip()
        if not key:
            continue
        down = item.kind == "down"
        phrasing = phrasings.setdefault((key, down), Phrasing(item.question.strip(), key))
        phrasing.counts[item.kind] = phrasing.counts.get(item.kind, 0) + 1
        if item.fact_id:
            phrasing.fact_ids.append(item.fact_id)
    ordered = sorted(phrasings.items(), key=lambda entry: -entry[1].count)  # stable
    groups: list[tuple[tuple[frozenset[str], bool], Group]] = []
    for (_, down), phrasing in ordered:
        kind = (names(phrasing.question), down)
        home = next((g for k, g in groups if k == kind and _alike(g, phrasing, kind[0])), None)
        if home is None:
            groups.append((kind, Group([phrasing])))
        else:
            home.phrasings.append(phrasing)
    found = [g for _, g in groups]
    found.sort(key=lambda g: -g.count)
    return found


def _alike(home: Group, phrasing: Phrasing, named: frozenset[str]) -> bool:
    ratio = fuzz.ratio(home.lead.normalised, phrasing.normalised) / 100
    return ratio >= (GROUP_NAMED_AT if named else GROUP_AT)
