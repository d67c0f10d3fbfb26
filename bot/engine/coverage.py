"""How much of a question a candidate covers: each content word, weighted, found in what the
candidate says (or as a one-character typo of a word it has), and which uncovered words are
key terms that veto it (names, years, words the knowledge never uses)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.engine.analysis import MERGED, Token
from bot.engine.claims import comparable, dated, quantities
from bot.engine.describe import described_kind
from bot.engine.describing import (
    body_placed,
    described_weight,
    describing,
    head_covered,
    names_of,
    object_described,
)
from bot.engine.evidence import has_instance
from bot.engine.index import Candidate, Index, memo
from bot.engine.kinds import kind_claimed, name_checked, renamed, rival_name
from bot.engine.question import Question
from bot.engine.words import TITLES, is_key_term, nounish, shares_bigram, written_lower


@dataclass
class Coverage:
    total: float = 0.0
    covered: float = 0.0
    focused: float = 0.0
    uncovered: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # words the knowledge never uses
    blocking: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 0.0

    @property
    def focus(self) -> float:
        return self.focused / self.total if self.total else 0.0


def cover(
    index: Index, candidate: Candidate, question: Question, lenient: bool, facts_text: str
) -> Coverage:
    """Weigh each content word of the question against the candidate. In an English question,
    unfamiliar English words are weighed, not vetoed (there are too many ways to say a thing);
    in a Chinese one they are names."""
    shared = question.features
    assert shared is not None
    result = Coverage()
    text, focus_text = candidate.text, candidate.focus_text
    facts = zip(
        question.content,
        shared.weights,
        shared.typo,
        shared.generic,
        shared.titled,
        shared.rescue,
        strict=True,
    )
    for token, weight, typo, generic, titled, rescue in facts:
        word = token.text
        match = _covered(index, text, token, lenient, typo)
        if match < 0.5 and token.kind == "word":
            match = max(match, _rescued(rescue, candidate.text))
        if match < 0.5 and _settled(index, candidate, question, token, facts_text):
            match = 1.0
        if (
            match < 0.5
            and token.text in shared.categories
            and has_instance(index, candidate, token)
        ):
            match = 0.8  # 什么大奖 -> 图灵奖: the answer names one of the kind asked
        if (
            titled
            and not shared.yes_no
            and not _claims(question)
            and deputy_only(word, facts_text, question.folded)
        ):
            match = 0.0  # 院长 asked, only a 副院长 named: another post
            result.blocking.append(word)
        if match >= 0.5 and _inside_names_only(index, candidate, question, token):
            match = 0.0  # 武汉 asked, only 武汉大学 named: a body, not the place
            result.blocking.append(word)
        focus_match = _covered(index, focus_text, token, lenient, typo)
        if generic:
            if match < 1 and token.text in candidate.plain_text:
                match = focus_match = 1.0  # a frame word folding hid: 山东省 -> 山东
            if match < 0.5:
                continue  # a generic word the candidate lacks neither helps nor hurts
                # (an attribute word's evidence is checked on its own, in checks.py)
        if match < 0.5 and (token.text in question.chatter or _aside(index, token)):
            result.uncovered.append(token.text)
            continue  # chat around the question ("我室友是学农的"): it helps when the candidate
            # has it, and never counts against it
        if match < 0.5 and (
            (
                token.kind == "word"
                and describing(question, token)
                and head_covered(question, text, names_of(index, candidate))
            )
            or object_described(index, question, token, text)
        ):
            weight = described_weight(question, weight)
            # a word of a description the article words otherwise
            # ("带版本号的超大规模智能模型叫啥"): it says which thing, the head says what
        result.total += weight
        result.covered += weight * match
        result.focused += weight * focus_match
        if match < 0.5 and token.kind != "frame":
            result.uncovered.append(token.text)
            _veto_uncovered(index, candidate, question, token, result)
    return result


def _settled(
    index: Index, candidate: Candidate, question: Question, token: Token, facts_text: str
) -> bool:
    """Does the candidate settle a word it lacks: "Vidu能生成一分钟的视频吗" by the 16秒 it
    states, "北脑二号是清华大学研发的吗" by the body it names, 那个制度 by a name of that kind?"""
    return (
        _claim_checked(index, candidate, question, token, facts_text)
        or name_checked(index, candidate, question, token)
        or described_kind(index, candidate, question, token)
        or rival_name(index, candidate.facts, question, token)
        or renamed(index, candidate.facts, question, token)
        or kind_claimed(index, candidate.facts, question, token)
        or index.opposites.get(token.text, "\0") in facts_text
        or body_placed(index, candidate, question, token)
    )


def _covered(index: Index, text: str, token: Token, lenient: bool, typo: bool) -> float:
    """covers(), with what it reads of the word alone (`typo`) worked out once per question."""
    if token.text in text:
        return 1.0
    return covers(index, text, token, lenient) if typo else 0.0


def _veto_uncovered(
    index: Index, candidate: Candidate, question: Question, token: Token, result: Coverage
) -> None:
    """An uncovered word: weighed only, a key term that blocks, or an unknown word (which
    blocks unless the question is all but a copy of an example)."""
    shared = question.features
    assert shared is not None
    categories = shared.categories
    if token.text in question.exempt or token.text in index.scaffold:
        return  # a word of a remark or a claim around the asking clause, or one that frames
        # the message (听说, 原话): weighed, not vetoed
    if token.pos == MERGED or token.text in index.attribute_questions:
        return  # weighed, not vetoed: lone characters that read as no typo, and
        # attribute words (职称), which their own evidence check decides
    if token.pos in ("s", "f") and token.kind == "word":
        return  # where, said of the thing: 在猴子身上, 平台上面 (weighed, not vetoed)
    if object_described(index, question, token, candidate.text):
        return  # "用追太阳的神话人物命名的量子计算云平台": what a verb of the description acts on
    if token.kind == "number" and _claims(question) and _figure_claimed(question, token):
        return  # "姚智是2000年拿的图灵奖吧": a figure claimed that the sentence gives nothing
        # to check against; the verdict says the article does not say

    if (
        is_key_term(index, token)
        and not (token.text in categories and token.text not in index.analyzer.entity_types)
    ) or token.text in question.names:
        result.blocking.append(token.text)
    elif token.text in shared.lead_in:
        return  # a scene-setting word of the lead-in: weighed, not vetoed
    elif describing(question, token):
        return  # a word of a description of the thing whose name is asked: weighed
    elif shared.yes_no and len(token.text) >= 2 and not index.known(token.text):
        result.unknown.append(token.text)  # "明天北京会下雨吗": the predicate is asked
    elif (
        not index.known(token.text)
        and nounish(token)
        and not _ASPECT.search(token.text)  # 搞了个: a verb with its particle, no name
        and not (token.text.isascii() and _english_word(question, token.text))
        and not shares_bigram(token.text, candidate.text)
        and token.text not in categories
    ):
        result.unknown.append(token.text)  # a word the knowledge never uses


def _english_word(question: Question, word: str) -> bool:
    """An English word weighed rather than vetoed: any in an English question, and one
    written in lower case in a Chinese one (a word of the sentence, not a name)."""
    return question.english or written_lower(question.text, word)


_ASPECT = re.compile(r"[\u4e00-\u9fff][了过着]")


def _inside_names_only(
    index: Index, candidate: Candidate, question: Question, token: Token
) -> bool:
    """Is a place the question names in the candidate only as part of a longer name that is
    no place ("武汉有多少科研院所" and the sentence lists 武汉大学 among the bodies)? Not when
    the question speaks of that body ("深圳那个农业研究所", "北京脑科学…研究所的所长")."""
    word = token.text
    types = index.analyzer.entity_types
    if not (types.get(word) == "place" or token.pos == "ns") or word not in candidate.text:
        return False
    folded = question.folded
    after = folded[folded.find(word) + len(word) :].lstrip()
    if after.startswith(("那个", "这个", "那家", "那所", "那座", "那位", "的")):
        return False  # 深圳那个…: a description of something there
    longer = _longer_names(index, word)
    if not longer:
        return False  # the article names the place itself somewhere (山东 of 山东省肥城市)
    others = [t.text for t in question.content if len(t.text) >= 2 and t.text != word]
    if not longer or any(
        name[: name.find(word) + len(word) + 1] in folded or any(o in name for o in others)
        for name in longer
    ):
        return False
    text = candidate.text
    for name in sorted(longer, key=len, reverse=True):
        text = text.replace(name, "§")
    return word not in text


def _longer_names(index: Index, word: str) -> frozenset[str]:
    """The longer names, no places, that hold a place's name, when the article never names
    the place by itself (武汉 only in 武汉大学); else nothing."""
    found = memo(index, "longer names")
    if word not in found:
        types = index.analyzer.entity_types
        longer = {
            name
            for names in index.fact_names.values()
            for name in names
            if word in name and name != word and types.get(name) != "place"
        }
        text = index.article_text
        for name in sorted(longer, key=len, reverse=True):
            text = text.replace(name, "§")
        found[word] = frozenset(longer) if word not in text else frozenset()
    return found[word]


def _aside(index: Index, token: Token) -> bool:
    """The writer's people (我老婆问……) and pointing words (那边): they neither help nor hurt."""
    words = index.clause_words
    return token.kind == "word" and (token.text in words.remark or token.text in words.deixis)


def _claims(question: Question) -> bool:
    """Does the message state something to confirm (its posts are checked after: 姚智是副院长吗)?"""
    return question.focus is not None and question.focus.is_claim


def _figure_claimed(question: Question, token: Token) -> bool:
    """Is the number one the claim gives as its value (not one saying which thing is meant)?"""
    return any(c.carried_by(token.text) for c in question.claimed)


def _claim_checked(
    index: Index, candidate: Candidate, question: Question, token: Token, facts_text: str
) -> bool:
    """Is the word a figure the message claims, which the candidate states a figure to check
    against (the same kind of measure: a length of time, a share, a count of 所)?"""
    claims = [c for c in question.claimed if c.carried_by(token.text)]
    if not claims:
        return False
    stated = dated(quantities(facts_text), article_year(index, candidate.facts))
    return any(comparable(c.quantity, stated) for c in claims)


def covers(index: Index, text: str, token: Token, lenient: bool = False) -> float:
    """1 if the candidate has the word; 0.9 for a one-character typo of a word it has.

    A typo that is no word at all (科研人原) is always read as one. A typo that is itself a
    word (高效 for 高校) only when the rest of the question reads like the candidate's
    examples, and never for a proper noun: 上海 is not a typo of 大海.
    """
    word = token.text
    if word in text:
        return 1.0
    if len(word) < 2 or token.kind == "number" or word.isascii() or index.known(word):
        return 0.0  # a word the knowledge uses as itself is not a typo of another
    if not _near_in(word, text):
        return 0.0
    if not token.known_word:
        return 0.9
    if lenient and token.kind == "word" and not token.pos.startswith("n") and not index.known(word):
        return 0.9  # 高效 (an adjective where a noun belongs) for 高校; 学生 is no typo of 学院
    return 0.0


def asked_covered(index: Index, candidate: Candidate, asked: Token, lenient: bool) -> bool:
    """The thing a question asks about must be there; a one-character word (人, 钱) only as
    a word of its own, since as a substring it is inside half the article."""
    if len(asked.text) == 1:  # 什么奖 -> 图灵奖: a one-character noun as the head of one;
        # a one-character verb (建 -> 建设) anywhere in one
        noun = nounish(asked)
        return any(
            (t.text.endswith(asked.text) or (len(t.text) == 2 and t.text[0] == asked.text))
            if noun
            else asked.text in t.text
            for f in candidate.facts
            for t in index.fact_tokens[f.id]
        )  # (什么榜 -> 榜单: a two-character word it begins)
    # What it quotes must say it; an example's wording counts only when the question
    # reads like that example (lenient), not merely because the word is there.
    text = candidate.text if lenient else candidate.quoted_text
    if covers(index, text, asked, lenient) >= 0.5:
        return True
    # 哪所大学 and the fact names 首都医科大学: a name whose head is the word asked about.
    heads = index.surfaces.get(asked.text, (asked.text,))
    return any(
        name != asked.text and name.endswith(head)
        for fact in candidate.facts
        for name in index.fact_names[fact.id]
        for head in heads
    )


def deputy_only(word: str, text: str, question: str) -> bool:
    """Is the title asked (院长) in the text only as its deputy (副院长)?"""
    if not word.endswith(TITLES) or f"副{word}" in question or f"副{word}" not in text:
        return False
    return word not in text.replace(f"副{word}", "")


def _rescued(pairs: tuple[tuple[str, str], ...] | None, text: str) -> float:
    """Character pairs as a safety net for segmentation: a word the segmenter cut differently
    (对标的 -> 对/标的) is covered when each of its characters stands, with a neighbour in the
    question, in a pair the candidate has ("对标"), or is a light character (的, 了). `pairs`
    are the word's (words.rescue_pairs), read once per question."""
    if pairs is None:
        return 0.0
    for left, right in pairs:
        if not ((len(left) == 2 and left in text) or (len(right) == 2 and right in text)):
            return 0.0
    return 0.8


def _near_in(word: str, text: str) -> bool:
    """Does text contain a string of the same length that differs from word in one character?"""
    return _one_off(word).search(text) is not None


@lru_cache(maxsize=8192)
def _one_off(word: str) -> re.Pattern[str]:
    """A pattern for every string one substitution away from word (searched in C, not Python)."""
    return re.compile(
        "|".join(re.escape(word[:i]) + "." + re.escape(word[i + 1 :]) for i in range(len(word)))
    )


def article_year(index: Index, facts: tuple | list) -> int | None:
    """The year the quoted article speaks from (its 今年)."""
    return index.knowledge.article(facts[0].article).year if facts else None
