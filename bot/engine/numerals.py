"""Chinese numerals to Arabic digits where they carry a quantity: 三百六十二 -> 362, 两百 -> 200.

Users type either form; the article mostly prints digits. Folding both sides to digits lets
"三百六十二家" meet "362家". Words where a numeral character is not a quantity on its own
(万人, 千年, 一些) are left alone: a run is converted only when it reads as a number.
"""

from __future__ import annotations

import re

DIGITS = {  # the Chinese digits and their values
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
# A lone 一 / 十 / 百 / 千 / 万 in words like 一些, 统一, 十分, 千年, 万人 is not a quantity.
_LONE_OK = set("二两三四五六七八九")


def _parse(run: str) -> int | None:
    """Value of a well-formed Chinese numeral, or None."""
    total = 0
    section = 0
    digit: int | None = None
    for ch in run:
        if ch in DIGITS:
            if digit is not None:  # two digits in a row: 二零二三 style
                return None
            digit = DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        elif ch in _BIG_UNITS:
            section += digit or 0
            if section == 0:
                return None
            total += section * _BIG_UNITS[ch]
            section = 0
            digit = None
    return total + section + (digit or 0)


def _convert(run: str) -> str:
    # Digit-by-digit forms: 二零二三 -> 2023, 二〇二四 -> 2024.
    if (
        len(run) >= 2
        and all(ch in DIGITS for ch in run)
        and ("零" in run or "〇" in run or len(run) >= 3)
    ):
        return "".join(str(DIGITS[ch]) for ch in run)
    if len(run) == 1 and run not in _LONE_OK:
        return run
    # Keep 万 / 亿 as written units after a number: 五十五万 -> 55万, as the article prints it.
    if run[-1] in _BIG_UNITS and len(run) > 1 and run[-2] not in _BIG_UNITS:
        head = _parse(run[:-1])
        return f"{head}{run[-1]}" if head is not None else run
    value = _parse(run)
    return str(value) if value is not None else run


_CLASSIFIERS = set("个项年家所名件月日天倍秒例位人次台张篇条地城号大类批期届")


def _replace(match: re.Match[str]) -> str:
    run, text = match.group(0), match.string
    after = text[match.end() : match.end() + 2]
    before = text[max(0, match.start() - 2) : match.start()]
    if after == "分之" or before == "分之":  # fractions stay as written: 三分之一
        return run
    if (
        run == "一" and before[-1:] != "" and before[-1:] in "哪第每这那同唯"
    ):  # 哪一年, 第一个: not a count
        return run
    if len(run) == 1:  # a lone numeral counts only before a measure: 十项, 三地; not 长三角
        if after[:1] not in _CLASSIFIERS:
            return run
        return {"一": "1", "十": "10"}.get(run, _convert(run))
    return _convert(run)


_DECIMAL = re.compile(r"([零〇一二两三四五六七八九十百千]+)点([零〇一二三四五六七八九]+)")


def _decimal(match: re.Match[str]) -> str:
    whole = _parse(match.group(1))
    if whole is None:
        return match.group(0)
    return f"{whole}." + "".join(str(DIGITS[ch]) for ch in match.group(2))


_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百\d.]+)")


def _percent(match: re.Match[str]) -> str:
    value = match.group(1)
    if not value[0].isdigit():
        parsed = _parse(value)
        if parsed is None:
            return match.group(0)
        value = str(parsed)
    return f"{value}%"


def fold_numerals(text: str) -> str:
    """Replace Chinese numeral runs that read as quantities with Arabic digits; decimals and
    percentages too (三点零 -> 3.0, 一点四三万 -> 1.43万, 百分之九十 -> 90%)."""
    return _RUN.sub(_replace, _DECIMAL.sub(_decimal, _PERCENT.sub(_percent, text)))
