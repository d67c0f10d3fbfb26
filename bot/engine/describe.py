"""Description -> entity: a name question that describes its referent instead of naming
it ("那个像关节一样的黑色圆盒子零件叫什么", "让企业出题的那个机制叫啥") is answered by the
sentence that matches the description, when that sentence gives the name. The usual name
check vetoes a sentence that speaks of "一个关键核心部件" as if the article never named it;
here the same sentence goes on "——RV减速机", and that name, which the question does not
hold, is the answer."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.engine.analysis import Token
from bot.engine.describing import of_kind
from bot.engine.evidence import unnamed
from bot.engine.index import Candidate, Index
from bot.engine.normalize import normalize
from bot.engine.question import Question

# Names that answer "叫什么": the article's own things (a term is a name too: 揭榜挂帅).
_NAME_KINDS = ("product", "org", "term", "document", "event", "person")
_OPEN_QUOTES = "“「《"
_CLOSE_QUOTES = "”」》"


def described_name(
    index: Index, candidate: Candidate, subject: tuple[Token, ...], folded: str
) -> str | None:
    """The name the candidate's sentences give the kind of thing the question describes
    (`subject`: 部件, 机制, 制度, 平台), when the question does not already hold it: a curated
    name or a quoted one, standing beside the kind word ("“揭榜挂帅”机制", "部件必不可少——
    RV减速机"),
    or a name that is itself of that kind (预聘—长聘制 is a 制度). A name elsewhere in the
    sentence is no answer: "联合科技企业研发的“北脑二号”" does not name the 企业."""
    kinds = [t for t in subject if t.kind in ("word", "frame") and len(t.text) >= 2]
    if len(subject) > 2 or not kinds:
        return None  # no one kind word is asked about (哪家 at the end: every content word)
    for fact in candidate.facts:
        for name in _names_in(index, fact.entities, fact.text):
            key = normalize(name)
            if not key or key in folded or _held(index, key, folded):
                continue
            for kind in kinds:
                if _beside(fact.text, name, kind.text) or (
                    of_kind(key, kind.text) and not unnamed([kind], fact.text)
                ):  # (河北一家医院 is not 北京天坛医院, though both are 医院)
                    return name
    return _topic(index, candidate, kinds, folded)


def _topic(index: Index, candidate: Candidate, kinds: list[Token], folded: str) -> str | None:
    """The name a curated answer opens with ("RV减速机是个黑色圆形盒子"), when its sentences
    speak of the kind asked only by pointing back ("这样一个直径15厘米左右的部件")."""
    if candidate.intent is None:
        return None
    text = "".join(index.fact_text[f.id] for f in candidate.facts)
    if not any(
        re.search(rf"(?:这|该|此)[^，。\s]{{0,12}}?{re.escape(k.text)}", text) for k in kinds
    ):
        return None  # (Vidu基于朱军团队提出的核心架构: the architecture is not Vidu)
    answer = normalize(candidate.intent.answer)
    types = index.analyzer.entity_types
    opening = [n for n in types if answer.startswith(n) and types[n] in _NAME_KINDS]
    name = max(opening, key=len, default=None)
    if name is None or name in folded or _held(index, name, folded):
        return None
    return name


def _names_in(index: Index, entities: tuple[str, ...], text: str) -> list[str]:
    """The curated names of a sentence (of the kinds that answer a name question), then
    what it puts in quotes."""
    types = index.analyzer.entity_types
    found = [n for n in entities if types.get(normalize(n)) in _NAME_KINDS]
    start = -1
    for position, char in enumerate(text):
        if char in _OPEN_QUOTES:
            start = position
        elif char in _CLOSE_QUOTES and start >= 0:
            quoted = text[start + 1 : position]
            if 2 <= len(quoted) <= 16:
                found.append(quoted)
            start = -1
    return found


# What may stand between a kind word and the name after it: a short clause, then a dash or colon
_APPOSITION = re.compile(r"^[^，。；,;]{0,4}(?:——|—|：|:)?[“「《]?$")


def _beside(text: str, name: str, kind: str) -> bool:
    """Does the name stand right before the kind word ("“揭榜挂帅”机制") or right after it,
    set off as its apposition ("一个关键核心部件必不可少——RV减速机")?"""
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        if text[end : end + 1 + len(kind)].lstrip("”」》").startswith(kind):
            return True
        before = text[:at]
        place = before.rfind(kind)
        if place >= 0 and _APPOSITION.match(before[place + len(kind) :]) and (
            "—" in before[place:] or ":" in before[place:] or "：" in before[place:]
            or place + len(kind) >= at - 1
        ):
            return True
        at = text.find(name, end)
    return False


def _held(index: Index, key: str, folded: str) -> bool:
    """Does the question already name it, by the name or one of its aliases?"""
    canonical = index.analyzer.canonical
    return any(
        variant in folded and canonical.get(variant, variant) == canonical.get(key, key)
        for variant in (key, canonical.get(key, key))
    )


def described_kind(index: Index, candidate: Candidate, question: Question, token: Token) -> bool:
    """Is the word the kind of thing a name question describes (制度 in 那个制度叫什么), and
    does the candidate give a name of that kind? Then the word is covered by that name."""
    shared = question.features
    if shared is None:
        return False
    if shared.named == () and token in shared.subject:
        name = described_name(index, candidate, (token,), question.folded)
        if name is not None and of_kind(normalize(name), token.text):
            return True
    which = _WHICH.search(question.folded) is not None
    return which and _named_as(index, candidate, token, question.folded)


# "是哪个", "哪座", "哪一个": a question that asks which one of a kind
_WHICH = re.compile(r"哪(?:个|座|一个|1个|一座|1座|所|家|位)?")


def _named_as(index: Index, candidate: Candidate, kind: Token, folded: str) -> bool:
    """Does the candidate name a thing the question does not, which the article says is of
    the kind asked ("肥城这个县级城市": 山东那个建锂谷的县级市是哪个 is answered by 肥城)?"""
    if kind.kind != "word" or len(kind.text) < 2:
        return False
    for fact in candidate.facts:
        for written in index.fact_names[fact.id]:
            name = index.analyzer.canonical.get(written, written)  # 肥城市 is 肥城
            if not name or name in folded or _held(index, written, folded):
                continue
            if _saidof_kind(index.article_text, name, kind.text):
                return True
    return False


def _saidof_kind(text: str, name: str, kind: str) -> bool:
    """Does the text call the name a thing of that kind (肥城这个县级城市, 县级城市肥城)?"""
    return any(kind in tail[: 6 + len(kind)] for tail in _tails(text, name)) or (
        f"{kind}{name}" in text
    )


@lru_cache(maxsize=4096)
def _tails(text: str, name: str) -> tuple[str, ...]:
    """What the text says right after calling a name something (肥城|这个|县级城市…), up to
    the next punctuation: read once per name, whatever kind is asked."""
    said = rf"{re.escape(name)}(?:这个|这座|这一|是|为|作为)([^，。；\n]{{0,16}})"
    return tuple(m.group(1) for m in re.finditer(said, text))
