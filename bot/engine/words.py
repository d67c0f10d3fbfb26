"""What one word of a question is worth: its weight, whether it is a noun, a name, a year,
or a word of the article's own. Shared by every stage that reads tokens."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.engine.analysis import Token
from bot.engine.index import Index

STOP_WEIGHT = 0.15  # question words count a little in resemblance: 多长 vs 是什么 matters
FRAME_WEIGHT = 0.4

# Posts a question may ask the holder of (院长是谁), and whose deputies (副院长) are other posts.
TITLES = ("院长", "所长", "校长", "主任", "教授", "主席", "部长", "局长", "书记", "总经理", "会长")

CJK = re.compile(r"[\u4e00-\u9fff]")
# A time still to come: 还将在河北推广, 计划, 预计 (the claim check and the "when will it" check)
TO_COME = re.compile(r"还将|即将|将要|将于|将在|将会|计划|拟于|预计|有望|明年")

YEAR = re.compile(r"(?:19|20)\d\d")

WordWeights = tuple[tuple[tuple[str, float], ...], float]


def nounish(token: Token) -> bool:
    """Nouns, time words (明年), abbreviations (北大), English words, and anything the
    dictionary does not know."""
    return (
        token.pos.startswith("n") or token.pos in ("eng", "vn", "t", "j") or not token.known_word
    )


def content_weight(index: Index, token: Token) -> float:
    """Rare words weigh more. Frames weigh less, and so do single characters and verbs or
    adverbs the knowledge never uses (paraphrase filler: 希望, 想着), which say little."""
    weight = index.weight(token.text)
    if token.kind == "frame":
        return weight * FRAME_WEIGHT
    if token.kind == "word" and len(token.text) == 1:
        return weight * 0.3
    if token.kind == "word" and not index.known(token.text):
        if not nounish(token):
            return weight * 0.4
        if token.text.isascii():
            return weight * 0.4  # English filler the glossary lacks ("took", "being")
    return weight


def token_weight(index: Index, token: Token) -> float:
    """A word's weight in resemblance, where question words count too (a little)."""
    weight = index.weight(token.text)
    if token.kind == "stop":
        return weight * STOP_WEIGHT
    if token.kind == "frame":
        return weight * FRAME_WEIGHT
    return weight


def word_weights(index: Index, tokens: tuple[Token, ...] | list[Token]) -> dict[str, float]:
    return {t.text: token_weight(index, t) for t in tokens}


def question_words(index: Index, tokens: list[Token]) -> WordWeights:
    """The question's words with their weights, and their total: compared with each example."""
    weights = word_weights(index, tokens)
    return tuple(weights.items()), sum(weights.values())


def is_key_term(index: Index, token: Token) -> bool:
    """Named things and years must be covered, whatever else matches.

    A named thing is one curated in terms.yaml, or a word the tagger calls a proper noun
    that the knowledge never uses (上海, 清华附中). Words the tagger calls proper nouns but
    the article uses as common ones (城市) are ordinary words.
    """
    if token.kind == "entity":
        return token.text in index.analyzer.entity_types or not index.known(token.text)
    return token.kind == "number" and YEAR.fullmatch(token.text.removesuffix("年")) is not None


def anchors(index: Index, token: Token) -> bool:
    """Does this token tie the question to the article: a name, a figure, or a word of two
    or more characters that the article's own text uses?"""
    if token.kind in ("entity", "number"):
        return True
    return len(token.text) >= 2 and token.kind == "word" and token.text in index.article_text


def shares_bigram(word: str, text: str) -> bool:
    """县级市 ~ 县级城市, 产业界 ~ 产业: a longer Chinese word whose two-character part the text
    has. (Not for Latin words: "sora" shares "or" with any English sentence.)"""
    return (
        len(word) >= 3
        and not word.isascii()
        and any(word[i : i + 2] in text for i in range(len(word) - 1))
    )


_LIGHT_CHARS = set("的了是在和与及之也都就还把被将说讲")


def rescue_pairs(word: str, folded: str) -> tuple[tuple[str, str], ...] | None:
    """For each of the word's characters that is not a light one (的, 了), the pairs it forms
    with its neighbours in the question (left, right; "" at the start): what coverage's
    segmentation safety net looks for in a candidate. None for a word too short or not there."""
    start = folded.find(word)
    if start < 0 or len(word) < 2:
        return None
    return tuple(
        (folded[offset - 1 : offset + 1] if offset > 0 else "", folded[offset : offset + 2])
        for offset, char in enumerate(word, start=start)
        if char not in _LIGHT_CHARS
    )


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


@lru_cache(maxsize=512)
def _lower_words(text: str) -> frozenset[str]:
    return frozenset(
        w.replace("-", "").replace("'", "") for w in _LATIN_WORD.findall(text) if w.islower()
    )


def written_lower(text: str, word: str) -> bool:
    """An English word written in lower case inside a Chinese question ("shift到什么",
    "two key directions"): a word of the sentence the glossary lacks, weighed like an English
    question's. Capitalised or with digits (GPT4, Sora) it is a name, which vetoes."""
    return len(word) >= 3 and word.isalpha() and word in _lower_words(text)
