"""Which of close candidates answers: the present state over a superseded one, the state at
the time a question names, the line that checks a claimed figure, and close candidates that
give the same person or name (decision.py asks these before it answers or clarifies)."""

from __future__ import annotations

import re

from bot.engine.claims import comparable, quantities
from bot.engine.describing import described_heads, of_kind
from bot.engine.index import Index
from bot.engine.kinds import claimed_kind_words
from bot.engine.normalize import normalize
from bot.engine.question import Question
from bot.engine.scoring import Scored

# A state the article says was superseded: 今年3月，Vidu还只能生成8秒的视频.
_DATED = re.compile(r"还只能|还只有|还只是|当时|起初|最初|曾经")
_TIMED = re.compile(
    r"(?<![\d.])\d{1,2}月|今年|去年|前年|当时|以前|之前|原来|起初|最初|曾|年|时候|when|before"
    r"|下一步|接下来|将来|未来|以后|打算|计划|明年|will|next"
)
PRESENT_GAP = 0.05  # how close an undated runner-up must be to answer in a dated one's place


def present_over_past(
    index: Index, question: Question, best: Scored, admissible: list[Scored]
) -> Scored:
    """A question that names no time asks how things stand, not how they stood: when the best
    answer is a state since passed (今年3月，Vidu还只能生成8秒) and another of the same part of
    the article is as close (Vidu能生成长达16秒), that one answers ("How long can Vidu videos
    be")."""
    if _TIMED.search(question.folded) or not _DATED.search(text_of(index, best)):
        return best
    sections = _sections(best)
    for other in admissible[1:4]:
        if best.score - other.score > PRESENT_GAP:
            break
        if not _DATED.search(text_of(index, other)) and sections & _sections(other):
            return other
    return best


_TIME = re.compile(r"(?:19|20)\d\d年|\d{1,2}月")
TIME_GAP = 0.08  # how close a runner-up of the time named must be to answer in its place


def at_the_time_named(
    index: Index, question: Question, best: Scored, admissible: list[Scored]
) -> Scored:
    """A question that names a time asks of that time: when the best answer's sentence does
    not say it and a close one that covers the question as well does ("Vidu三月份就能生成16秒
    视频了吧" is checked against 今年3月，Vidu还只能生成8秒, not the 16秒 of now)."""
    times = [t.text for t in question.content if t.kind == "number" and _TIME.fullmatch(t.text)]
    if not times or any(t in text_of(index, best) for t in times):
        return best
    for other in admissible[1:4]:
        if best.score - other.score > TIME_GAP:
            break
        if other.coverage >= best.coverage and all(t in text_of(index, other) for t in times):
            return other
    return best


def text_of(index: Index, scored: Scored) -> str:
    return "".join(index.fact_text[f.id] for f in scored.candidate.facts)


def _sections(scored: Scored) -> set[str]:
    return {f.paragraph.rsplit(".", 1)[0] for f in scored.candidate.facts}


def claim_answered(
    index: Index, question: Question, best: Scored, rival: Scored
) -> tuple[Scored, Scored | None]:
    """Of two close candidates for a claimed figure ("北京的科研人员有一百万人"), the one whose
    answer line gives a figure of that kind for the thing claimed (55万余名科研人员), when only
    one does: that is the line the claim is checked against."""

    def checks(scored: Scored) -> bool:
        intent = scored.candidate.intent
        if intent is None:
            return False
        stated = quantities(index.analyzer.fold(normalize(intent.answer)).replace(" ", ""))
        return any(
            comparable(c.quantity, [q for q in stated if q.noun[:2] in question.folded])
            for c in question.claimed
        )

    if checks(rival) and not checks(best):
        return rival, None
    if checks(best) and not checks(rival):
        return best, None
    return best, rival


def same_person_named(index: Index, question: Question, best: Scored, rival: Scored) -> bool:
    """Does a question that asks who or what a thing is called (那位副院长叫什么, ……的制度叫
    什么) get the same name from both close candidates: the same person, or the same name of
    the kind described? Then either answer names it, and there is nothing to choose."""
    if not _WHO.search(question.folded):
        return False
    types = index.analyzer.entity_types
    heads = described_heads(question)

    def given(scored: Scored) -> set[str]:
        return {
            name
            for fact in scored.candidate.facts
            for name in index.fact_names[fact.id]
            if name not in question.folded
            and (types.get(name) == "person" or any(of_kind(name, h) for h in heads))
        }

    named = given(best)
    return bool(named) and named <= given(rival)


_WHO = re.compile(r"谁|哪位|叫什么|叫啥|名字")


KIND_GAP = 0.05  # how close a runner-up that says what the thing is must be to answer instead


def kind_said(
    index: Index, question: Question, best: Scored, admissible: list[Scored]
) -> Scored:
    """A claim of what a thing is ("肥城是地级市吧") is checked against the sentence that says
    what it is ("肥城这个县级城市"), when one nearly as close does and the best does not."""
    if question.focus is None or not question.focus.is_claim:
        return best
    subject = next((t.text for t in question.content if t.kind == "entity"), "")
    claimed = claimed_kind_words(index, question)
    if not subject or not claimed:
        return best

    def says(scored: Scored) -> bool:
        text = text_of(index, scored)
        found = re.search(rf"{re.escape(subject)}(?:这个|这座|这一)([\u4e00-\u9fff]{{2,5}})", text)
        return found is not None and any(n[-1] in found.group(1) for n in claimed)

    if says(best):
        return best
    for other in admissible[1:4]:
        if best.score - other.score > KIND_GAP:
            break
        if says(other):
            return other
    return best
