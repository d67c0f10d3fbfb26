"""Checking a claim against what the article says.

"Vidu能生成一分钟的视频吗", "北京的高校有一百所吧", "我记得是59项": the figure a reader claims is
what the answer settles, not a reason to decline. This module reads the figures of a claim and of
the answering sentence as ranges in comparable units (一分钟 is 60秒, 一半 is 50%, 三百多 is
300-399, 近200 is 100-200, 首位 is rank 1) and says whether they agree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.engine.analysis import Token
    from bot.engine.focus import Focus

Verdict = Literal["yes", "no", "unstated"]

LEADS = {"yes": "对，", "no": "不对，"}
UNSTATED = "文章没有说这一点。它说的是："

_CN = "零〇一二两三四五六七八九十百千"
# A Chinese numeral run of two or more characters, or one digit (not a lone 零, 十, 千: 零件, 千年).
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]{{2,}}|[一二两三四五六七八九])"
_DURATIONS = {
    "秒": 1,
    "秒钟": 1,
    "分钟": 60,
    "小时": 3600,
    "天": 86400,
    "周": 7 * 86400,
    "个月": 30 * 86400,
    "年": 365 * 86400,
}
_MEASURES = (
    "分钟|小时|个月|秒钟|平方公里|平方米|厘米|公里|公斤|台套|周年"
    "|[秒天周年岁倍%所家名位个项件例台套人条篇种只座张大批次]"
)
_QUANTITY = re.compile(
    rf"(?P<pre>超过|逾|突破|破|达到|将近|近|约|大约|大概|不到|少于|多于|顶多|最多|至多|不超过|至少|起码|最少|上)?"
    rf"(?P<a>{_NUM})(?:(?:到|至|-|~)(?P<b>{_NUM}))?"
    rf"(?P<mag>万|亿)?(?P<approx>余|多|几)?(?P<unit>{_MEASURES})?"
    rf"(?P<post>出头|左右|以上|多)?(?P<noun>[\u4e00-\u9fff]{{0,4}})"
)
_FRACTION = re.compile(rf"(?P<pre>近|约|超过)?(?P<d>{_NUM})分之(?P<n>{_NUM})")
_ORDER = re.compile(  # 上千: a thousand or more; 过千, 破万: past it; 近千: nearly
    rf"(?P<pre>上|过|破|超|近)(?P<order>[十百千万])(?![亿万分])(?P<unit>{_MEASURES})?"
    rf"(?P<noun>[\u4e00-\u9fff]{{0,4}})"
)
_ORDER_PRE = {"上": "上", "过": "超过", "破": "超过", "超": "超过", "近": "近"}
_HALF = re.compile(r"(?P<pre>近|约)?一半")
# 几百家, 几十万, 十几个: a few of that order (not a lone 几, which asks how many)
_SOME = re.compile(
    rf"(?P<teen>十)?几(?P<order>[十百千万])?(?P<mag>万|亿)?(?P<unit>{_MEASURES})?"
    rf"(?P<noun>[\u4e00-\u9fff]{{0,4}})"
)
# 去年3月, 前年: a year counted from the article's own (今年 is 0)
_RELATIVE_YEARS = {"前年": -2.0, "去年": -1.0, "今年": 0.0, "明年": 1.0, "后年": 2.0}
_RELATIVE_YEAR = re.compile("|".join(_RELATIVE_YEARS))
_RANK = re.compile(rf"第(?P<n>{_NUM})(?![期届代号版批年])|首(?:位|个|款|次|批|份|例|家|任)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")
_YEAR_BEFORE = re.compile(r"(?:前|上|后|下|次|头)(?:1|一)年")
_DOUBLED = re.compile(r"翻了(?:1|一)番|翻(?:1|一)?番")
_MONTH = re.compile(r"(?<![\d.个])(\d{1,2})月")
_SMALL = {"十": 10, "百": 100, "千": 1000}
_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGIT |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Quantity:
    """A figure as a closed range in a comparable unit, with what it counts."""

    low: float
    high: float
    unit: str  # "秒" for any length of time, "%" for any share, "第" for a rank, else the measure
    noun: str = ""  # the words after it (博士 in 26名博士)


@dataclass(frozen=True)
class Claimed:
    """A figure a message claims, as written (一分钟, 100所) and as a range."""

    written: str
    quantity: Quantity

    def carried_by(self, word: str) -> bool:
        """Is this token (or part of it) the figure as written?"""
        return len(word) >= 1 and (word in self.written or self.written in word)


def claimed_figures(focus: Focus, tokens: list[Token]) -> tuple[Claimed, ...]:
    """The figures a message claims: those of its claim clauses ("我记得是59项", "好像是三百多"),
    and of the asking clause when it states something to confirm ("北京有100所高校对吧")."""
    texts = [(text, ("年份", "月份")) for text in focus.claims]  # "我猜第一": a rank claimed
    if focus.is_claim:  # (in the asking clause, dates and ranks say which thing is meant,
        # unless the claim gives them as its value: "是5月成立的吧")
        subject, predicate = split_claim(focus.asking_text)
        texts.append((subject, ("年份", "月份", "第")))
        ranked = (  # 居全球第二, 是国内第二款获批的: the rank is the value
            _RANKS.search(focus.asking_text) is not None or _ORDINAL.search(predicate) is not None
        )
        texts.append((predicate, () if ranked else ("第",)))
    found: list[Claimed] = []
    for text, scoping in texts:
        text = _ARTICLE.sub("某", text)
        for written, quantity in spans(text):
            if quantity.unit not in scoping:
                found.append(Claimed(written, _money(text, written, quantity)))
    return tuple(found)


_MONEY_BEFORE = re.compile(r"(?:薪|工资|收入|价格|价|费|投资|估值|营收|奖金|补贴|钱)\s*$")


def _money(text: str, written: str, quantity: Quantity) -> Quantity:
    """A bare figure after a word of money (年薪上百万) is a sum of money, not a count that
    any figure of the answer could check (26名博士)."""
    at = text.find(written)
    if quantity.unit or at < 0 or not _MONEY_BEFORE.search(text[:at]):
        return quantity
    return Quantity(quantity.low, quantity.high, "元", quantity.noun)


# 我一个朋友, 她一位同事: "one" as an article before the writer's people, no figure claimed
_ARTICLE = re.compile(r"(?<=[我他她])(?:们|的)?(?:1|一)(?:个|位|名)")


# The verb a claim's value follows (not the 是 of 还是, 就是, 不是 ...).
# A rank's verb counts too: 居全球第二, 排名第一, 位列首位.
_RANK_VERB = r"(?:位居|位列|排名|居|排)(?=[\u4e00-\u9fff]{0,4}?(?:第|首))"
_RANKS = re.compile(_RANK_VERB)
_ORDINAL = re.compile(rf"第{_NUM}[款个位家次例份台所]")
COPULA = re.compile(rf"(?<![还就不但只总可要于或凡正真算])是|叫|由|为|{_RANK_VERB}")


def split_claim(text: str) -> tuple[str, str]:
    """A claim's subject and what it says of it: 清华人工智能学院 | 5月成立的吧."""
    verb = COPULA.search(text) or _RHETORICAL.search(text)
    return (text[: verb.start()], text[verb.end() :]) if verb else (text, "")


# "Vidu不是在……发布的吗": a rhetorical question, which claims what follows 不是
_RHETORICAL = re.compile(r"不是(?=.+(?:吗|嘛)\s*$)")


def spans(text: str) -> list[tuple[str, Quantity]]:
    """Every figure of a text with the characters that write it."""
    return [(text[start:end], q) for (start, end), q in _spans(text)]


@lru_cache(maxsize=4096)
def quantities(text: str) -> tuple[Quantity, ...]:
    """Every figure of a normalised text (Arabic digits, or Chinese ones the normaliser left)."""
    return tuple(q for _span, q in _spans(text))


def _spans(text: str) -> list[tuple[tuple[int, int], Quantity]]:
    found: list[tuple[tuple[int, int], Quantity]] = []
    taken: list[tuple[int, int]] = []

    def free(match: re.Match[str], end: int | None = None) -> bool:
        end = match.end() if end is None else end
        return not any(s < end and match.start() < e for s, e in taken)

    for match in _YEAR_BEFORE.finditer(text):  # 比前一年: the year before another, no figure
        taken.append(match.span())
    for match in _YEAR.finditer(text):
        year = float(match.group(1))
        found.append((match.span(), Quantity(year, year, "年份")))
        taken.append(match.span())
    for match in _MONTH.finditer(text):
        if free(match):
            month = float(match.group(1))
            found.append((match.span(), Quantity(month, month, "月份")))
            taken.append(match.span())
    for match in _FRACTION.finditer(text):
        d, n = _value(match.group("d")), _value(match.group("n"))
        if d and n is not None:
            share = _ranged(n / d, n / d, match.group("pre") or "", "", "%", "", share=True)
            found.append((match.span(), share))
            taken.append(match.span())
    for match in _ORDER.finditer(text):
        order = _SMALL.get(match.group("order"), 1e4)
        unit, noun = match.group("unit") or "", match.group("noun")
        ordered = _ranged(order, order, _ORDER_PRE[match.group("pre")], "", unit, noun)
        found.append(((match.start(), match.start("noun")), ordered))
        taken.append(match.span())
    for match in _RELATIVE_YEAR.finditer(text):
        if free(match):
            year = _RELATIVE_YEARS[match.group()]
            found.append((match.span(), Quantity(year, year, "年份起")))
            taken.append(match.span())
    for match in _SOME.finditer(text):
        some = _some(match)
        if some is not None and free(match):
            found.append(((match.start(), match.start("noun")), some))
            taken.append((match.start(), match.start("noun")))
    for match in _HALF.finditer(text):
        if free(match):
            half = _ranged(0.5, 0.5, match.group("pre") or "", "", "%", "", share=True)
            found.append((match.span(), half))
            taken.append(match.span())
    for match in _RANK.finditer(text):
        if free(match):
            rank = _value(match.group("n")) if match.group("n") else 1.0
            if rank is not None:
                found.append((match.span(), Quantity(rank, rank, "第")))
                taken.append(match.span())
    for match in _QUANTITY.finditer(text):
        if not free(match, match.start("noun")):  # (the words after it may be another's)
            continue
        quantity = _quantity(match)
        if quantity is not None:
            found.append(((match.start(), match.start("noun")), quantity))
            taken.append(match.span())
    doubled = _DOUBLED.search(text)
    if doubled is not None:
        found.append((doubled.span(), Quantity(2.0, 2.0, "倍")))
    return found


def _some(match: re.Match[str]) -> Quantity | None:
    """几百 is 200-999, 几十万 200,000-999,999, 十几 11-19: a few of that order."""
    order = match.group("order")
    if match.group("teen"):
        low, high = 11.0, 19.0
    elif order:
        low, high = 2.0 * _SMALL.get(order, 1e4), 10.0 * _SMALL.get(order, 1e4) - 1
    else:
        return None
    scale = {"万": 1e4, "亿": 1e8}.get(match.group("mag") or "", 1.0)
    unit, noun = match.group("unit") or "", (match.group("noun") or "").lstrip("的")
    if unit in _DURATIONS:
        factor = _DURATIONS[unit]
        return Quantity(low * scale * factor, high * scale * factor, "秒", noun)
    return Quantity(low * scale, high * scale, unit, noun)


def _quantity(match: re.Match[str]) -> Quantity | None:
    a = _value(match.group("a"))
    b = _value(match.group("b")) if match.group("b") else None
    if a is None:
        return None
    if b is None and match.group("a") and len(match.group("a")) == 2:
        pair = [_DIGIT.get(ch) for ch in match.group("a")]
        if all(p is not None and p > 0 for p in pair) and 0 < pair[1] - pair[0] <= 2:
            a, b = float(pair[0]), float(pair[1])  # 三五年: three to five years
    unit = match.group("unit") or ""
    if not unit and not (match.group("approx") or match.group("pre")) and a < 10:
        return None  # a bare digit (6g, 3城) is no figure to check
    scale = {"万": 1e4, "亿": 1e8}.get(match.group("mag") or "", 1.0)
    low, high = a * scale, (b if b is not None else a) * scale
    pre = match.group("pre") or ""
    approx = (match.group("approx") or "") + (match.group("post") or "")
    noun = (match.group("noun") or "").lstrip("的")
    if not unit and noun.startswith("级"):
        unit, noun = "级", noun[1:]  # 千亿级: a scale, no count of anything
    if unit == "%":
        return _ranged(low / 100, high / 100, pre, approx, "%", noun, share=True)
    quantity = _ranged(low, high, pre, approx, unit, noun)
    if unit in _DURATIONS:  # 一分钟 is 60秒: every length of time in seconds
        factor = _DURATIONS[unit]
        return Quantity(quantity.low * factor, quantity.high * factor, "秒", noun)
    return quantity


def _ranged(
    low: float, high: float, pre: str, approx: str, unit: str, noun: str, share: bool = False
) -> Quantity:
    """The range a figure means: 300多 is 300-399, 超过262 is 262-263, 近200 is 100-200."""
    step = abs(low) * 0.1 if share else _step(low)
    if pre == "上":  # 上千, 上百: that order of magnitude
        return Quantity(low, low * 10 - 0.5, unit, noun)
    if approx in ("余", "多", "几", "出头", "以上") or pre in ("超过", "逾", "突破", "破", "多于"):
        return Quantity(low, high + step * 0.999, unit, noun)
    if pre in ("近", "将近", "不到", "少于"):
        return Quantity(low - step, high, unit, noun)
    if pre in ("顶多", "最多", "至多", "不超过"):
        return Quantity(0.0, high, unit, noun)  # at most
    if pre in ("至少", "起码", "最少"):
        return Quantity(low, math.inf, unit, noun)  # at least
    if pre in ("约", "大约", "大概") or approx == "左右":
        return Quantity(low * 0.9, high * 1.1, unit, noun)
    return Quantity(low, high, unit, noun)


def _step(value: float) -> float:
    """The size of the last non-zero place: 300 -> 100, 262 -> 1, 1.43万 -> 100."""
    if value <= 0:
        return 1.0
    if value != int(value):
        return 10 ** math.floor(math.log10(value - int(value))) if value > int(value) else 1.0
    number, step = int(value), 1
    while number % 10 == 0 and number >= 10:
        number //= 10
        step *= 10
    return float(step)


def _value(text: str | None) -> float | None:
    if text is None or text == "":
        return None
    if text[0].isdigit():
        try:
            return float(text)
        except ValueError:
            return None
    total, digit = 0, None
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch] if digit is None else digit * 10 + _DIGIT[ch]
        elif ch in _SMALL:
            total += (digit if digit is not None else 1) * _SMALL[ch]
            digit = None
        else:
            return None
    return float(total + (digit or 0))


def compare(claimed: Sequence[Quantity], stated: Sequence[Quantity]) -> Verdict | None:
    """ "no" if a claimed figure disagrees with every comparable stated one, "yes" if every
    comparable claimed figure agrees with one, None if nothing is comparable. A stated figure
    another claimed one repeats checks only that one: in "那段16秒的视频只用了不到10秒" the
    16秒 is the video's, and the 10秒 claimed beside it is "unstated"."""
    agreed = False
    repeated = False
    for claim in claimed:
        rivals = [s for s in stated if _comparable(claim, s)]
        if claim.noun:
            same = [s for s in rivals if _same_noun(claim.noun, s.noun)]
            rivals = same or rivals
        others = [c for c in claimed if c is not claim]
        free = [s for s in rivals if not any(_agrees(c, s) for c in others)]
        if rivals and not free:
            repeated = True  # every figure it could be checked by is another claim's
            continue
        if not free:
            continue
        if not any(_agrees(claim, s) for s in free):
            return "no"
        agreed = True
    if repeated and agreed:
        return "unstated"
    return "yes" if agreed else None


def _agrees(claim: Quantity, stated: Quantity) -> bool:
    return (
        _comparable(claim, stated)
        and claim.low <= stated.high + 1e-9
        and stated.low <= claim.high + 1e-9
    )


def comparable(claim: Quantity, stated: Sequence[Quantity]) -> bool:
    """Does the answer state a figure this claimed one can be checked against?"""
    return any(_comparable(claim, s) for s in stated)


def _comparable(a: Quantity, b: Quantity) -> bool:
    units = {_counted(a), _counted(b)}
    if len(units) == 1:
        return True  # (10万人 and 55万余名 both count people)
    return a.unit == b.unit or (units <= _COUNTS and bool(units & _GENERIC))


def _counted(q: Quantity) -> str:
    """What a figure counts, by its measure word: 名 and 位 count people as 人 does, and
    台手术 counts operations as 例 does."""
    if q.unit == "台" and q.noun.startswith("手术"):
        return "例"
    return _PEOPLE.get(q.unit, q.unit)


_COUNTS = frozenset(["", *"个家所项件例台套名位人"])
_PEOPLE = {"名": "人", "位": "人"}
_GENERIC = frozenset(["", "个"])  # a bare figure or 个 counts anything; 所 and 件 differ


def _same_noun(a: str, b: str) -> bool:
    return len(a) >= 2 and len(b) >= 2 and (a[:2] == b[:2])


def dated(figures: Sequence[Quantity], year: int | None) -> tuple[Quantity, ...]:
    """The figures with each year counted from the article's own (去年 in a 2024 article) also
    given as the year it is (2023), so either way of writing a year compares with the other."""
    if year is None:
        return tuple(figures)
    extra = tuple(
        Quantity(year + q.low, year + q.high, "年份") for q in figures if q.unit == "年份起"
    )
    return (*figures, *extra)
