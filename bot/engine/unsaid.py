"""What a follow-up asks that the passage before it leaves unsaid (bot/engine/context.py asks).

Two kinds of question read like the last answer's but ask what its passage does not give:
- the names of things it only counts or leaves unnamed: "那7个人都叫什么名字" after "7人入选……",
  "那家医院叫什么" after "在河北一家医院推广应用", "具体都是哪些高校" after "92所高校";
- a part of a figure it gives only for the whole: "其中河北有多少家" after "在津冀设立分支机构
  数量突破1万家" (津冀 covers 河北, but the article gives no figure for 河北 alone).
Both are declined like any question the article does not answer. The words that ask for names,
for members or for a part are data (`followups` in knowledge/language.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.normalize import normalize

# A thing counted or left unnamed, in the article's own text: a numeral, a classifier, and the
# words after it up to the clause's end: "一家医院推广应用", "300余家企业汇聚于此", "7人入选".
_COUNTED = re.compile(
    r"(?<![0-9.０-９])([0-9０-９]+(?:\.[0-9]+)?|[一两二三四五六七八九十几数百千万]+)(?:余|多)?"
    r"([家处个所位名项款台座人支批大])([^\s\d，。、；：！？…“”‘’（）()—,.;:!?]{0,8})"
)
_PEOPLE = "人名位"  # classifiers that are the noun themselves: 7人, 26名 (of people)
_LISTED = ("等", "”", "」")  # what ends an enumeration of the members counted after it
_NAMED_AFTER = ("——", "：", ":")  # a name given right after the count: 一个部件——RV减速机
_DIGITS = re.compile(r"[0-9]+")
_SOME_PEOPLE = re.compile(r"(?:几|些)[个位名]?[人位]")  # 这几个人, 这些人, 那几位


@dataclass(frozen=True)
class Counted:
    """One counted thing of a passage: its number, classifier and the words after them."""

    number: str  # as a question reads it once normalised: 7, 1
    classifier: str
    tail: str
    named: bool  # its members are named with it ("A、B等300余个平台", "一个部件——RV减速机")


def counted(passage: str) -> list[Counted]:
    """The counted things of an article's text."""
    found = []
    for match in _COUNTED.finditer(passage):
        before = passage[: match.start()].rstrip()
        after = passage[match.end() : match.end() + 6]
        named = before.endswith(_LISTED) or any(mark in after for mark in _NAMED_AFTER)
        found.append(Counted(normalize(match[1]), match[2], normalize(match[3]), named))
    return found


def mentions(message: str, nouns: list[str], thing: Counted, passage: str, loose: bool) -> bool:
    """Does the message speak of this counted thing: by its number or 几/些 with people (那7个人,
    这几位 of 7人), by a noun of the words after it (那家医院 of 一家医院), or, `loose`, by a
    noun sharing a character with them (这个园区 of 一处产业园) when the passage names no such
    thing?"""
    people = thing.number in _DIGITS.findall(message) or _SOME_PEOPLE.search(message)
    if thing.classifier in _PEOPLE and people:
        return any(mark in message for mark in "人位名")
    for noun in nouns:
        if noun in thing.tail:
            return True
        near = loose and len(noun) > 1 and (set(noun) - set(_PEOPLE)) & set(thing.tail[:4])
        if near and not re.search(rf"[^\s，。、；：“”]{{2}}{re.escape(noun)}", passage):
            return True  # (哪个研究所 is not of 一名研究员 where 深圳……研究所 is named)
    return False


def asks_names_of_counted(
    message: str,
    nouns: list[str],
    passage: str,
    words: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
) -> bool:
    """Does the folded message ask for the names (`words[0]`: 叫什么, 名字) or the members
    (`words[1]`: 哪些, 哪家) of something the passage only counts, or, with a plural person
    pronoun (`words[2]`: 他们) asking who, of people it only counts? Members named with the
    count answer a "which" (哪些平台: 成果转化、产业创新……等300余个平台), never a "what name";
    only a name is asked of a thing by a noun merely like the counted one's (这个园区叫什么)."""
    names, members, plural = words
    by_name = any(word in message for word in names)
    if not by_name and not any(word in message for word in members):
        return False
    who = by_name or "谁" in message
    them = who and any(word in message for word in plural)
    return any(
        (
            mentions(message, nouns, thing, passage, by_name)
            or (them and thing.classifier in _PEOPLE)
        )
        and (by_name or not thing.named)
        for thing in counted(passage)
    )


def asks_part_of_whole(
    message: str, parts: list[str], breakdown: tuple[str, ...], quoted: str, quantity: bool
) -> bool:
    """Does the folded message ask with 其中/分别 of a part (a place, a body) that its answer's
    folded quote (punctuation spaces) does not name, or, asking how many, names in no clause
    with a figure?
    Then the quote gives the figure only for a whole (其中河北有多少家 of 津冀's 1万家)."""
    if not parts or not any(word in message for word in breakdown):
        return False
    compact = quoted.replace(" ", "")
    clauses = quoted.split()
    for part in parts:
        if part not in compact:
            return True
        if quantity and not any(_own_figure(c, part) for c in clauses):
            return True  # (其中怀柔科学城有多少: it is listed, with no figure of its own)
    return False


def _own_figure(clause: str, part: str) -> bool:
    """Does this clause give a figure of the part itself: one before it (193家……入驻天津), or
    one after it that no 等 ends a list before (武汉大学等科研院所的26名博士 counts them all)?"""
    at = clause.find(part)
    if at < 0:
        return False
    after = clause[at + len(part) :]
    figure = _DIGITS.search(after)
    if _DIGITS.search(clause[:at]):
        return True
    return figure is not None and "等" not in after[: figure.start()]
