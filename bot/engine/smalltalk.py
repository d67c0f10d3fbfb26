"""Small talk: which curated greeting, thanks or question about the bot a message reads like."""

from __future__ import annotations

import re

from bot.engine.index import Index
from bot.engine.normalize import normalize
from bot.engine.question import INTERROGATIVE, Question
from bot.engine.scoring import resemblances

SMALLTALK_AT = 0.5  # resemblance to a small-talk example that makes a question small talk
SMALLTALK_ADDRESSED = 0.3  # ...when it names nothing of the article

# Speaking to the bot, or asking how to use it.
_ADDRESS = re.compile(
    r"你|您|机器人|我能|我可以|帮助|怎么用|怎么提问|怎么问|怎么玩|\b(?:you|your|bot|help|how to)\b"
)


# When every clause of a message is small talk ("Hi, who are you and what can you do?", "好的谢谢，
# 先这样吧拜拜"), the reply is the one that matters most: what the bot is before a greeting, and
# a goodbye before thanks (a goodbye never gets a fact).
_PRIORITY = ("help", "who_are_you", "bye", "thanks", "praise", "greeting")
CLAUSE_CHARS = 40  # a clause longer than this is no small talk


def smalltalk_score(index: Index, question: Question) -> tuple[str | None, float]:
    """The small-talk item the question reads most like, and how much (None, 0 for none)."""
    if not question.normalised or len(question.normalised) > 30:
        return None, 0.0
    return _best(index, question.normalised, question.folded, question.tokens)


def clause_smalltalk(index: Index, question: Question) -> str | None:
    """The small-talk item of a message of several clauses that are all small talk (or say
    nothing at all), else None: "晚安，明天再聊" is a goodbye, though 明天 is the article's word."""
    focus = question.focus
    english = False
    if focus is None or len(focus.clauses) < 2:
        english = question.english and " " in question.normalised
        if not english or len(question.normalised) > 2 * CLAUSE_CHARS:
            return None
        texts = [t for t in re.split(r"\band\b|,", question.text.lower()) if t.strip()]
    else:  # a remark about the writer beside a greeting asks nothing ("早上好！我是做锂电池的")
        asks = INTERROGATIVE.search(question.text) is not None
        texts = [c.text for c in focus.clauses if asks or c.role != "remark"]
    found: list[str] = []
    for text in texts:
        normalised = normalize(text)
        if len(normalised) > CLAUSE_CHARS:
            return None
        tokens = index.analyzer.tokens(normalised)
        item, score = _best(index, normalised, index.analyzer.fold(normalised), tokens)
        other = [t for t in tokens if t.kind != "stop" and t.text not in index.smalltalk_words]
        if item is not None and score >= SMALLTALK_AT and not (english and other):
            found.append(item)  # ("hey whats the title of this article" asks for the title)
        elif other:
            return None  # a clause that says something else
    if not found:
        return None
    return min(found, key=lambda item: _PRIORITY.index(item) if item in _PRIORITY else 99)


def _best(index: Index, normalised: str, folded: str, tokens: list) -> tuple[str | None, float]:
    best_id, best = None, 0.0
    addressed = _ADDRESS.search(normalised) is not None
    candidates = [
        candidate
        for candidate in index.smalltalk_candidates
        # "夸夫是什么" reads like "你是什么", but it does not ask about the bot
        if addressed or not index.smalltalk[candidate.key.split(":", 1)[1]].addressed
    ]
    scores = resemblances(index, candidates, folded, tokens)
    for candidate, score in zip(candidates, scores, strict=True):
        if score > best:
            best_id, best = candidate.key.split(":", 1)[1], score
    return best_id, best
