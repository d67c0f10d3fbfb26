"""Questions that ask for the members of a counted set: "那9大高新区都是哪几个", "10项重大科技成果
都有哪些", "那7个人都叫什么". The article often gives the count without the list; a sentence that
only counts them ("区域内9大高新区", "7人入选") does not answer which ones they are, and a few
kinds named before a large count ("高性能芯片、基础软件等300余家企业") are not its members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.numerals import DIGITS

# The question names a counted set, then asks for its members (都是哪几个, 具体有哪些, 还有哪些,
# 都叫什么, 分别是什么; not 都标出来的地图叫什么, which asks the name of the thing that has them).
_COUNTED = re.compile(
    r"(?<![\d.])(?P<n>\d+)(?:多|余)?(?P<measure>[大项家个位名所类批只台套款]?)"
    r"(?P<noun>[\u4e00-\u9fff]{1,8}?)\s?"
    r"(?:都|具体|分别|各|除了|其余|其他|另外|别的|还)"
)
_MEMBERS = re.compile(
    r"(?:都|具体|分别|还|其余|其他|另外|别的)(?:(?!的)[\u4e00-\u9fff\s\d]){0,8}?"
    r"(?:哪些|哪几|哪\d+[个家项位所]|叫什么|叫啥|是什么|是谁|有谁|名字|名单)"
)
_KINDS = re.compile(r"类型|种类|类别|哪类|哪几类|领域|方面|行业")
_CLAUSE_START = re.compile(r"[，。；：:,;]")
_JOINERS = re.compile(r"、|和|及|与")


@dataclass(frozen=True)
class Listed:
    """The counted set a question asks the members of: 9 and 高新 of 9大高新区."""

    count: int
    noun: str  # the first characters of what is counted
    kinds: bool = False  # it asks what kinds they are (都是哪些类型的): a few kinds answer it


_CN_COUNT = {**{c: n for c, n in DIGITS.items() if n >= 2}, "十": 10}
# "新两翼是指哪两翼", "三城是哪三个": which N of a set the question names with that N
_WHICH_N = re.compile(
    r"哪(?P<n>\d+|[两二三四五六七八九十])(?:个|大|项|家|位|所|类|[\u4e00-\u9fff])"
)


def _which_n(text: str) -> Listed | None:
    """The set "哪N" asks the members of: one the question names with the same count."""
    which = _WHICH_N.search(text)
    if which is None:
        return None
    n = which.group("n")
    count = int(n) if n.isdigit() else _CN_COUNT[n]
    before = text[: which.start()]
    for match in re.finditer(r"(?<![\d.])(\d+|[两二三四五六七八九十])([\u4e00-\u9fff])", before):
        written = match.group(1)
        if (int(written) if written.isdigit() else _CN_COUNT[written]) == count:
            return Listed(count, match.group(2))
    return None


def listed_set(text: str) -> Listed | None:
    """The counted set a (normalised, folded) question asks the members of, if it does."""
    if _MEMBERS.search(text) is None:
        return _which_n(text)
    match = _COUNTED.search(text)
    if match is None:
        return _which_n(text)
    noun = match.group("noun").removeprefix("的")
    noun = noun.removeprefix("个") if match.group("measure") == "" else noun
    kinds = _KINDS.search(text, match.end()) is not None
    return Listed(int(match.group("n")), noun[:2], kinds) if noun else None


def enumerates(listed: Listed, text: str) -> bool | None:
    """Does the text list the members of the set, or only count them? None when it does not
    count that set at all (other checks decide then)."""
    written = "|".join([str(listed.count), *(c for c, n in _CN_COUNT.items() if n == listed.count)])
    pattern = rf"(?<![\d.])(?:{written})[^\d，。；]{{0,3}}?{re.escape(listed.noun[:1])}"
    found = None
    for match in re.finditer(pattern, text):
        found = False
        start = max((m.end() for m in _CLAUSE_START.finditer(text, 0, match.start())), default=0)
        before = text[start : match.start()]
        items = len(_JOINERS.findall(before)) + 1 if _JOINERS.search(before) else 0
        few = listed.count <= 10 or listed.kinds  # (a few named with 等 stand for the rest)
        if items >= listed.count or (few and items >= 2 and "等" in before):
            return True
    return found
