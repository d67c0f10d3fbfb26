"""The decision, in one place: given the scored candidates and the small-talk reading, answer
with the best admissible candidate when it is clearly best, ask to clarify between close ones,
reply with small talk, answer a question about two things with two candidates, or fall back
(the article does not say; here is what it can answer)."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.engine.claims import UNSTATED
from bot.engine.english_claims import english_claim
from bot.engine.index import Index
from bot.engine.question import INTERROGATIVE, Question
from bot.engine.replies import Replies, describe, merge
from bot.engine.reply import Reply
from bot.engine.scoring import MIN_COVERAGE, NEAR_COPY, TYPO_CONTEXT, Scored, rank
from bot.engine.smalltalk import (
    SMALLTALK_ADDRESSED,
    SMALLTALK_AT,
    clause_smalltalk,
    smalltalk_score,
)
from bot.engine.tiebreak import (
    at_the_time_named,
    claim_answered,
    kind_said,
    present_over_past,
    same_person_named,
    text_of,
)
from bot.engine.verdict import UNNAMED_BODY
from bot.engine.words import anchors, nounish

RUNNER_UP_GAP = 0.08  # a blocked best match outscoring the best admissible one by this declines
ANSWER_AT = 0.42  # lowest score for an answer
CLARIFY_AT = 0.36  # lowest score for a clarify suggestion
CLEAR_LEAD = 0.025  # the best must lead the next different candidate by this much, or we clarify
RUNNER_UP_RESEMBLANCE = 0.5  # a runner-up that reads this much like the question may answer
# when all the leader lacks is the kind of thing asked (多长: a length)
CONFIDENT = 0.6  # at this score the best answers even when a rival is close

# The label of a person asked for: a runner-up that names one may answer
# ("配图是谁拍的" reads like the caption, but only the credit line names who took it).
_KINDS_ASKED = ("谁",)
_COORDINATION = re.compile(r"和|与|跟|及|、|分别|各|还有|\band\b")


def decide(index: Index, replies: Replies, question: Question, explain: bool) -> Reply:
    """The reply to one question (one sentence of a message)."""
    notes: dict = {}
    if explain:
        notes["normalised"] = question.normalised
        notes["tokens"] = [f"{t.text}/{t.kind}" for t in question.tokens]
    out = notes if explain else None
    chatting = clause_smalltalk(index, question)
    if chatting is not None:  # every clause is small talk: "晚安，明天再聊"
        notes["decision"] = f"smalltalk: every clause ({chatting})"
        return replies.smalltalk(chatting, index.smalltalk[chatting].replies[0], out)
    ranked = rank(index, question) if question.content else []
    admissible = [s for s in ranked if s.admissible]
    smalltalk, chat = smalltalk_score(index, question)
    if explain:
        notes["candidates"] = [describe(s) for s in ranked[:6]]
        notes["smalltalk"] = f"{smalltalk} {chat:.3f}"
    best = admissible[0] if admissible else None
    if best is not None and _outranked(index, question, ranked[0], best):
        # What the question reads most like cannot answer it (it lacks a key term): a
        # weaker match that happens to pass would be answering another question.
        notes["declined"] = f"{ranked[0].candidate.key} lacks {'、'.join(ranked[0].blocking)}"
        best = None
    if best is not None and best is not ranked[0] and _name_withheld(index, ranked[0]):
        # "5月要去河北哪家医院": the sentence it asks about says 一家医院 and names none;
        # another sentence that names a hospital answers another question
        notes["declined"] = f"{ranked[0].candidate.key} names no {'、'.join(ranked[0].blocking)}"
        best = None
    if best is not None and _unanchored_english(index, question, best):
        notes["declined"] = f"names nothing of the article; {'、'.join(best.uncovered)} unknown"
        best = None
    if best is not None:
        best = present_over_past(index, question, best, admissible)
        best = at_the_time_named(index, question, best, admissible)
        best = kind_said(index, question, best, admissible)
    anchored = _anchored(index, question, best)
    if (
        smalltalk is not None
        and chat >= SMALLTALK_ADDRESSED
        and (
            not anchored
            or (chat >= SMALLTALK_AT and not INTERROGATIVE.search(question.text.lower()))
        )
    ):
        best = None  # "你好厉害啊", "你是做什么用的": nothing of the article is named;
        # "你好啊，机器人": a greeting that names something, but asks nothing
    if best and best.score >= ANSWER_AT and chat <= max(best.score, SMALLTALK_AT):
        return _answer_or_clarify(index, question, replies, best, admissible, notes, out)
    if smalltalk is not None and (
        chat >= SMALLTALK_AT or (chat >= SMALLTALK_ADDRESSED and not anchored)
    ):
        notes["decision"] = f"smalltalk: {smalltalk}"
        return replies.smalltalk(smalltalk, index.smalltalk[smalltalk].replies[0], out)
    return _otherwise(index, replies, question, ranked, admissible, best, notes, out)


def _outranked(index: Index, question: Question, leader: Scored, best: Scored) -> bool:
    """Does a blocked candidate read so much more like the question than the best admissible
    one that answering with the latter would answer another question? (Not when all it lacks
    is the kind of thing asked, which the runner-up holds: "vidu多长" reads like "Vidu是什么",
    but only the 16秒 sentence gives a length.)"""
    return bool(
        leader.blocking
        and leader.score - best.score >= RUNNER_UP_GAP
        and not (
            all(b in index.attribute_questions or b in _KINDS_ASKED for b in leader.blocking)
            and best.resemblance >= RUNNER_UP_RESEMBLANCE
        )
        and not (
            # a claim about a thing the runner-up covers whole, which the leader lacks:
            # "朱军是清华大学人工智能学院的院长吗" is checked on what is said of 朱军
            question.focus is not None
            and question.focus.is_claim
            and best.coverage >= 0.99
            and any(b in question.folded for b in leader.blocking)
        )
        and not _lacks_claim_subject(question, leader)
        and not (
            leader.blocking == ["名称"]
            and not any(t.kind == "entity" for t in question.content)
            and _same_paragraph(leader, best)
        )
        # "那个黑色圆盒子叫什么", a description that names nothing: the sentence that
        # describes it does not name it; the one beside it, of the same paragraph, does
    )


def _lacks_claim_subject(question: Question, leader: Scored) -> bool:
    """Is the leader blocked for want of the one a claim is about ("赵弘是科学技术部的负责人",
    where the leading sentence is about 解敏, the ministry's)? It cannot check the claim."""
    if question.focus is None or not question.focus.is_claim:
        return False
    subject = next((t.text for t in question.content if t.kind == "entity"), None)
    return subject is not None and subject in leader.blocking


def _name_withheld(index: Index, leader: Scored) -> bool:
    """Is the best match blocked only because the name asked for is one its sentence leaves
    unnamed (一家科技企业, 河北一家医院)?"""
    text = "".join(index.fact_text[f.id] for f in leader.candidate.facts)
    return leader.blocking == ["名称"] and UNNAMED_BODY.search(text) is not None


def _unanchored_english(index: Index, question: Question, best: Scored) -> bool:
    """An English question that names nothing of the article (no name, no figure, no word
    of its meta such as author or title) and leaves words the knowledge never uses uncovered:
    "What's a good recipe for dumplings?" shares only "good" with an example, which is no
    reason to answer. (English words are weighed, not vetoed, since phrasing varies so.)"""
    return (
        question.english
        and not any(anchors(index, t) or t.kind == "frame" for t in question.content)
        and any(not index.known(word) for word in best.uncovered)
    )


def _anchored(index: Index, question: Question, best: Scored | None) -> bool:
    """Does the question tie itself to the article (a name, a figure, the article's words), or
    read like one of the best candidate's examples? If not, it may be chat about the bot."""
    if any(anchors(index, t) for t in question.content):
        return True
    return best is not None and (
        best.resemblance >= TYPO_CONTEXT
        # every word it asks about is the article's (标题, 作者): not chat about the bot
        or (
            best.coverage >= 0.99
            and any(
                len(t.text) >= 2 and nounish(t) and t.text in best.candidate.quoted_text
                for t in question.content
            )
        )
    )


def _answer_or_clarify(
    index: Index,
    question: Question,
    replies: Replies,
    best: Scored,
    admissible: list[Scored],
    notes: dict,
    out: dict | None,
) -> Reply:
    """Answer with the best unless a rival with another answer is as close and as good."""
    rival = next((s for s in admissible[1:] if not same_answer(s, best)), None)
    if rival is not None and best.score - rival.score < CLEAR_LEAD and question.claimed:
        best, rival = claim_answered(index, question, best, rival)
    if (
        rival is None
        or best.score - rival.score >= CLEAR_LEAD
        or best.score >= CONFIDENT
        or best.resemblance >= NEAR_COPY
        or _same_paragraph(best, rival)
        or same_person_named(index, question, best, rival)
    ):
        notes["decision"] = f"answer: {best.candidate.key} leads with {best.score:.3f}"
        return replies.answer(best, out)
    close = [s for s in admissible if best.score - s.score < CLEAR_LEAD]
    notes["decision"] = "clarify: several candidates are equally close"
    return replies.clarify(close, out)


def _otherwise(
    index: Index,
    replies: Replies,
    question: Question,
    ranked: list[Scored],
    admissible: list[Scored],
    best: Scored | None,
    notes: dict,
    out: dict | None,
) -> Reply:
    """No clear answer and no small talk: two candidates together, a clarifying question, or
    a fallback that says why."""
    pair = None
    if best is None or best.score < ANSWER_AT:
        pair = pair_for(index, ranked, question.normalised)
    if pair is not None:
        notes["decision"] = f"answer: {pair[0].candidate.key} with {pair[1].candidate.key}"
        return merge([replies.answer(p, None) for p in pair], out)
    if best and best.score >= CLARIFY_AT:
        close = [s for s in admissible if s.score >= CLARIFY_AT][:3]
        notes["decision"] = f"clarify: best {best.score:.3f} is below {ANSWER_AT}"
        return replies.clarify(close, out)
    if not question.content:
        notes["decision"] = "fallback: no content words in the question"
        return replies.no_question(out)
    said = _said_of_subject(index, question, ranked)
    if said is not None:  # "北脑二号已经用在病人身上了吧": not said; here is what is said of it
        notes["decision"] = f"unstated: {said.candidate.key} speaks of the thing, not of that"
        return replace(
            replies.answer(said, out),
            kind="fallback",
            lead=UNSTATED,
            verdict="unstated",
            unanswered=True,
        )
    if ranked and not admissible:
        why = ranked[0].blocking or ranked[0].uncovered
        notes["decision"] = f"fallback: the article does not cover {'、'.join(why)}"
    else:
        notes["decision"] = "fallback: nothing scores high enough"
    return replies.dont_know(ranked, out)


def _said_of_subject(index: Index, question: Question, ranked: list[Scored]) -> Scored | None:
    """A claim or yes/no question about a thing the article names, whose predicate it does not
    cover ("姚智院士是清华的老校友吧"): the best match when it speaks of every name the question
    gives, for the reply that the article does not say, and what it does say of the thing."""
    focus, shared = question.focus, question.features
    if not ranked or shared is None:
        return None
    if focus is None:  # "Is Vidu free to use?": an English yes/no question
        if not (question.english and english_claim(question.text)):
            return None
    elif not (focus.is_claim or shared.yes_no):
        return None
    named = [
        t.text
        for t in question.content
        if t.kind == "entity" and t.text in index.analyzer.entity_types
    ]
    if not named:
        return None
    # the best of the first few that lacks no name and no figure the question gives (one
    # that lacks them may be of another thing), preferring a sentence that writes the name
    fit = [s for s in ranked[:4] if s.score >= UNSTATED_AT and _lacks_no_name(index, question, s)]
    naming = [s for s in fit if all(n in text_of(index, s) for n in named)]
    return (naming or fit or [None])[0]


def _lacks_no_name(index: Index, question: Question, scored: Scored) -> bool:
    """Does the candidate lack no curated name and no figure of the question's? (A word the
    tagger only guesses is a name, 本科生, is the predicate's.)"""
    missing = set(scored.blocking) | set(scored.uncovered)
    types = index.analyzer.entity_types
    claimed = {
        t.text for t in question.content if any(c.carried_by(t.text) for c in question.claimed)
    }
    return not any(
        (t.kind == "number" or t.text in types or t.pos == "ns")
        and t.text in missing
        and t.text not in claimed  # (a figure claimed that nothing checks: 年薪上百万)
        for t in question.content
    )


UNSTATED_AT = 0.2  # the least score of the sentence shown as what the article does say


def pair_for(index: Index, ranked: list[Scored], normalised: str) -> tuple[Scored, Scored] | None:
    """Two candidates that together answer a question about two things ("天津滨海和雄安
    分别入驻了多少家"): each misses only what the other covers, and each is strong."""
    if not _COORDINATION.search(normalised):
        return None
    strong = [s for s in ranked[:8] if s.score >= ANSWER_AT and s.coverage >= MIN_COVERAGE]
    for i, first in enumerate(strong):
        for second in strong[i + 1 :]:
            if same_answer(first, second) or not (first.blocking or second.blocking):
                continue
            if not all(_pairable(index, b) for b in (*first.blocking, *second.blocking)):
                continue  # what a question asks of its thing (哪个城市, 谁, 名称) is not
                # answered by another thing's sentence
            if (
                not set(first.blocking) & set(second.blocking)
                and all(b in second.candidate.text for b in first.blocking)
                and all(b in first.candidate.text for b in second.blocking)
            ):
                return first, second
    return None


def _pairable(index: Index, blocked: str) -> bool:
    """A term one candidate lacks that a second may cover: a name or a word of the
    question, not an attribute it asks for nor a check's own label (名称, 谁, X的数目)."""
    return (
        blocked not in index.attribute_questions
        and blocked not in ("名称", "谁")
        and not blocked.endswith("的数目")
        and not blocked.startswith("多少")
    )


def _same_paragraph(a: Scored, b: Scored | None) -> bool:
    """Two candidates quoting the same paragraph: either answer reads right."""
    return b is not None and a.candidate.facts[0].paragraph == b.candidate.facts[0].paragraph


def same_answer(a: Scored, b: Scored) -> bool:
    return {f.id for f in a.candidate.facts} == {f.id for f in b.candidate.facts}
