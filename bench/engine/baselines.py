"""The two naive baselines: quote the single best fact by WRatio or by BM25 over bigrams."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.engine.reply import Reply
from bot.evaluate import Item


class WRatioRanker:
    """The fact whose text is most like the raw question by fuzz.WRatio (score 0..100)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)

    def best(self, question: str) -> tuple[float, int]:
        match = process.extractOne(question, self.texts, scorer=fuzz.WRatio, processor=None)
        return (float(match[1]), int(match[2])) if match else (0.0, -1)


_WORD_RUN = re.compile(r"[^\W_]+")


def char_bigrams(text: str) -> list[str]:
    """Character pairs inside runs of letters, digits or CJK of the NFKC, lower-cased text.

    Pairs are the usual unit for Chinese retrieval without a segmenter; punctuation and spaces
    end a run, so "校？" or "， 北" never count as shared content.
    """
    grams: list[str] = []
    for run in _WORD_RUN.findall(unicodedata.normalize("NFKC", text).lower()):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


class BM25Ranker:
    """Okapi BM25 over character pairs; each fact is a document, the question is the query."""

    def __init__(self, texts: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        docs = [Counter(char_bigrams(t)) for t in texts]
        lengths = [sum(d.values()) for d in docs]
        average = sum(lengths) / len(lengths) if lengths else 1.0
        frequency = Counter(gram for doc in docs for gram in doc)
        total = len(docs)
        self.idf = {
            gram: math.log(1 + (total - n + 0.5) / (n + 0.5)) for gram, n in frequency.items()
        }
        # Precompute each posting's term-frequency part: a query is then one multiply-add each.
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, (doc, length) in enumerate(zip(docs, lengths, strict=True)):
            norm = k1 * (1 - b + b * length / average)
            for gram, tf in doc.items():
                self.postings[gram].append((number, tf * (k1 + 1) / (tf + norm)))

    def best(self, question: str) -> tuple[float, int]:
        scores: dict[int, float] = defaultdict(float)
        for gram in set(char_bigrams(question)):
            idf = self.idf.get(gram)
            if idf is None:
                continue
            for number, part in self.postings[gram]:
                scores[number] += idf * part
        if not scores:
            return 0.0, -1
        number = max(scores, key=lambda n: (scores[n], -n))
        return scores[number], number


class Ranker(Protocol):
    """What a baseline needs: the best fact for a question and its score (higher is better)."""

    def best(self, question: str) -> tuple[float, int]: ...


def decide(texts: Sequence[str], score: float, number: int, threshold: float) -> Reply:
    """A baseline's reply: the fact text itself when the score reaches the threshold."""
    if number >= 0 and score >= threshold:
        return Reply("answer", texts[number], score=score)
    return Reply("fallback", "", score=score)


def tune_threshold(
    ranker: Ranker, texts: Sequence[str], items: Sequence[Item]
) -> tuple[float, float]:
    """The threshold with the best accuracy on `items`, and that accuracy.

    Every distinct best score is a candidate (and +inf: never answer). Among equally accurate
    thresholds the highest wins: when unsure, declining is what the project asks of a reply.
    """
    scored = [(item, *ranker.best(item.question)) for item in items]
    candidates = [*sorted({score for _, score, _ in scored}), math.inf]
    best_threshold, best_correct = math.inf, -1
    for threshold in candidates:
        correct = sum(item.judge(decide(texts, s, n, threshold)) for item, s, n in scored)
        if correct >= best_correct:
            best_threshold, best_correct = threshold, correct
    return best_threshold, best_correct / len(items) if items else 0.0


@dataclass
class Baseline:
    name: str
    ranker: Ranker
    texts: list[str]
    threshold: float
    dev_accuracy: float

    def ask(self, question: str) -> Reply:
        return decide(self.texts, *self.ranker.best(question), self.threshold)


def make_baselines(fact_texts: Sequence[str], dev_items: Sequence[Item]) -> list[Baseline]:
    """Both baselines over the same facts, each with its threshold tuned on the dev questions."""
    baselines = []
    for name, ranker in (
        ("WRatio", WRatioRanker(fact_texts)),
        ("BM25 bigrams", BM25Ranker(fact_texts)),
    ):
        threshold, accuracy = tune_threshold(ranker, fact_texts, dev_items)
        baselines.append(Baseline(name, ranker, list(fact_texts), threshold, accuracy))
    return baselines
