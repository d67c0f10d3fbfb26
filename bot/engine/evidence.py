"""What a candidate's sentences say, as the answerability checks ask it: does it give a figure
for a word, a date, a place, a name the question lacks, a year a relative one means?"""

from __future__ import annotations

import re

from bot.engine.analysis import Token
from bot.engine.index import Candidate, Index
from bot.engine.normalize import normalize
from bot.engine.words import YEAR, nounish

UNITS = frozenset("秒年月天周米岁元吨克")
_YEAR_OF = re.compile(r"(?<!\d)(?:19|20)\d\d年")
_DAY = re.compile(r"(?<![\d.])(?:[1-9]|[12]\d|3[01])[日号]")
_RELATIVE_YEAR = re.compile(r"今年|去年|明年|前年|后年")
_YEAR_OFFSETS = {"前年": -2, "去年": -1, "明年": 1, "后年": 2}
_DATE = re.compile(
    r"(?:19|20)\d\d|\d+(?:个)?[年月日]|今年|去年|明年|前年|年底|年末|年初|上午|下午|之际|期间|年间|以来"
)
_NOT_CITIES = {"我国", "京津冀", "津冀", "全国", "中国"}
_DIGIT_AFTER = 10

# A figure with its measure word, then at most a few characters, right before the thing
# counted: 92所高校, 193家国家高新技术企业, 1.43万台套科研设施与仪器开放共享.
_COUNTED_BEFORE = re.compile(
    r"(?:(?<![\d.])(?:[02-9]|1[\d.]|\d{2,})[\d.]*|[百千])(?:万|亿)?(?:余|多)?"
    r"(?:[个所家项名件位台套例倍秒年月天次条篇种类份批只座张号大米]|平方米|平方公里)"
    r"[^\d\s]{0,8}$"
)
_FIGURE_RIGHT_BEFORE = re.compile(
    r"(?:\d{2,}|[02-9]|\d\.\d+)(?:万|亿)?(?:余|多)?$"
)  # 113周年, 1.43万台套
_LINKED_FIGURE = re.compile(
    r"(?:的)?(?:\d|[百千万])"  # right after it: 企业362家, 建设的10年
    r"|[^\s]{0,6}?(?:数量|数|达到|达|超过|突破|近|约|共|为|增至|有|占|降低|减少|下降|提高|提升"
    r"|增加|增长|缩短)[^\d\s]{0,4}?"
    r"(?:\d|[百千万]|[一二三四五六七八九十]分之)"
)


def facts_text(index: Index, candidate: Candidate) -> str:
    """The folded text of what the candidate quotes, its sentences only."""
    return "".join(index.fact_text[f.id] for f in candidate.facts)


def names(index: Index, candidate: Candidate) -> tuple[str, ...]:
    """Proper names in the candidate's facts (not the article's generic terms)."""
    types = index.analyzer.entity_types
    return tuple(
        name for fact in candidate.facts for name in index.fact_names[fact.id] if name in types
    )


def phrased(index: Index, candidate: Candidate) -> str:
    """Its facts folded with a space where the article has punctuation: a figure counts
    the words after it up to the next comma, not the next clause's (1000余所科研院所，
    国家实验室 gives no count of 国家实验室)."""
    return " ".join(index.phrased(fact) for fact in candidate.facts)


def has_instance(index: Index, candidate: Candidate, category: Token) -> bool:
    """Does a fact of the candidate hold a word with the category's head (奖 of 大奖), or name
    a thing of the kind the word stands for (哪个活动 -> an event: 中关村论坛年会)?"""
    kind = index.kinds.get(category.text)
    if kind is not None and any(
        index.analyzer.entity_types.get(name) == kind
        for f in candidate.facts
        for name in index.fact_names[f.id]
    ):
        return True
    head = category.text[-1]
    return len(category.text) >= 2 and any(
        len(t.text) >= 2 and t.text.endswith(head) and t.text != category.text
        for f in candidate.facts
        for t in index.fact_tokens[f.id]
    )


def dated(index: Index, candidate: Candidate, relative: str) -> bool:
    """Does the candidate name the year a relative one means, counted from the year its
    article speaks from (去年 in a 2024 article: 2023)?"""
    if not candidate.facts:
        return False
    year = index.knowledge.article(candidate.facts[0].article).year
    offset = _YEAR_OFFSETS.get(relative)
    return year is not None and offset is not None and str(year + offset) in candidate.text


def names_something(
    index: Index, candidate: Candidate, folded: str, kinds: tuple[str, ...] | None = None
) -> bool:
    """Does a fact of the candidate give a name the question does not already hold: a
    person, organisation, product, event or document, a quoted name, a Latin-script name?
    With `kinds`, only a curated name of one of those kinds counts (谁: a person, a body)."""
    analyzer = index.analyzer
    for fact in candidate.facts:
        for name in fact.entities:
            key = normalize(name)
            if key in folded or (kinds is None and analyzer.canonical.get(key, key) in folded):
                continue  # (with `kinds`, `folded` is the question as typed: a name the
                # user only described, 区域创新地图, is named by the answer)
            kind = analyzer.entity_types.get(key)
            if kinds is not None:
                if kind in kinds:
                    return True
                continue
            if kind in ("person", "org", "product", "event", "document") or (
                kind is None and key not in analyzer.canonical.values()
            ):
                return True  # curated names, and quoted or Latin names the builder found
    return False


def has_evidence(
    index: Index, evidence: str, text: str, candidate: Candidate, asked: str = ""
) -> bool:
    """Does the text hold the kind of information an attribute question asks for? (`asked`:
    the question, folded: a name it asks of is its own evidence, 2024中关村论坛年会 of
    "这个年会是哪一年的", but not of "Vidu是哪一年发布的".)"""
    if evidence in ("#year", "#date", "#day"):
        for name in names(index, candidate):  # not the year in 2024中关村论坛年会
            if not (asked and name in asked):
                text = text.replace(name, "")
        if evidence == "#year":
            return bool(YEAR.search(text) or _RELATIVE_YEAR.search(text))
        if evidence == "#day":
            return _DAY.search(text) is not None  # 27日, not 人工智能主题日
        return _DATE.search(text) is not None
    if evidence in ("#place", "#city"):
        return _names_place(index, candidate, evidence)
    if evidence in UNITS:  # a unit is evidence with its figure: 16秒, 6年, not 秒杀
        if evidence == "年":
            text = _YEAR_OF.sub("", text)  # 6年 is a length of time, 2023年 a date
        figure = rf"[\d十百千万两半][\d.]*(?:万|亿)?(?:余|多)?个?{evidence}"
        return re.search(figure, text) is not None
    return evidence in text


def _names_place(index: Index, candidate: Candidate, evidence: str) -> bool:
    types = index.analyzer.entity_types
    canonical = index.analyzer.canonical
    for fact in candidate.facts:
        for name in index.fact_names[fact.id]:
            name = canonical.get(name, name)  # 北京市 is 北京
            kind = types.get(name)
            if evidence == "#place" and kind in ("place", "event"):
                return True
            if evidence == "#city" and kind == "place" and name not in _NOT_CITIES:
                return True
    return False


def unnamed(content: list[Token], text: str) -> bool:
    """Does the text mention what the question asks the name of only as "一家…X" or "联合X" (a
    company, a hospital it does not name)?"""
    return any(
        token.kind == "word"
        and len(token.text) >= 2
        and nounish(token)
        and re.search(
            rf"(?:(?:1|一)[家个位所款处座台][^\d]{{0,4}}|联合[^\d]{{0,2}}){re.escape(token.text)}",
            text,
        )
        for token in content
    )


_MEASURED = re.compile(r"\d[\d.]*(?:万|亿)?(?:余|多)?[个所家项名位台套]$")


def _counted_name(word: str, text: str, start: int, names: tuple[str, ...]) -> bool:
    """Is the word the head of a name (服务 of 中关村集成服务机构: at most two characters after
    it) that a figure with its measure word stands right before (11家)?"""
    for name in names:
        at = name.find(word)
        if name == word or at < 0 or len(name) - at - len(word) > 2:
            continue
        begin = start - at
        if text.startswith(name, begin) and _MEASURED.search(text[max(0, begin - 12) : begin]):
            return True
    return False


def counted(word: str, text: str, names: tuple[str, ...] = ()) -> bool:
    """Does the text give a figure for the word: before it (92所高校, 26名博士) or after it
    through a linking word (分支机构数量突破1万家, 入驻率达90%, 手术近200例)? A "how many"
    question is not answered by a sentence that only names the thing, nor by a figure about
    something else nearby, nor by the word inside a longer name (北京天坛医院 is no count of
    医院)."""
    if len(word) == 1:  # 多少人: a figure counting it, "7人入选", "26名博士"
        return (
            re.search(rf"\d[\d.]*(?:万|亿)?(?:余|多)?(?:名|位)?{re.escape(word)}", text) is not None
        )
    start = text.find(word)
    while start >= 0:
        inside_name = any(
            word in name
            and text.find(name, max(0, start - len(name)))
            in range(max(0, start - len(name) + len(word)), start + 1)
            for name in names
            if name != word
        )
        if inside_name and _counted_name(word, text, start, names):
            return True  # 11家中关村集成服务机构: the name's head is the thing counted
        if not inside_name:
            before = text[max(0, start - 16) : start]
            after = text[start + len(word) : start + len(word) + _DIGIT_AFTER]
            if (
                _COUNTED_BEFORE.search(before)
                or _FIGURE_RIGHT_BEFORE.search(before)
                or _LINKED_FIGURE.match(after)
            ):
                return True
        start = text.find(word, start + 1)
    return False
