"""Reading a question, once: cleaned and cut, normalised, folded, split into labelled tokens,
its content words, the words of its lead-in clauses, the names it capitalises, and what it
asks (features.py). Every later stage reads this value, never the raw text again."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.analysis import Token
from bot.engine.features import Features, features
from bot.engine.index import Index
from bot.engine.normalize import MAX_QUESTION_CHARS, normalize, strip_invisible
from bot.engine.words import CJK

INTERROGATIVE = re.compile(
    r"[?？]|吗|呢|什么|啥|多少|几|哪|谁|怎|为何|为什么|如何|是否|是不是|有没有|能不能"
    r"|how|what|who|when|where|why|which"
)
_CAPITALISED = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+|[A-Z]{2,})\b")
_PARTS = re.compile(r"[？?；;！!。]+")


@dataclass(frozen=True)
class Question:
    text: str  # as typed, without invisible characters, cut to the length cap
    normalised: str
    folded: str  # normalised, then synonyms and typos folded to the article's words
    tokens: list[Token]
    content: list[Token]  # the words that must be covered (no question or small-talk words)
    names: frozenset[str] = frozenset()  # capitalised words of an English sentence
    lead_in: frozenset[str] = frozenset()
    features: Features | None = None  # what it asks; None when it has no content words

    @property
    def english(self) -> bool:
        return CJK.search(self.normalised) is None


def clean(text: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """The question as the engine reads it: at most `limit` characters (the one length cap,
    applied here and nowhere else), without invisible characters."""
    return strip_invisible(text or "")[:limit]


def parts(text: str) -> list[str]:
    """The sentences of a message that may each be a question of their own."""
    return [p for p in _PARTS.split(text) if len(p.strip()) >= 4]


def read(index: Index, text: str, bot_username: str = "") -> Question:
    """Everything the stages after this one read of the question, worked out once."""
    normalised = normalize(text, bot_username)
    analyzer = index.analyzer
    folded = analyzer.fold(normalised, fuzzy=True) if normalised else ""  # (once)
    tokens = analyzer.question_tokens(folded) if normalised else []
    content = [t for t in tokens if t.kind != "stop" and t.text not in index.smalltalk_words]
    content = _without_alternative(tokens, content)
    lead_in = _lead_in(folded, tokens, content) if CJK.search(normalised) else frozenset()
    return Question(
        text=text,
        normalised=normalised,
        folded=folded,
        tokens=tokens,
        content=content,
        names=_capitalised(text),
        lead_in=lead_in,
        features=features(index, folded, tokens, content, normalised, lead_in)
        if content
        else None,
    )


def _lead_in(folded: str, tokens: list[Token], content: list[Token]) -> frozenset[str]:
    """In a question of several clauses ("我对京津冀很感兴趣，科技部有位负责人谈到…，具体是从
    什么关系转向什么关系？"), the words of the lead-in set the scene: they count towards the
    match, but a word the article never uses there vetoes nothing. Names and figures always
    count in full, wherever they stand. Returns the lead-in's words."""
    clauses = folded.split(" ")
    if len(clauses) < 2 or len(folded) < 16:
        return frozenset()
    asking = max(
        (number for number, clause in enumerate(clauses) if INTERROGATIVE.search(clause)),
        default=len(clauses) - 1,
    )
    start = sum(len(c) + 1 for c in clauses[:asking])
    end = start + len(clauses[asking])
    where: dict[int, int] = {}  # id(token) -> its start in `folded`
    cursor = 0
    for token in tokens:
        found = folded.find(token.text, cursor)
        if found >= 0:
            where[id(token)] = found
            cursor = found + len(token.text)
    asked = {t.text for t in content if start <= where.get(id(t), start) < end}
    return frozenset(
        t.text
        for t in content
        if t.kind not in ("entity", "number") and t.text not in asked
    )


def _capitalised(question: str) -> frozenset[str]:
    """Capitalised words inside an English sentence are names (Australia, Shanghai): a name
    the knowledge does not cover is never answered by a fact about something else."""
    text = question.strip()
    return frozenset(word.lower() for word in _CAPITALISED.findall(text))


def _without_alternative(tokens: list[Token], content: list[Token]) -> list[Token]:
    """In "用的是国产机床还是进口的", the words after 还是 offer an alternative the article may
    not mention; the question is answered by what it says of the first."""
    texts = [t.text for t in tokens]
    if "还是" not in texts or texts.index("还是") == 0:
        return content
    after = {id(t) for t in tokens[texts.index("还是") + 1 :]}
    return [t for t in content if id(t) not in after]
