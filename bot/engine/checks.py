"""Answerability: the checks that veto a candidate whatever its score, because its sentences do
not give what the question asks. Each appends a label to `blocking` (the explanation shows it):
the thing asked about, a figure in the unit asked, the ordinal, version, month or year named,
a name or a person when one is asked for, and an attribute's evidence (a date, a place)."""

from __future__ import annotations

import re

from bot.engine.analysis import Token
from bot.engine.coverage import asked_covered
from bot.engine.describe import described_kind, described_name
from bot.engine.described import BESIDE, THINGS, namer_beside, subject_of
from bot.engine.evidence import (
    counted,
    dated,
    has_evidence,
    has_instance,
    names,
    names_something,
    phrased,
    unnamed,
)
from bot.engine.features import ORDINAL, VERSION, Features
from bot.engine.index import Candidate, Index
from bot.engine.lists import enumerates
from bot.engine.question import Question
from bot.engine.words import TITLES, TO_COME, written_lower


def vetoes(
    index: Index,
    candidate: Candidate,
    question: Question,
    lenient: bool,
    facts_text: str,
    blocking: list[str],
) -> float:
    """Append to `blocking` what the candidate lacks of what the question asks. Returns the
    factor its score is weighed by: less than 1 when only the sentence beside its own gives
    the name asked for (a candidate that gives it itself goes first)."""
    shared = question.features
    assert shared is not None
    _asked(index, candidate, question, shared, lenient, facts_text, blocking)
    _figures(index, candidate, question, shared, facts_text, blocking)
    factor = _names(index, candidate, question, shared, facts_text, blocking)
    if shared.count or shared.unit:
        blocking.extend(_part_of_whole(index, question, facts_text))
    if not (question.focus is not None and question.focus.is_claim):
        blocking.extend(  # 副所长 asked, only the 所长 named: another post ("是不是副所长" is
            # a claim, corrected by the verdict)
            f"副{t}" for t in TITLES if f"副{t}" in question.folded and f"副{t}" not in facts_text
        )
    if question.listed is not None and (
        enumerates(question.listed, "".join(f.text for f in candidate.facts)) is False
    ):
        blocking.append("名单")  # "那9大高新区都是哪几个": it counts them, names none
    scope = "".join(f.where for f in candidate.facts if "截至" in f.where)
    for word, evidence in shared.attributes:
        # 数说's items are dated by the box ("截至2023年底"), not in their own text.
        text = facts_text + scope if word in _WHEN else facts_text
        if not any(has_evidence(index, e, text, candidate, question.folded) for e in evidence):
            blocking.append(word)
        elif word in _WHEN and _FUTURE.search(question.folded) and not TO_COME.search(text):
            blocking.append("将来")  # "6G什么时候能用上": when it will be, not when a plan was
            # made (今年1月印发的实施意见…); "什么时候在河北推广" has 今年5月还将
    return factor


_WHEN = frozenset(["什么时候", "何时", "啥时候", "几时"])
_FUTURE = re.compile(
    r"(?:能|会|才能|可以|将|要)(?:给人)?(?:用上|用到|用|上市|普及|面世|推广|量产|落地)"
)


def _part_of_whole(index: Index, question: Question, facts_text: str) -> list[str]:
    """Places a count is asked for that the quotes name only as part of a region (天津 of
    津冀): "中关村企业在天津设了多少家分支机构" is not answered by the 津冀 total."""
    parts = [
        t.text
        for t in question.content
        if t.kind == "entity" and index.analyzer.entity_types.get(t.text) == "place"
        and t.text not in facts_text
    ]
    named = {t.text for t in question.content}
    return [
        part
        for part in parts
        if any(
            region in facts_text and part in within and not named.issuperset(within)
            for region, within in index.includes.items()
        )  # (天津和河北 together are 津冀: the whole is asked)
    ]


def _asked(
    index: Index,
    candidate: Candidate,
    question: Question,
    shared: Features,
    lenient: bool,
    facts_text: str,
    blocking: list[str],
) -> None:
    """The thing asked about must be there, and counted when the question asks how many."""
    asked, count = shared.asked, shared.count
    categories = shared.categories
    if (
        asked is not None
        and asked.text.isascii()
        and (question.english or written_lower(question.text, asked.text))
        and not count
    ):
        asked = None  # English: too many ways to name a thing for one word to decide,
        # except what "how many" counts
    if asked is not None and asked.text in index.attribute_questions:
        asked = None  # an attribute word: its evidence is checked below
    if asked is not None and asked.text in categories and not index.known(asked.text):
        asked = None  # 什么风格, 哪些景色: a category the answer gives as an instance
    if asked is None or asked.text in blocking:
        return
    if (
        shared.named == () and described_name(index, candidate, shared.subject, question.folded)
    ) or described_kind(index, candidate, question, asked):
        return  # 那个制度叫什么: the 制度 is described, and its sentence names it (预聘—长聘制);
        # 那个县级市是哪个: the article says 肥城 is one ("肥城这个县级城市")
    if count and asked.text.endswith(_PEOPLE) and _headcount(question, asked, facts_text):
        return  # 多少科研人员入选了那个榜单: "7人入选全球2%顶尖科学家榜单" counts them
    if not asked_covered(index, candidate, asked, lenient) and not (
        asked.text in categories and has_instance(index, candidate, asked)
    ):  # (什么部件 is answered by 姿控组件: an instance of the kind asked)
        blocking.append(asked.text)
    elif (
        count
        and (asked.text in facts_text or index.known(asked.text))  # (not a typo)
        and not counted(asked.text, phrased(index, candidate), names(index, candidate))
    ) or (count and asked.text == "人" and not _headcount(question, asked, facts_text)):
        blocking.append(f"{asked.text}的数目")  # (多少人: "7人入选" counts only who made it)


_HEAD_ASKED = re.compile(r"(?:什么|啥|哪个)([\u4e00-\u9fff])$")


def _headed_name(index: Index, candidate: Candidate, folded: str) -> bool:
    """Does a question asking "叫什么谷" get a word of the candidate ending in that head (泰山锂谷),
    which the question does not hold? That word is the name asked."""
    asked = _HEAD_ASKED.search(folded.rstrip("吗呢啊呀 "))
    if asked is None:
        return False
    head = asked.group(1)
    return any(
        len(t.text) >= 3 and t.text.endswith(head) and t.text not in folded
        for fact in candidate.facts
        for t in index.fact_tokens[fact.id]
    )


# Words for people, counted by a head count: "多少科研人员入选" is answered by 7人入选.
_PEOPLE = ("人员", "科学家", "专家", "学者", "研究员", "人才")
_HEADCOUNT = re.compile(r"(?<![\d.])\d+(?:万|亿)?(?:余|多)?(?:人|名|位)(?!民|才|口|均)")


def _headcount(question: Question, asked: Token, text: str) -> bool:
    """Does a head count of the text (7人) count people doing what the question says they do
    (入选…榜单), not people in general ("研究所一共有多少研究人员" is not 7人)?"""
    words = [
        t.text for t in question.content if len(t.text) >= 2 and t.text != asked.text
    ]
    for match in _HEADCOUNT.finditer(text):
        after = text[match.end() : match.end() + 20]
        if any(word in after for word in words):
            return True
    return False


def _figures(
    index: Index,
    candidate: Candidate,
    question: Question,
    shared: Features,
    facts_text: str,
    blocking: list[str],
) -> None:
    """A unit, an ordinal, a version, a month or a relative year the question names must be
    the candidate's too."""
    unit = shared.unit
    if unit and not re.search(rf"\d[\d.]*(?:万|亿)?(?:余|多)?(?:个)?{unit}", facts_text):
        blocking.append(f"多少{unit}")  # 多少年 / 几倍 need a figure in that unit
    for number, unit in shared.ordinals:
        stated = {n for n, u in ORDINAL.findall(facts_text) if u == unit}
        if stated and number not in stated:
            blocking.append(f"{number}{unit}")  # 二期 asked, only 一期 stated
    stated_versions = VERSION.findall(candidate.text) if shared.versions else []
    for version in shared.versions:
        if version in stated_versions:
            continue
        if stated_versions and question.focus is not None and question.focus.is_claim:
            continue  # "是悟道2.0吧": a claim the 3.0 it states corrects (verdict.py)
        blocking.append(version)  # 悟道2.0 asked, only 悟道3.0 stated (or none)
    claimed = {c.written for c in question.claimed if c.quantity.unit == "月份"}
    for month in shared.months:
        if f"{month}月" in claimed and re.search(r"(?<![\d.])\d{1,2}月", facts_text):
            continue  # "是5月成立的吧": the month it claims is checked against the one stated
        if not re.search(rf"(?<![\d.]){month}月", candidate.text):
            blocking.append(f"{month}月")  # a month the candidate never names: 今年5月
    relatives = {c.written for c in question.claimed if c.quantity.unit == "年份起"}
    for relative in shared.other_years:
        if relative in relatives and re.search(r"今年|去年|(?:19|20)\d\d年", facts_text):
            continue  # "是前年获批的吧": the year it claims is checked against the one stated
        if relative not in candidate.text and not dated(index, candidate, relative):
            blocking.append(relative)  # 明年: the article speaks of this year and the last


_MEMBERS = re.compile(r"哪几|哪些|都有谁|都是谁|分别是|各是")
_TITLED = ("标题", "题目", "栏目", "小标题", "书名")


def _names(
    index: Index,
    candidate: Candidate,
    question: Question,
    shared: Features,
    facts_text: str,
    blocking: list[str],
) -> float:
    """A name asked for must be given; so must the person who did a thing or holds a post.
    Returns the score's factor (BESIDE when the name is in the sentence beside)."""
    named, body = shared.named, shared.body
    folded = question.folded
    if named is not None and any(t.text.endswith(_TITLED) for t in shared.subject):
        named = None  # 主标题叫什么: a title is its own text, not a name the sentence gives
    if named is not None and _headed_name(index, candidate, folded):
        named = None  # 叫什么谷: 泰山锂谷 is a name of the head asked
    if named is not None and (
        unnamed(list(shared.subject), facts_text)
        or not (
            names_something(index, candidate, shared.typed if named else folded, named or None)
            or (
                body is not None
                and re.search(rf"(?:多|各|几)个?{body}", facts_text)
                and not _MEMBERS.search(folded)  # 哪几个部门: which ones, not that several
            )
        )
    ) and (named or not described_name(index, candidate, shared.subject, folded)):
        # A description: the sentence beside the candidate's gives the name (described.py).
        if not unnamed(list(shared.subject), facts_text) and namer_beside(
            index, candidate.facts, shared.typed, named or THINGS, subject_of(shared.subject)
        ):
            return BESIDE
        blocking.append("名称")  # the article says "一家科技企业" and never names it, or the
        # sentence names nothing (of the kind asked) the question does not already name
    elif shared.credit and not names_something(index, candidate, folded, ("person",)):
        blocking.append("谁")  # 照片是谁拍的: a credit names a person, not the body pictured
    elif shared.who and not names_something(index, candidate, folded, ("person", "org", "place")):
        blocking.append("谁")  # 悟道3.0是谁开发的: its sentence names no one who did
    elif shared.role is not None and (
        not names_something(index, candidate, folded, ("person",))
        or (shared.role.endswith(TITLES) and shared.role not in facts_text)
    ):
        blocking.append("谁")  # 首席专家是谁: a person is asked for, and none is named;
        # 院长是谁: and the post must be the one its sentences name
    return 1.0
