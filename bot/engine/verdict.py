"""The claim check, after the decision: when a message claims something ("北京的高校有一百所吧",
"姚智是副院长对不对", "我记得是59项"), the answer says plainly whether the article bears it out
("对，文章说……" / "不对，文章说……"), and still quotes the article.

It reads only the question and the answer's own quotes: a figure the message claims against the
figures they state (claims.py), a name it claims (清华大学 made it) against the names they give
(北京工业大学), a post (副院长) against the post they name (院长). When the quotes speak of the
thing but leave the claimed name open ("一家科技企业"), the verdict is "unstated": the article
does not say, and the reply is no answer.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.engine.claims import LEADS, UNSTATED, Quantity, comparable, compare, dated, quantities
from bot.engine.coverage import TITLES, article_year
from bot.engine.english_claims import english_claim
from bot.engine.features import VERSION
from bot.engine.index import Index
from bot.engine.kinds import head_shared, miskinded, misnamed, swapped
from bot.engine.normalize import normalize
from bot.engine.question import Question
from bot.engine.replies import Replies
from bot.engine.reply import Reply
from bot.engine.words import TO_COME
from bot.kb.facts import Fact

# A body the article mentions without naming it: 一家科技企业, 一家医院.
UNNAMED_BODY = re.compile(r"(?:1|一)家[^\d，。、]{0,6}?(?:企业|公司|医院|机构)")


def settle(index: Index, replies: Replies, question: Question, reply: Reply) -> Reply:
    """The reply with its verdict and lead, when the message claims something it can check."""
    if reply.kind != "answer" or not reply.sources:
        return reply
    focus = question.focus
    if focus is None and question.english and english_claim(question.text):
        return _settle_english(index, replies, question, reply)
    if focus is None or not (focus.is_claim or question.claimed):
        return reply
    facts = [index.knowledge.fact(i) for s in reply.sources for i in s.fact_ids]
    claimed = [c.quantity for c in question.claimed]
    beside = _figure_beside(index, facts, claimed)
    if beside is not None:  # "RV减速机直径大概20厘米吧": the next sentence gives the diameter
        facts.append(beside)
        reply = replace(reply, sources=replies.sources(tuple(facts)))
    text = "".join(index.fact_text[f.id] for f in facts)
    year = article_year(index, facts)
    verdict = compare(dated(claimed, year), dated(quantities(text), year))
    if verdict == "unstated":  # "那段16秒的视频只用了不到10秒": the 10秒 is checked by nothing
        return replace(reply, kind="fallback", lead=UNSTATED, verdict="unstated", unanswered=True)
    context = _context(index, facts, reply.lead)
    named = _named_verdict(index, question, facts, text, context)
    other = swapped(index, facts, question, context)  # 复旦大学 claimed, 清华大学 stated
    if (named == "unstated" and not other) or _post_unstated(question, text):
        # ("朱军是清华的教授吧": the quotes give his office, and say nothing of a rank)
        # Not an answer: the article does not say; the quote shows what it does say.
        return replace(reply, kind="fallback", lead=UNSTATED, verdict="unstated", unanswered=True)
    wrong_kind = miskinded(index, question, facts, text)
    if wrong_kind:  # "夸父是个AI大模型吧": the lead says what 夸父 is
        reply = replace(reply, lead=_said_of(index, facts, wrong_kind) or reply.lead)
    pending = _still_to_come(index, question, facts)
    if pending is not None:  # the sentence that says it is still to come is quoted too
        facts.append(pending)
        reply = replace(reply, sources=replies.sources(tuple(facts)))
    if (
        named == "no"
        or _opposed(index, question, text)
        or misnamed(index, question, text)
        or wrong_kind
        or _other_version(question, text)
        or _other_post(question, text)
        or other
        or _alone(question, [index.analyzer.fold(normalize(f.text)) for f in facts])
        or pending is not None
    ):
        verdict = "no"
    if verdict is None and focus.is_claim and not claimed:
        verdict = "yes"  # every word of the claim is covered by what the answer quotes
    if verdict is None and claimed and focus.is_claim and not comparable_any(claimed, text):
        # "一年能造上百颗卫星吧": the quotes give no figure of that kind to check it by
        return replace(reply, kind="fallback", lead=UNSTATED, verdict="unstated", unanswered=True)
    if verdict is None:
        return reply  # (a figure it cannot check is confirmed by nothing)
    return replace(reply, lead=_lead(verdict, reply.lead), verdict=verdict)


def comparable_any(claimed: list[Quantity], text: str) -> bool:
    stated = quantities(text)
    return any(comparable(c, stated) for c in claimed)


def _settle_english(index: Index, replies: Replies, question: Question, reply: Reply) -> Reply:
    """An English yes/no question: its figures against the quotes' ("Did it take only one
    month…" / 1个月), else confirmed by what the quotes cover."""
    facts = [index.knowledge.fact(i) for s in reply.sources for i in s.fact_ids]
    claimed = [c.quantity for c in question.claimed]
    beside = _figure_beside(index, facts, claimed)
    if beside is not None:
        facts.append(beside)
        reply = replace(reply, sources=replies.sources(tuple(facts)))
    text = "".join(index.fact_text[f.id] for f in facts)
    year = article_year(index, facts)  # (去年 is the article's year before: 2023)
    verdict = compare(dated(claimed, year), dated(quantities(text), year)) or (
        "yes" if not claimed else None
    )
    if verdict is None or verdict == "unstated":
        return reply
    return replace(reply, lead=_lead(verdict, reply.lead), verdict=verdict)


def _figure_beside(index: Index, facts: list[Fact], claimed: list[Quantity]) -> Fact | None:
    """A sentence of the quoted paragraph that states a figure the claim can be checked
    against, when the quoted sentences state none."""
    if not claimed:
        return None
    stated = quantities("".join(index.fact_text[f.id] for f in facts))
    if any(comparable(c, stated) for c in claimed):
        return None
    paragraphs = {f.paragraph for f in facts}
    quoted = {f.id for f in facts}
    for fact in index.knowledge.facts:
        if fact.paragraph in paragraphs and fact.id not in quoted:
            theirs = quantities(index.fact_text[fact.id])
            if any(comparable(c, theirs) for c in claimed):
                return fact
    return None


def _said_of(index: Index, facts: list[Fact], name: str) -> str:
    """The answer line of a curated intent that quotes these sentences and names the thing."""
    quoted = {f.id for f in facts}
    for candidate in index.candidates:
        intent = candidate.intent
        if (
            intent is not None
            and {f.id for f in candidate.facts} <= quoted
            and name in index.analyzer.fold(normalize(intent.answer)).replace(" ", "")
        ):
            return intent.answer
    return ""


def _lead(verdict: str, lead: str) -> str:
    """对，文章说北京拥有92所高校。 / 不对，文章中是这样说的："""
    said = lead if lead.startswith("文章") else f"文章说{lead}"
    return LEADS[verdict] + said


def _context(index: Index, facts: list[Fact], lead: str) -> str:
    """The quoted paragraphs and the answer line, folded: where a name the quote leaves to the
    sentence before (该学院) is given."""
    paragraphs = {f.paragraph for f in facts}
    said = [index.fact_text[f.id] for f in index.knowledge.facts if f.paragraph in paragraphs]
    return "".join(said) + index.analyzer.fold(normalize(lead)).replace(" ", "")


def _named_verdict(
    index: Index, question: Question, facts: list[Fact], text: str, context: str
) -> str | None:
    """ "no" when a name the claim gives is not the one the quotes give; "unstated" when the
    quotes leave that body unnamed, or name no maker at all when the claim says who made it;
    None when the claim names nothing they lack."""
    missing = [
        name
        for name in question.claim_names
        if name not in text
        and name not in context
        and not _parts_named(index, question, name, text)
    ]
    if not missing:
        return None
    if any(m.endswith(_EVENT_HEADS) for m in missing) and _events(index, facts):
        return "no"  # "Vidu不是在世界人工智能大会上发布的吗": the quotes name another event
    named = _makers(index, facts, question)
    if any(head_shared(m, n) for m in missing for n in named):
        return "no"  # "vidu是北大发布的": the quotes name another university, 清华大学
    if UNNAMED_BODY.search(text) and all(
        index.analyzer.entity_types.get(name) is None for name in missing
    ):
        return "unstated"  # "Vidu是生数科技发布的吧": the article names no company
    if question.claims_maker and not named:
        return "unstated"  # "悟道3.0是智源研究院做的吧": the article says not who made it
    return "no"


_EVENT_HEADS = ("大会", "峰会", "博览会", "论坛", "年会", "主题日")


def _events(index: Index, facts: list[Fact]) -> list[str]:
    types = index.analyzer.entity_types
    return [n for f in facts for n in index.fact_names[f.id] if types.get(n) == "event"]


def _makers(index: Index, facts: list[Fact], question: Question) -> list[str]:
    """The bodies and people the quotes name, besides those the claim is about: who could
    be the maker of its thing."""
    types = index.analyzer.entity_types
    return [
        name
        for fact in facts
        for name in index.fact_names[fact.id]
        if types.get(name) in ("org", "person") and name not in question.claim_names
    ]


def _parts_named(index: Index, question: Question, name: str, text: str) -> bool:
    """Does the claim name every part of a region the quotes name, this name among them
    (天津 and 河北: 津冀)? One part alone is another place (天津 is not 京津冀)."""
    return any(
        name in parts and region in text and all(p in question.claim_names for p in parts)
        for region, parts in index.includes.items()
    )


def _opposed(index: Index, question: Question, text: str) -> bool:
    """ "要付租金吧" when the quotes say 免费: a word of the claim the article's word is against."""
    return any(index.opposites.get(t.text, "\0") in text for t in question.content)


def _other_version(question: Question, text: str) -> bool:
    """ "是悟道2.0吧" when the quotes name 悟道3.0: a version they state, and not the claimed."""
    claimed = question.features.versions if question.features is not None else ()
    stated = VERSION.findall(text)
    return bool(claimed and stated) and not set(claimed) & set(stated)


_RANKS = ("教授", "研究员", "讲师", "工程师")  # academic ranks, beside offices (院长, 主任…)


def _post_unstated(question: Question, text: str) -> bool:
    """Does the claim give an academic rank (教授) where the quotes give only an office
    (副院长), or the other way round? One does not rule out the other: not said."""
    claimed = question.focus.asking_text if question.focus else ""
    posts = [p for p in (*_RANKS, *TITLES) if p in claimed]
    if not posts or any(p in text for p in posts):
        return False
    stated = [p for p in (*_RANKS, *TITLES) if p in text]
    return bool(stated) and all((p in _RANKS) != (posts[0] in _RANKS) for p in stated)


def _other_post(question: Question, text: str) -> bool:
    """Does the claim give a post (副院长) that the quotes do not, while they give another
    (院长)? A deputy's post is not the post itself."""
    claimed = question.focus.asking_text if question.focus else ""
    for title in sorted(TITLES, key=len, reverse=True):
        for post in (f"副{title}", title):
            if post in claimed:
                stated = text.replace(f"副{title}", "§") if post == title else text
                return post not in stated and any(t in text for t in TITLES)
    return False


# A claim that one did it alone, against a sentence that says with whom; a claim that it is
# done, against a sentence that says it will be.
_ALONE = re.compile(r"单独|独自|独家|独立完成|自己一家|一家单位")
_JOINT = re.compile(r"联合|共同|合作|携手|一起|一道")
_DONE = re.compile(r"已经|早就|已(?=在|有|经|被|成|完成|实现|投入|用|上)")
_CLAUSE = re.compile(r"[，,。；;！？ ]")
_LIGHT = set("的了是在和与及也都就还把被将已经吧吗呢")


def _alone(question: Question, sentences: list[str]) -> bool:
    """ "Vidu是清华单独发布的吗" when the quote says 联合…共同发布: the claim does not hold."""
    claim = question.focus.asking_text if question.focus else ""
    return _ALONE.search(claim) is not None and any(_JOINT.search(s) for s in sentences)


def _still_to_come(index: Index, question: Question, facts: list[Fact]) -> Fact | None:
    """ "已经在河北用上了吧" when every sentence of the quoted paragraphs that speaks of 河北
    says it 还将 be: the sentence that says so (the claim does not hold), else None."""
    claim = question.focus.asking_text if question.focus else ""
    done = _DONE.search(claim)
    if not done:
        return None
    predicate = index.analyzer.fold(claim[done.end() :], fuzzy=True)  # 在河北的医院用上了
    paragraphs = {f.paragraph for f in facts}
    sentences = [
        (fact, index.analyzer.fold(normalize(fact.text)))
        for fact in index.knowledge.facts
        if fact.paragraph in paragraphs
    ]
    words = [
        t.text
        for t in question.content
        if len(t.text) >= 2 and t.kind != "frame" and t.text in predicate
    ]
    top = _saying(question, predicate, words, sentences)
    if top and all(TO_COME.search(c) and not _DONE.search(c) for _f, c in top):
        return top[0][0]  # the clauses that say what it claims say it is still to come
    return None


def _saying(
    question: Question, predicate: str, words: list[str], sentences: list[tuple[Fact, str]]
) -> list[tuple[Fact, str]]:
    """The clauses of the sentences that say most of what the claim's predicate says: most of
    its words (two, or one of its names: 河北), then most of its characters; [] if none does."""
    names = {t.text for t in question.content if t.kind == "entity" and t.text in predicate}
    chars = set(predicate) - _LIGHT
    scored = sorted(
        (
            (sum(w in c for w in words), len(chars & set(c)), fact, c)
            for fact, text in sentences
            for c in _CLAUSE.split(text)
        ),
        key=lambda found: (-found[0], -found[1]),
    )
    if not scored:
        return []
    best, overlap = scored[0][0], scored[0][1]
    needed = 1 if any(n in scored[0][3] for n in names) else 2
    if best < needed:
        return []
    return [(f, c) for n, o, f, c in scored if n == best and o == overlap]
