"""Retrieval: the candidates worth scoring for a question. Those that share a word with it,
then (for words no candidate has: typos, odd segmentation) those that share a character pair;
cut to a short list by shared word weight, so latency stays flat as the knowledge grows."""

from __future__ import annotations

import heapq

from bot.engine.index import Candidate, Index, bigrams
from bot.engine.question import Question
from bot.engine.words import content_weight

SHORTLIST = 30  # candidates scored in full per question


def shortlist(index: Index, question: Question) -> list[Candidate]:
    pool: set[int] = set()
    strays: list[str] = []
    for token in question.content:
        posting = index.by_token.get(token.text)
        if posting:
            pool.update(posting)
        else:
            strays.append(token.text)
    # Character pairs only for words no candidate has (typos, odd segmentation), so a
    # question is scored against the candidates that share something with it, not all.
    for gram in bigrams("".join(strays)):
        pool.update(index.by_bigram.get(gram, ()))
    if len(pool) > SHORTLIST:
        # A cheap first pass (shared words by weight) keeps the full scoring, which is what
        # costs, to a short list.
        shared: dict[int, float] = dict.fromkeys(pool, 0.0)
        for token in question.content:  # add each word's weight along its posting list
            weight = content_weight(index, token)
            for number in index.by_token.get(token.text, ()):
                shared[number] += weight
        pool = set(heapq.nlargest(SHORTLIST, shared, key=lambda i: (shared[i], -i)))
    return [index.candidates[i] for i in pool]
