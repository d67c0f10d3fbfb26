"""Small talk: which curated greeting, thanks or question about the bot a message reads like."""

from __future__ import annotations

import re

from bot.engine.index import Index
from bot.engine.question import Question
from bot.engine.scoring import resemblances

SMALLTALK_AT = 0.5  # resemblance to a small-talk example that makes a question small talk
SMALLTALK_ADDRESSED = 0.3  # ...when it names nothing of the article

# Speaking to the bot, or asking how to use it.
_ADDRESS = re.compile(
    r"你|您|机器人|我能|我可以|帮助|怎么用|怎么提问|怎么问|怎么玩|\b(?:you|your|bot|help|how to)\b"
)


def smalltalk_score(index: Index, question: Question) -> tuple[str | None, float]:
    """The small-talk item the question reads most like, and how much (None, 0 for none)."""
    normalised = question.normalised
    if not normalised or len(normalised) > 30:
        return None, 0.0
    folded = question.folded
    best_id, best = None, 0.0
    addressed = _ADDRESS.search(normalised) is not None
    candidates = [
        candidate
        for candidate in index.smalltalk_candidates
        # "夸夫是什么" reads like "你是什么", but it does not ask about the bot
        if addressed or not index.smalltalk[candidate.key.split(":", 1)[1]].addressed
    ]
    scores = resemblances(index, candidates, folded, question.tokens)
    for candidate, score in zip(candidates, scores, strict=True):
        if score > best:
            best_id, best = candidate.key.split(":", 1)[1], score
    return best_id, best
