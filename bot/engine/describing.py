"""Which words of a question describe the thing whose name it asks ("输一段文字就能出16秒视频的
那个东西叫什么", "带版本号的超大规模智能模型叫啥"): such words are weighed, not vetoed, since the
article words the thing otherwise; coverage.py asks these questions of each uncovered word."""

from __future__ import annotations

import re

from bot.engine.analysis import MERGED, Token
from bot.engine.index import Candidate, Index
from bot.engine.question import Question

DESCRIPTION_WEIGHT = 0.5
NAMED_HEAD_WEIGHT = 0.2  # when the head is itself a term of the article's (量子计算云平台): it
# says which thing, and the rest (名字跟神话里追太阳的巨人一样) only what its name means

# What follows a word of a description: ……的(那个)X叫什么 / 是什么.
_NAME_ASKED = (
    r"(?:叫什么|叫啥|是什么|是啥|名字|名称|全称|全名|学名|是哪个|是哪家|怎么叫|咋叫|怎么称呼"
    r"|是谁|是哪位)"
)
_DESCRIBED = re.compile(
    r"[^的?？]{0,14}的\s*(?:那个|这个|那种|那款|那家|那台|那张|那两个|那位|这位|那)?\s*[\u4e00-\u9fff]{0,6}?\s*"
    rf"{_NAME_ASKED}"
    rf"|[\u4e00-\u9fff]{{2,4}}\s*{_NAME_ASKED}"  # 土豆|品种叫啥: a word before the head asked
)


_NAME_AT_END = re.compile(rf"{_NAME_ASKED}[啊呀呢吧哈来着\s]*$")
# The head of a description, asked for by name: ……的那个工具是什么 (刀具 is the tool).
_HEAD_ASKED = re.compile(rf"\s*(?:是|叫)?\s*{_NAME_ASKED}")
_POINTED = re.compile(r"(?:那个|这个|那种|那款|那台|那家)(?:[^ 的]{1,12}的)?([\u4e00-\u9fff]{2,8})")
_HEAD_BEFORE = re.compile(r"的\s*(?:那个|这个|那种|那款|那台|那位|这位|那)\s*$")


def describing(question: Question, token: Token) -> bool:
    """(_described, read once per question and word: it does not depend on the candidate)"""
    cache = question.memo.setdefault("describing", {})
    if token.text not in cache:
        cache[token.text] = _described(question, token)
    return cache[token.text]


def _described(question: Question, token: Token) -> bool:
    """Is the word part of a description of what is asked for by name ("输一段文字就能出16秒
    视频的那个东西叫什么", "名字跟神话里追太阳的巨人一样"): the thing asked is the name, and the
    description is matched by weight, not vetoed by its every word."""
    folded = question.folded
    at = folded.find(token.text)
    if at < 0:
        return False
    end = at + len(token.text)
    if _HEAD_BEFORE.search(folded, 0, at) and _HEAD_ASKED.match(folded, end):
        return True  # the kind of thing the description names ("的那个工具是什么")
    if _DESCRIBED.match(folded, end) is not None:
        return True
    asked = _NAME_AT_END.search(folded)  # ……追太阳的人命名 做量子计算的云平台叫啥
    return asked is not None and "的" in folded[end : asked.start()]


def object_described(index: Index, question: Question, token: Token, text: str) -> bool:
    """Is the word a name the tagger guessed (not one the knowledge curates) that follows a
    verb inside a description whose head the candidate names (追|太阳 of "用追太阳的神话人物
    命名的量子计算云平台叫什么")? Then it is what the description's verb acts on, not the place
    the thing is at ("上海那个量子计算云平台叫什么" still asks of 上海)."""
    if token.kind != "entity" or token.text in index.analyzer.entity_types:
        return False
    tokens = question.tokens
    at = next((i for i, t in enumerate(tokens) if t is token or t.text == token.text), 0)
    before = tokens[at - 1] if at > 0 else None
    if before is None or not (before.pos.startswith("v") or before.pos == MERGED):
        return False
    return describing(question, token) and head_covered(question, text)


def named_head(question: Question) -> str:
    """The description's head when it is a term the article curates (量子计算云平台), else ""."""
    heads = described_heads(question)
    return next((t.text for t in question.content if t.kind == "entity" and t.text in heads), "")


def head_covered(question: Question, text: str, names: tuple[str, ...] = ()) -> bool:
    """Does the candidate name the head of the description, the word right before what asks
    for the name (超大规模智能模型 of "……的超大规模智能模型叫啥"), or name a thing of that kind
    (`names`, its facts' names: 预聘长聘制 is a 制度)?"""
    heads = described_heads(question)
    return any(head in text or any(of_kind(name, head) for name in names) for head in heads)


def described_heads(question: Question) -> tuple[str, ...]:
    """The head words of a description, read once per question: the word right before what
    asks for the name, and the thing pointed at ("那个做量子计算的云平台，名字是个追太阳的神话
    人物，叫啥": 云平台, when 人物 is no head)."""
    if "head" not in question.memo:  # (the same for every candidate)
        folded = question.folded
        asked = _NAME_AT_END.search(folded)
        prefix = folded[: asked.start()].rstrip() if asked else ""
        heads = [t.text for t in question.content if prefix and prefix.endswith(t.text)]
        pointed = _POINTED.search(prefix) if asked else None
        also = [t.text for t in question.content if pointed and pointed.group(1).endswith(t.text)]
        question.memo["head"] = tuple(h for h in (heads[-1:] + also[-1:]) if h)
    return question.memo["head"]


def of_kind(name: str, kind: str) -> bool:
    """预聘长聘制 is a 制度, 微小卫星创新研究院 a 研究院: the name ends with the kind word, or
    with its first character when the kind word is two long."""
    return name.endswith(kind) or (len(kind) == 2 and len(name) > 2 and name.endswith(kind[0]))


def described_weight(question: Question, weight: float) -> float:
    """A description's word weighs half; when its head is a term of the article's, no more
    than a fifth of the head: the head says which thing, the rest what its name means."""
    head = named_head(question)
    if not head:
        return weight * DESCRIPTION_WEIGHT
    assert question.features is not None
    weights = zip(question.content, question.features.weights, strict=True)
    heads = [w for t, w in weights if t.text == head]
    return min(weight, heads[0] if heads else weight) * NAMED_HEAD_WEIGHT


def body_placed(index: Index, candidate: Candidate, question: Question, token: Token) -> bool:
    """Is the word the place of a body the question points at ("亦庄那家企业的负责人"), which
    the article introduces there (北京亦庄一家科技企业) and the candidate speaks of again
    (企业相关负责人)? The place says which body, as the article did a paragraph before."""
    word = token.text
    if token.kind != "entity" and token.pos != "ns":
        return False
    bodies = question.memo.setdefault("placed bodies", {})  # (once per question and place)
    if word not in bodies:
        bodies[word] = _placed_body(index, question, token)
    return bool(bodies[word]) and bodies[word] in candidate.text


def _placed_body(index: Index, question: Question, token: Token) -> str:
    """The body "X那家Y" points at when the article introduces a Y at X (X一家……Y), else ""."""
    word = token.text
    if not (index.analyzer.entity_types.get(word) == "place" or token.pos == "ns"):
        return ""
    pointed = re.search(
        rf"{re.escape(word)}(?:那|这)(?:家|所|个)([\u4e00-\u9fff]{{2}})", question.folded
    )
    if pointed is None:
        return ""
    body = pointed.group(1)
    introduced = rf"{re.escape(word)}[1一]家[\u4e00-\u9fff]{{0,4}}{body}"
    return body if re.search(introduced, index.article_text) else ""


def names_of(index: Index, candidate: Candidate) -> tuple[str, ...]:
    return tuple(name for fact in candidate.facts for name in index.fact_names[fact.id])
