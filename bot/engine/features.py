"""What a question asks, read once per question: the thing asked about and whether it asks how
many, the kind of name or person wanted, the figures, dates and versions it names. Every
candidate's checks read these rather than the question's text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.analysis import Token
from bot.engine.index import Index
from bot.engine.words import (
    TITLES,
    WordWeights,
    content_weight,
    nounish,
    question_words,
    rescue_pairs,
)

LEAD_IN_WEIGHT = 0.4  # a word of a question's lead-in clauses, against one of the asking clause

ORDINAL = re.compile(r"([\d一二三四五六七八九十]+)(期|届|代|号|版|批)")
# A version glued to a name (悟道3.0), not a quantity (1.43万台套, 2.5倍).
VERSION = re.compile(r"(?<=[^\d.\s])(\d+\.\d+)(?![\d.%万亿倍个台套名家所])")
_MONTH = re.compile(r"(?<![\d.个])(1[0-2]|[1-9])月(?!份?[\d])")
_OTHER_YEAR = re.compile(r"去年|明年|前年|后年")  # (今年 is the article's own time)

# Who made, released or proposed it: the answer must name a person, a body or a place.
_WHO_QUESTION = re.compile(
    r"(?:谁|哪位|哪个人|哪些人).{0,2}?"
    r"(?:研发|开发|研制|发布|发明|提出|创立|创建|建立|设计|制造|生产|推出|培育|领衔|带领"
    r"|拍|摄|写|撰写|画|绘制|制作)"
)
# Who took the photo, wrote or drew it: the answer must name a person (a credit line).
_CREDIT_QUESTION = re.compile(
    r"(?:谁|哪位|哪个人).{0,2}?(?:拍|摄|写|撰写|画|绘制|制图)"
    r"|\bwho\b.{0,12}\b(?:took|shot|photographed|wrote|authored|drew)\b"
)
# Words that ask a thing's name (全称: its full name).
NAME_WORDS = ("叫", "叫什么", "叫啥", "名字", "名称", "全称", "全名", "学名", "name")
_NAME_QUESTION = re.compile(r"叫什么|叫啥|名字|名称|全称|全名|学名|哪家|哪1家|是谁家|\bname\b")
_ORG_WORDS = "企业|公司|科技企业|医院|高校|机构|单位|部门|研究所|媒体|报纸|报社|厂家|工厂|出版社"
# 哪家企业 / 哪几个部门 / which company: the answer must name an organisation.
# (An answer may also say the bodies were several, unnamed but plain: 多部门联合印发.)
ORG_QUESTION = re.compile(
    rf"(?:哪(?:家|1家|个|所|几个|几家|份)|which|what)\s*(?P<org>{_ORG_WORDS})"
    rf"|(?P<named>{_ORG_WORDS})\s*(?:叫什么|叫啥|的名字|的名称)"
)
# 首席专家是谁 / 院长是谁: a role, and the person holding it.
_ROLE_QUESTION = re.compile(r"(?:专家|长|负责人|作者|记者|教授|主任|书记|院士|领导)(?:是谁|是哪位)")

_QUESTION_WORDS = {
    "多少",
    "几",
    "哪些",
    "哪个",
    "什么",
    "啥",
    "哪",
    "哪种",
    "哪家",
    "哪位",
    "是什么",
    "什么样",
    "哪一",
    "哪两个",
    "哪几个",
    "有哪些",
    "哪里",
    "哪儿",
    "谁",
}
_COUNT_WORD = re.compile(
    r"^(?:几|多少)(?:[个所家项名件位台套例倍秒年月天次条篇种类份批只座张号周]|分钟|小时|个月)$"
)
_YES_NO = re.compile(
    r"(?:吗|嘛|(?<![什怎这那多])么|(?<=[\u4e00-\u9fff])(?<![对是要])不|没|没有)$"
    r"|是否|是不是|有没有|能不能|会不会|可不可以|对不对"
)
_WHEN_WORDS = {"几月", "几月份", "几号", "几日", "几点", "几时", "哪月"}
_CLASSIFIERS = set("个所家项名件位台套例倍秒年月天次条篇种类份批只座张")
_LINKS = {"是", "有", "为", "达", "约", "了", "共", "一共", "总共", "大概", "大约"}
_MEASURES = {"年", "月", "天", "秒", "倍", "次", "周", "分钟", "小时", "个月"}
# Classifiers that count one kind of thing only (例 operations, 项 results, 件 patents) and
# units of size (亩, 米), unlike 家 and 所, which count the same bodies in turn
_OWN_CLASSIFIERS = {"例", "项", "件", "台", "亩", "吨", "元", "米", "厘米", "公里", "平方米"}
_CATEGORY_WORDS = {"什么", "是什么", "什么样", "哪个", "哪些", "哪种", "哪一", "有哪些", "啥"}
_CATEGORY_WORDS |= {"哪家", "哪所", "哪类"}  # 哪家通讯社: 新华社 is one


@dataclass(frozen=True)
class Features:
    yes_no: bool
    categories: set[str]
    words: WordWeights
    typed: str  # the question as typed (normalised, not folded): 区域创新地图, not its name
    lead_in: frozenset[str] = frozenset()  # words of the clauses before the one that asks
    # What the checks read of the question, worked out once rather than per candidate:
    weights: tuple[float, ...] = ()  # of each content word
    asked: Token | None = None  # the thing asked about, and whether "how many" of it
    count: bool = False
    unit: str | None = None  # 多少年 -> 年
    ordinals: tuple[tuple[str, str], ...] = ()
    versions: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    other_years: tuple[str, ...] = ()
    named: tuple[str, ...] | None = None  # kinds of name a name question asks for
    body: str | None = None  # 哪家企业 -> 企业
    subject: tuple[Token, ...] = ()  # what a name question asks the name of
    who: bool = False
    credit: bool = False  # 谁拍的, 谁写的: a person's credit is asked
    role: str | None = None  # 院长 in 院长是谁, when it is a "who holds it" question
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # attribute words asked
    # Of each content word, what coverage would otherwise work out for every candidate:
    typo: tuple[bool, ...] = ()  # it may be a one-character typo of another word
    generic: tuple[bool, ...] = ()  # a frame or attribute word (lacking it does not hurt)
    titled: tuple[bool, ...] = ()  # a post (院长), which a deputy's (副院长) does not answer
    rescue: tuple[tuple[tuple[str, str], ...] | None, ...] = ()  # its pairs (coverage._rescued)


def features(
    index: Index,
    folded: str,
    tokens: list[Token],
    content: list[Token],
    typed: str,
    lead_in: frozenset[str] = frozenset(),
    whole: str = "",
) -> Features:
    """What every candidate's score reads of the question: worked out once per question.
    (`whole`: the whole question folded, where `folded` may be only the clause that asks.)"""
    asked, count = _asked_thing(tokens)
    if count and asked is not None and asked.text == "人":
        asked = _people_counted(index, tokens, asked)
    asked_body = ORG_QUESTION.search(folded)
    role = _role(tokens) if _ROLE_QUESTION.search(folded) else None
    return Features(
        yes_no=is_yes_no(folded),
        categories=_categories(tokens),
        words=question_words(index, tokens),
        typed=typed or folded,
        lead_in=lead_in,
        weights=tuple(
            content_weight(index, t) * (LEAD_IN_WEIGHT if t.text in lead_in else 1.0)
            for t in content
        ),
        asked=asked,
        count=count,
        unit=_counted_unit(tokens),
        ordinals=tuple(ORDINAL.findall(folded)),
        versions=tuple(VERSION.findall(folded)),
        months=tuple(_MONTH.findall(folded)),
        other_years=tuple(_OTHER_YEAR.findall(folded)),
        named=_named_kinds(index, tokens, folded),
        body=asked_body.group("org") if asked_body else None,
        subject=tuple(_named_subject(tokens, content)),
        who=_WHO_QUESTION.search(folded) is not None,
        credit=_CREDIT_QUESTION.search(folded) is not None,
        role=role,
        attributes=tuple(
            (word, evidence)
            for word, evidence in index.attribute_questions.items()
            if asks_attribute(word, folded)
        ),
        typo=tuple(_may_be_typo(index, t) for t in content),
        generic=tuple(t.kind == "frame" or t.text in index.attribute_questions for t in content),
        titled=tuple(t.text.endswith(TITLES) for t in content),
        rescue=tuple(rescue_pairs(t.text, whole or folded) for t in content),
    )


def _may_be_typo(index: Index, token: Token) -> bool:
    """Could the word be another one mistyped? Not a single character, a figure, a Latin word
    or a word the knowledge uses as itself (coverage.covers says why)."""
    word = token.text
    return not (len(word) < 2 or token.kind == "number" or word.isascii() or index.known(word))


def asks_attribute(word: str, folded: str) -> bool:
    """Does the question hold the attribute word? An English one as a whole word ("age" is
    not in "image" or "stage"), a Chinese one anywhere."""
    if word.isascii():
        return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", folded) is not None
    return word in folded


def is_yes_no(folded: str) -> bool:
    return _YES_NO.search(folded.strip()) is not None


def _named_kinds(index: Index, tokens: list[Token], folded: str) -> tuple[str, ...] | None:
    """None when the question does not ask for a name; else the kinds of name that answer
    it: () for any, ("product",) for 那台机器人叫什么名字 (the thing's own kind), ("org",)
    for 哪家企业 / which company."""
    if ORG_QUESTION.search(folded):
        return ("org",)
    if not _NAME_QUESTION.search(folded):
        return None
    types = index.analyzer.entity_types
    for position, token in enumerate(tokens):
        if token.text in NAME_WORDS:
            for before in reversed(tokens[:position]):
                if before.kind == "stop" or before.text in ("的", "那个", "这个"):
                    continue
                kind = types.get(before.text)
                if kind in ("product", "org", "person", "event", "document"):
                    return (kind,)  # 血管介入手术机器人叫什么: another product's name
                break
            break
    return ()


def _named_subject(tokens: list[Token], content: list[Token]) -> list[Token]:
    """What a name question asks the name of: the word after 哪家/哪个/哪所 (哪所大学联合企业:
    the 大学, not the 企业), or the word before 叫什么/名字; else every content word."""
    for position, token in enumerate(tokens):
        if token.text in ("哪家", "哪1家", "哪个", "哪所", "哪") and position + 1 < len(tokens):
            following = [t for t in tokens[position + 1 : position + 3] if t.kind != "stop"]
            if following:
                return following[:1]
        if token.text in NAME_WORDS:
            before = [t for t in tokens[:position] if t.kind != "stop"]
            if before:
                return before[-1:]
    return content


def _role(tokens: list[Token]) -> str:
    """The post a "who is" question names: 院长 in 北京天坛医院院长是谁."""
    for position, token in enumerate(tokens):
        if token.text in ("是谁", "谁", "是哪位", "哪位"):
            for before in reversed(tokens[:position]):
                if before.kind != "stop":
                    return before.text
            break
    return ""


def _counted_unit(tokens: list[Token]) -> str | None:
    """The unit a count word carries when it is a measure of time or size: 多少年 -> 年."""
    for at, token in enumerate(tokens):
        if _COUNT_WORD.match(token.text):
            unit = token.text.removeprefix("多少").removeprefix("几")
            if unit in _MEASURES:
                return unit
        if token.text in ("多少", "几") and at + 1 < len(tokens):
            unit = tokens[at + 1].text  # 做了多少例了: a classifier with no noun after it
            rest = tokens[at + 2 :]
            if unit in _OWN_CLASSIFIERS and all(t.kind == "stop" for t in rest):
                return unit
    return None


def _asked_thing(tokens: list[Token]) -> tuple[Token | None, bool]:
    """The thing a question asks about, and whether it asks how many of it.

    多少[所]高校 -> 高校 (a count), 人口是多少 -> 人口, 哪个单位研发的 -> 研发 (a generic frame word
    is skipped and what follows is asked), 谁发布的 -> 发布. A classifier or a frame word alone
    (数量, 名字) is not a thing. (None, False) when the question names nothing around its
    question word.
    """
    for position, token in enumerate(tokens):
        if token.text in _WHEN_WORDS:
            continue  # 几月印发的 asks which month, not how many of 印发
        count = token.text in ("多少", "几") or _COUNT_WORD.match(token.text) is not None
        if token.text not in _QUESTION_WORDS and not count:
            continue
        if count and _in_description(tokens, position):
            continue  # 几个部门联合印发的那个文件叫啥名: which document, not how many bodies
        found = _around(tokens, position, token, count)
        if found is not None:
            return found
    return None, False


def _head_of(tokens: list[Token], at: int) -> Token:
    """What is counted: 几家中关村的服务机构 counts 服务机构, not 中关村 (the noun after 的)."""
    rest = tokens[at + 1 : at + 3]
    if (
        len(rest) == 2
        and rest[0].text == "的"
        and rest[1].kind in ("word", "entity")
        and (nounish(rest[1]) or rest[1].pos == "vn")
    ):
        return rest[1]
    return tokens[at]


_NAMING = frozenset(["叫", "名字", "名称", "名", "全称"])


def _in_description(tokens: list[Token], position: int) -> bool:
    """Is the count word inside a description of a thing whose name the question asks (……的
    那个文件叫啥名)?"""
    rest = tokens[position + 1 :]
    at = next((i for i, t in enumerate(rest) if t.text == "的"), -1)
    return at >= 0 and any(t.text in _NAMING for t in rest[at + 1 :])


def _around(
    tokens: list[Token], position: int, token: Token, count: bool
) -> tuple[Token | None, bool] | None:
    """The thing next to the question word at `position`: after it, else before it; None
    when neither side decides (the next question word may)."""
    skipped_frame = token.text in ("谁", "是谁")
    for offset, after in enumerate(tokens[position + 1 : position + 5], start=position + 1):
        if skipped_frame and len(after.text) == 1 and after.pos.startswith("v"):
            return None, False  # 谁拍的, 谁写的: who did it, not a thing called 拍
        if count and after.text in _MEASURES:
            return None, False  # 多少秒: a length, which its unit check decides
        if after.text in _CLASSIFIERS or after.kind == "stop" or after.pos in ("q", "m", "uj"):
            continue
        if after.kind == "frame":
            skipped_frame = True  # 哪个单位研发的: the unit is generic, 研发 is what is asked
            continue
        if token.text in ("什么", "是什么", "哪位", "哪个", "啥", "是啥") and after.text in (
            "人",
            "人物",
        ):
            return None, False  # 什么人 / 哪位人物 ask who, not about people in general
        if after.kind in ("word", "entity") and (nounish(after) or skipped_frame):
            if skipped_frame and after.pos.startswith(("v", "n")) and _serial(tokens, after):
                continue  # 谁带队做出来的: the last verb of a chain is what was done
            return _head_of(tokens, offset) if count else after, count
        return None, False
    for before in reversed(tokens[:position]):
        if before.text in _LINKS or before.kind == "stop" or _ASPECT.search(before.text):
            continue  # (搞了个什么主题日: a verb with its particle is no thing)
        if count and before.kind == "frame":
            continue  # 国家实验室一共有几个: what comes before the frame word is counted
        if before.kind == "word" and nounish(before) and len(before.text) > 1:
            return before, count
        return None, False
    return None


_ASPECT = re.compile(r"[\u4e00-\u9fff][了过着]")


def _serial(tokens: list[Token], verb: Token) -> bool:
    """Is a verb followed at once by another (带队|研发, 牵头|研制): the first leads, the
    second says what was done."""
    position = next(i for i, t in enumerate(tokens) if t is verb)
    following = tokens[position + 1] if position + 1 < len(tokens) else None
    return following is not None and following.kind == "word" and following.pos.startswith("v")


_HAVE = ("有", "共有", "一共有", "总共有", "是", "共")


def _people_counted(index: Index, tokens: list[Token], person: Token) -> Token:
    """What a "多少人" counts: the people named before it, linked by 有, when the article
    counts them with a measure word for people (硕士有多少人 -> 37名硕士); else 人 itself
    (研究所有多少人入选: the institute is not counted, its people are)."""
    position = next(i for i, t in enumerate(tokens) if t is person)
    before = [t for t in tokens[:position] if t.kind != "stop" or t.text in _HAVE]
    if len(before) < 2 or before[-1].text not in _HAVE:
        return person
    noun = before[-2]
    counted = rf"\d[\d.]*(?:万)?(?:余|多)?[名位]{re.escape(noun.text)}"
    if noun.kind == "word" and re.search(counted, index.article_text):
        return noun
    return person


def _categories(tokens: list[Token]) -> set[str]:
    """Chinese nouns right after 什么 / 哪个 / 哪些 (什么制度, 什么风格): the kind of answer
    wanted, which the answer gives as an instance (预聘—长聘制, 古色古香) rather than by name."""
    found: set[str] = set()
    for position, token in enumerate(tokens[:-1]):
        if token.text in _CATEGORY_WORDS:
            for after in tokens[position + 1 : position + 3]:
                if after.kind in ("word", "entity") and not after.text.isascii():
                    found.add(after.text)  # (the tagger takes some kinds for names: 大奖)
                    break
                if after.kind != "stop":
                    break
    # ……的那个工具是什么: the head of a description asked by name is a kind (刀具 is a tool)
    for position in range(2, len(tokens) - 1):  # (2: a description comes first)
        head, before, after = tokens[position], tokens[position - 1], tokens[position + 1]
        if (
            head.kind == "word"
            and not head.text.isascii()
            and (
                before.text == "的"
                or (
                    before.text in ("那个", "这个", "那种", "那款", "那台")
                    and tokens[position - 2].text == "的"
                )
            )
            and after.text in ("是什么", "是", "叫什么", "叫", "是啥", "叫啥")
        ):
            found.add(head.text)
    return found
