"""Scoring: how well each short-listed candidate answers the question. Its score mixes how much
the question reads like the intent's examples (resemblance) with how much of the question's
content it covers; its `blocking` list holds what vetoes it (coverage.py, checks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.engine.analysis import Token
from bot.engine.candidates import shortlist
from bot.engine.checks import vetoes
from bot.engine.coverage import cover
from bot.engine.evidence import facts_text
from bot.engine.index import Candidate, Index, resemblance_form
from bot.engine.question import Question
from bot.engine.words import WordWeights, question_words, word_weights

MIN_COVERAGE = 0.5  # at least this share of the question's content weight must be covered
MIN_COVERAGE_YES_NO = 0.7  # a yes/no question asks about all it says: "北脑二号上市了吗"
TYPO_CONTEXT = 0.6  # resemblance at which a real word may be read as a typo (高效 for 高校)
W_RES, W_FOCUS, W_COV = 0.5, 0.3, 0.2  # an intent's score: resemblance, own and paragraph cover
NEAR_COPY = 0.9  # resemblance at which one unfamiliar word no longer blocks an answer


@dataclass
class Scored:
    candidate: Candidate
    score: float
    resemblance: float
    coverage: float
    uncovered: list[str]
    blocking: list[str]  # key terms the candidate does not cover

    yes_no: bool = False

    @property
    def admissible(self) -> bool:
        needed = MIN_COVERAGE_YES_NO if self.yes_no else MIN_COVERAGE
        return not self.blocking and self.coverage >= needed


def rank(index: Index, question: Question) -> list[Scored]:
    """Every short-listed candidate scored, best first (ties by key: the order is stable)."""
    pool = shortlist(index, question)
    ratios = _ratios(question.resembled or question.folded, pool)
    scored = [score(index, candidate, question, ratios) for candidate in pool]
    scored.sort(key=lambda s: (-s.score, s.candidate.key))
    return scored


def score(
    index: Index,
    candidate: Candidate,
    question: Question,
    ratios: dict[int, list[float]] | None = None,
) -> Scored:
    """Score one candidate: resemblance, coverage, then the answerability checks."""
    shared = question.features
    assert shared is not None
    folded = question.folded
    resemblance = (
        _resemblance(
            index, candidate, folded, question.tokens, (ratios or {}).get(id(candidate)),
            shared.words,
        )
        if candidate.examples
        else 0.0
    )
    lenient = resemblance >= TYPO_CONTEXT
    text = facts_text(index, candidate)
    covered = cover(index, candidate, question, lenient, text)
    blocking = covered.blocking
    if resemblance < NEAR_COPY:
        blocking += covered.unknown  # a word the knowledge never uses, unless the question
        # is all but a copy of a curated example with that one word different
    factor = vetoes(index, candidate, question, lenient, text, blocking)
    coverage, focus = covered.share, covered.focus
    if candidate.intent is not None:
        value = max(
            W_RES * resemblance + W_FOCUS * focus + W_COV * coverage,
            0.7 * focus + 0.1 * resemblance,
        )
    else:
        partial = fuzz.partial_ratio(folded.replace(" ", ""), candidate.focus_text) / 100
        value = 0.75 * coverage * (0.6 + 0.4 * partial)
    return Scored(
        candidate, value * factor, resemblance, coverage, covered.uncovered, blocking, shared.yes_no
    )


def _ratios(folded: str, candidates: list[Candidate]) -> dict[int, list[float]]:
    """Character-level similarity of the question to every example of the candidates, in
    one call into rapidfuzz rather than one per example."""
    forms = [e.normalised for c in candidates for e in c.examples]
    if not forms:
        return {}
    row = [0.0] * len(forms)
    query = resemblance_form(folded)
    for _form, ratio, position in process.extract(query, forms, scorer=fuzz.ratio, limit=None):
        row[position] = ratio
    ratios: dict[int, list[float]] = {}
    position = 0
    for candidate in candidates:
        count = len(candidate.examples)
        ratios[id(candidate)] = [float(r) / 100 for r in row[position : position + count]]
        position += count
    return ratios


def resemblances(
    index: Index, candidates: list[Candidate], folded: str, tokens: list[Token]
) -> list[float]:
    """How much the question reads like each candidate's best example (small talk uses it),
    with what it reads of the question worked out once."""
    words = question_words(index, tokens)
    form = resemblance_form(folded)
    return [_resemblance(index, c, folded, tokens, None, words, form) for c in candidates]


def _resemblance(
    index: Index,
    candidate: Candidate,
    folded: str,
    tokens: list[Token],
    ratios: list[float] | None = None,
    words: WordWeights | None = None,
    form: str | None = None,
) -> float:
    """How much the question reads like one of the intent's examples (best example):
    half weighted word overlap (Dice), half character-level similarity of the whole."""
    q_items, q_total = words or question_words(index, tokens)
    postings = candidate.example_words
    if postings is None:
        postings = _example_words(index, candidate)
    totals = candidate.example_totals
    overlaps = [0.0] * len(totals)
    for word, weight in q_items:  # a handful of words: look each one up
        for number, other in postings.get(word, ()):
            overlaps[number] += weight if weight < other else other
    if ratios is None:  # (small talk: no batch of ratios)
        q_form = resemblance_form(folded) if form is None else form
        ratios = [fuzz.ratio(q_form, example.normalised) / 100 for example in candidate.examples]
    best = 0.0
    for overlap, total, ratio in zip(overlaps, totals, ratios, strict=True):
        value = 0.5 * (2 * overlap / (q_total + total or 1)) + 0.5 * ratio
        if value > best:
            best = value
    return best


def _example_words(index: Index, candidate: Candidate) -> dict[str, list[tuple[int, float]]]:
    postings: dict[str, list[tuple[int, float]]] = {}
    totals = []
    for number, example in enumerate(candidate.examples):
        weights = word_weights(index, example.tokens)
        totals.append(sum(weights.values()))
        for word, weight in weights.items():
            postings.setdefault(word, []).append((number, weight))
    candidate.example_words, candidate.example_totals = postings, tuple(totals)
    return postings
