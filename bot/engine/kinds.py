"""Names of the same kind, told by their head: 诺贝尔奖 and 图灵奖 are both prizes, 亦庄科学城
and 怀柔科学城 both science cities, 武汉大学 and 清华大学 both universities.

A claim that gives one where the article gives another ("姚智是诺贝尔奖获得者吗", "三城一区里
有个亦庄科学城对吧") is answered "不对" with what the article says, not declined: the name it
gets wrong is what the claim check is for. Outside a claim, the same name still vetoes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from bot.engine.analysis import Token
from bot.engine.claims import split_claim
from bot.engine.index import Candidate, Index, memo
from bot.engine.question import Question
from bot.kb.facts import Fact

_LIGHT_HEADS = frozenset("的了是在和与及")
_HAS = re.compile(r"有|包括|包含")


def _predicate(index: Index, question: Question) -> str:
    assert question.focus is not None
    subject = next((t.text for t in question.tokens if t.kind == "entity"), "")
    return _predicate_of(index, question.focus.asking_text, subject)


def _predicate_of(index: Index, text: str, subject: str) -> str:
    cache = memo(index, "claim predicates")
    if (text, subject) not in cache:
        cache[text, subject] = _read_predicate(index, text, subject)
    return cache[text, subject]


def _read_predicate(index: Index, text: str, subject: str) -> str:
    """What the claim says of its subject, folded: after 是 (姚智是|诺贝尔奖得主), after 有
    (三城一区里有个|亦庄科学城), else after the first name (姚智|拿过诺贝尔奖). A name in the
    subject is another thing asked about ("宣武医院做过这种手术吗": the article names only
    天坛医院, and says nothing of 宣武)."""
    predicate = split_claim(text)[1]
    if not predicate:
        has = _HAS.search(text)
        predicate = text[has.end() :] if has else ""
    folded = index.analyzer.fold(predicate or text, fuzzy=True)
    if not predicate:  # 姚智|拿过诺贝尔奖对吧: what follows the first name
        at = folded.find(subject) if subject else -1
        folded = folded[at + len(subject) :] if at >= 0 else ""
    return folded


def head_shared(a: str, b: str) -> bool:
    """Do two different names end in the same head word? Two characters or more of it, or
    one noun character when both names are at least three long (奖, 城; not 学 of 科学)."""
    if a == b or _abbreviates(a, b) or _abbreviates(b, a):
        return False  # one is the other shortened: 清华人工智能学院, 北大
    if a[-1] == "大" or b[-1] == "大":
        a, b = _university(a), _university(b)
    k = 0
    while k < min(len(a), len(b)) and a[-1 - k] == b[-1 - k]:
        k += 1
    if k == 0 or k >= len(a) or k >= len(b) or a[-1] in _LIGHT_HEADS:
        return False
    return k >= 2 or (len(a) >= 3 and len(b) >= 3)


def _university(name: str) -> str:
    """北大, 浙大: a university's short name ends in 大 where the full one ends in 大学."""
    return f"{name}学" if 2 <= len(name) <= 3 and name.endswith("大") else name


def _abbreviates(short: str, long: str) -> bool:
    """Is `short` written with `long`'s characters, in order, from its first one?"""
    if len(short) > len(long) or not short or short[0] != long[0]:
        return False
    rest = iter(long)
    return all(ch in rest for ch in short)


def claimed_forms(index: Index, question: Question, token: Token) -> tuple[str, ...]:
    """The name a claim gives with this word: the word, and the word with the one after it
    when that one is a head (亦庄 + 科学城), as folded and as written (复旦 + 高校 / 大学)."""
    tokens = question.tokens
    forms = [token.text]
    for i, t in enumerate(tokens[:-1]):
        head = tokens[i + 1]
        if t.text == token.text and head.kind in ("entity", "word"):
            forms += [t.text + s for s in index.surfaces.get(head.text, (head.text,))]
    return tuple(forms)


def rival_name(index: Index, facts: Iterable[Fact], question: Question, token: Token) -> str:
    """In a claim, a name of the quotes of the same kind as this word (or this word
    and its head), which the question does not give: what the claim is checked against."""
    if question.focus is None or not question.focus.is_claim:
        return ""
    if token.kind != "entity" and not (len(token.text) >= 2 and token.pos.startswith("n")):
        return ""
    if token.text not in _predicate(index, question):
        return ""
    forms = claimed_forms(index, question, token)
    for fact in facts:
        for word in _fact_words(index, fact.id):
            if word in question.folded or word in question.normalised:
                continue
            if any(head_shared(form, word) for form in forms):
                return word
    return ""


def _fact_words(index: Index, fact_id: str) -> tuple[str, ...]:
    """A fact's words of two characters or more and its names, in order (read once)."""
    cache = memo(index, "fact words")
    if fact_id not in cache:
        words = {t.text for t in index.fact_tokens[fact_id] if len(t.text) >= 2}
        words.update(index.fact_names[fact_id])
        cache[fact_id] = tuple(sorted(words))
    return cache[fact_id]


def swapped(index: Index, facts: Iterable[Fact], question: Question, context: str) -> bool:
    """Does the claim give a name the quotes lack, where they give another of its kind?
    (`context`: the quoted paragraphs and the answer line, where a name the quote leaves to
    the sentence before, 该学院, is given.)"""
    facts = tuple(facts)
    return any(
        t.text not in context and rival_name(index, facts, question, t) for t in question.content
    )


PARTICLES = re.compile(
    r"[吧吗嘛呢啊呀哈么？?！!。“”\"'「」《》\s]+|对吧|对吗|是吗|是吧|对不对|是不是"
)
_NAMED_KINDS = ("product", "person", "org", "event")


def renamed(index: Index, facts: Iterable[Fact], question: Question, token: Token) -> str:
    """In a claim that gives a thing's name ("量子计算云平台叫悟空", "首任院长是朱军吧"), the
    name the quotes give it instead: a curated name the question does not give, where the
    claim's predicate is that one name. The claim is then checked against it ("不对"),
    not declined for a name the article never uses."""
    if question.focus is None or not question.focus.is_claim:
        return ""
    if token.text not in question.claim_names:
        return ""
    folded, rest = _naming(index, question)
    if not rest or token.text not in rest or len(rest) - len(token.text) > 1:
        return ""  # the predicate says more than a name ("叫悟空的平台发布了什么")
    if not any(t.kind == "entity" and t.text in folded for t in question.content):
        return ""  # it names the thing by no name the article gives
    types = index.analyzer.entity_types
    for fact in facts:
        for name in index.fact_names[fact.id]:
            if name not in question.folded and types.get(name) in _NAMED_KINDS:
                return name
    return ""


def _naming(index: Index, question: Question) -> tuple[str, str]:
    """A claim's subject and its predicate without particles, folded ("量子计算云平台" and
    "悟空" of "量子计算云平台叫悟空吧"): read once per question, not once per candidate."""
    assert question.focus is not None
    if "naming" not in question.memo:
        subject, predicate = split_claim(question.focus.asking_text)
        if not predicate:  # "夸父是一个大语言模型，跟悟道差不多的东西": the clause with the 是
            said = [split_claim(c.text) for c in question.focus.clauses if c.role != "tag"]
            subject, predicate = next((p for p in said if p[1]), (subject, predicate))
        question.memo["naming"] = (
            index.analyzer.fold(subject, fuzzy=True),
            PARTICLES.sub("", index.analyzer.fold(predicate, fuzzy=True)),
        )
    return question.memo["naming"]


def named_as(index: Index, question: Question) -> tuple[str, str] | None:
    """The thing a naming claim is about and the name it gives it ("量子计算云平台叫悟道":
    量子计算云平台, 悟道3.0), when its predicate is one name; else None."""
    if question.focus is None or not question.focus.is_claim:
        return None
    subject, rest = _naming(index, question)
    if rest not in question.claim_names:
        return None
    things = [
        t.text
        for t in index.analyzer.tokens(subject, fuzzy=True)
        if t.kind == "entity" and index.analyzer.entity_types.get(t.text) != "place"
    ]
    return (things[-1], rest) if things else None


def misnamed(index: Index, question: Question, text: str) -> bool:
    """Does a naming claim give a name the quotes give another thing (量子计算云平台“夸父”、
    超大规模智能模型“悟道3.0”: the platform is not 悟道)? The name must stand by the thing."""
    claim = named_as(index, question)
    if claim is None:
        return False
    thing, name = claim
    if thing not in text or name not in text:
        return False  # (a name the quotes lack is checked as any claimed name)
    return not re.search(
        rf"{re.escape(name)}.{{0,2}}{re.escape(thing)}|{re.escape(thing)}.{{0,3}}{re.escape(name)}",
        text,
    )


def miskinded(index: Index, question: Question, facts: Iterable[Fact], text: str) -> str:
    """Does a claim call a named thing a kind the quotes give another thing ("夸父是个AI大模型
    吧", where they say 量子计算云平台“夸父”、超大规模智能模型“悟道3.0”)? The article writes a
    name right after its kind; the claim's kind words must be that kind's, not another's.
    The thing's name if so, else ""."""
    found = _kind_claim(index, question, facts, text)
    if found is None:
        return ""
    thing, words, kinds = found
    if any(_kind_word(w, kinds[thing]) for w in words):
        return ""
    others = [kind for name, kind in kinds.items() if name != thing]
    return thing if any(_kind_word(w, kind) for w in words for kind in others) else ""


def kind_claimed(index: Index, facts: Iterable[Fact], question: Question, token: Token) -> bool:
    """Is the word part of a kind a claim gives its named thing (量子计算机 of "悟道3.0是一台量子
    计算机吧"), where the quotes write the thing's own kind before its name? Then the claim
    is checked against that kind, not vetoed by the word."""
    if token.text not in claimed_kind_words(index, question):
        return False
    facts = tuple(facts)
    text = "".join(index.fact_text[f.id] for f in facts)
    found = _kind_claim(index, question, facts, text)
    return found is not None and token.text in found[1]


def claimed_kind_words(index: Index, question: Question) -> tuple[str, ...]:
    """The words of what a claim says its thing is (read once per question)."""
    if "kind words" not in question.memo:
        words: tuple[str, ...] = ()
        if question.focus is not None and question.focus.is_claim:
            rest = _naming(index, question)[1]
            tokens = index.analyzer.tokens(rest, fuzzy=True)
            words = tuple(t.text for t in tokens if len(t.text) >= 2)
        question.memo["kind words"] = words
    return question.memo["kind words"]


def _kind_claim(
    index: Index, question: Question, facts: Iterable[Fact], text: str
) -> tuple[str, list[str], dict[str, str]] | None:
    """The named thing a claim speaks of, the words of the kind it gives it, and the kind the
    quotes write before each name; None when the quotes write no kind before that thing."""
    words = list(claimed_kind_words(index, question))
    if not words:
        return None
    subject = _naming(index, question)[0]
    types = index.analyzer.entity_types
    kinds: dict[str, str] = {}  # name -> the kind written right before it
    for fact in facts:
        names = index.fact_names[fact.id]
        for kind, name in pairwise(names):
            if types.get(name) in _NAMED_KINDS and f"{kind}{name}" in text:
                kinds[name] = kind
    thing = next((n for n in kinds if n in subject), "")
    return (thing, words, kinds) if thing else None


def _kind_word(word: str, kind: str) -> bool:
    """Does a claimed kind word name this kind: inside it, or sharing four characters with it
    (量子计算机 and 量子计算云平台 both compute with qubits)?"""
    return word in kind or any(word[i : i + 4] in kind for i in range(len(word) - 3))


_GROUPS = {"person": "person", "org": "body", "place": "place", "nr": "person", "nt": "body"}
_GROUPS |= {"ns": "place", "event": "event"}  # 是江苏的 / 在人工智能主题日上发布的


def name_checked(index: Index, candidate: Candidate, question: Question, token: Token) -> bool:
    """Is the word a name a claim gives (清华大学 in 是清华大学研发的), where the candidate
    names another of the same kind (a person for a person, a body for a body) that the
    question does not: then the claim is checked against that name, not vetoed by it."""
    if token.text not in question.claim_names:
        return False
    if question.claims_maker:
        return True  # "夸父是中科院搞的吧": who made it is the verdict's to check, against
        # the maker the sentence names, or none
    if token.kind != "entity":
        return False
    types = index.analyzer.entity_types
    group = _GROUPS.get(types.get(token.text) or token.pos)
    if group is None:
        return False
    if any(
        _GROUPS.get(types.get(name, "")) == group and name not in question.folded
        for fact in candidate.facts
        for name in index.fact_names[fact.id]
    ):
        return True
    # a place inside the name of a site the candidate gives (雄安 of 河北雄安中关村科技园; not
    # 山东 of 山东大学, which is a body, not where one is)
    return group == "place" and any(
        place in name and place not in question.folded
        for fact in candidate.facts
        for name in index.fact_names[fact.id]
        if types.get(name) is None
        for place in _places(index)
    )


def _places(index: Index) -> tuple[str, ...]:
    found = memo(index, "places")
    if not found:
        types = index.analyzer.entity_types
        found["all"] = tuple(n for n, t in types.items() if t == "place" and len(n) >= 2)
    return found["all"]
