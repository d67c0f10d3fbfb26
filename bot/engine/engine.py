"""engine.ask(question) -> Reply: the whole decision, pure and synchronous.

How a question is answered:
1. normalise it and cut it to MAX_QUESTION_CHARS; split it into labelled tokens (analysis.py);
2. collect candidates that share a token or a character pair with it (index.py);
3. score each: how well the question resembles the intent's example questions (fuzzy ratio on
   the whole normalised text, weighted token overlap), and how much of the question's content the
   candidate covers (every content token, weighted by rarity);
4. a candidate is *admissible* only if it covers every key term of the question: every named
   thing (a person, a place, an organisation, a product), and every word the article never uses
   at all. "上海有多少所高校" shares almost everything with "北京有多少所高校", but 上海 is not
   covered, so it is declined however similar the wording;
5. answer with the best admissible candidate when it is clearly best, ask to clarify between
   close ones, reply with small talk, or fall back: say the article does not say, and suggest
   questions it can answer.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.engine.analysis import MERGED, Token
from bot.engine.index import Candidate, Index, bigrams, resemblance_form
from bot.engine.normalize import MAX_QUESTION_CHARS, normalize, strip_invisible
from bot.engine.reply import Reply, Source
from bot.kb.facts import Fact
from bot.kb.store import Intent, Knowledge, load_knowledge

SHORTLIST = 30  # candidates scored in full per question
RUNNER_UP_GAP = 0.08  # a blocked best match outscoring the best admissible one by this declines
ANSWER_AT = 0.42  # lowest score for an answer
CLARIFY_AT = 0.36  # lowest score for a clarify suggestion
CLEAR_LEAD = 0.025  # the best must lead the next different candidate by this much, or we clarify
MIN_COVERAGE = 0.5  # at least this share of the question's content weight must be covered
MIN_COVERAGE_YES_NO = 0.7  # a yes/no question asks about all it says: "北脑二号上市了吗"
TYPO_CONTEXT = 0.6  # resemblance at which a real word may be read as a typo (高效 for 高校)
W_RES, W_FOCUS, W_COV = 0.5, 0.3, 0.2  # an intent's score: resemblance, own and paragraph cover
RUNNER_UP_RESEMBLANCE = 0.5  # a runner-up that reads this much like the question may answer
# when all the leader lacks is the kind of thing asked (多长: a length)
LEAD_IN_WEIGHT = 0.4  # a word of a question's lead-in clauses, against one of the asking clause
NEAR_COPY = 0.9  # resemblance at which one unfamiliar word no longer blocks an answer
STOP_WEIGHT = 0.15  # question words count a little in resemblance: 多长 vs 是什么 matters
FRAME_WEIGHT = 0.4
SMALLTALK_AT = 0.5  # resemblance to a small-talk example that makes a question small talk
SMALLTALK_ADDRESSED = 0.3  # ...when it names nothing of the article
CONFIDENT = 0.6  # at this score the best answers even when a rival is close

NO_QUESTION = "请问一个关于这篇文章的问题，例如："
DONT_KNOW = "抱歉，这篇文章里没有提到这一点，我不能凭空回答。你可以问我："
CLARIFY = "你是想问以下哪个问题？"
GENERIC_LEAD = "文章中是这样说的："


@dataclass
class Scored:
    candidate: Candidate
    score: float
    resemblance: float
    coverage: float
    uncovered: list[str]
    blocking: list[str]  # key terms the candidate does not cover

    yes_no: bool = False

    @property
    def admissible(self) -> bool:
        needed = MIN_COVERAGE_YES_NO if self.yes_no else MIN_COVERAGE
        return not self.blocking and self.coverage >= needed


class Engine:
    """Loaded once from knowledge/; `ask` is pure: same question, same reply."""

    def __init__(self, knowledge: Knowledge, bot_username: str = "") -> None:
        self.knowledge = knowledge
        self.index = Index(knowledge)
        self.bot_username = bot_username
        self._default_suggestions = tuple(
            intent.examples[0] for intent in knowledge.intents if intent.daily
        )[:3] or tuple(intent.examples[0] for intent in knowledge.intents[:3])

    @classmethod
    def load(cls, directory: Path | None = None, bot_username: str = "") -> Engine:
        from bot.paths import default_knowledge_dir

        directory = directory or default_knowledge_dir()
        return cls(load_knowledge(directory, normalise=normalize), bot_username)

    # ------------------------------------------------------------------ asking

    def ask(self, question: str, explain: bool = False) -> Reply:
        question = strip_invisible(question or "")[:MAX_QUESTION_CHARS]
        reply = self._ask_one(question, explain)
        parts = [p for p in _PARTS.split(question) if len(p.strip()) >= 4]
        if len(parts) < 2 or len(parts) > 4:
            return reply
        # "刀具是加工什么零件的？效率提升了多少？": two questions, two answers.
        answers = [self._ask_one(part, False) for part in parts]
        if all(a.kind == "answer" for a in answers) and len({a.intent for a in answers}) > 1:
            return _merge(answers, reply.explanation)
        return reply

    def _ask_one(self, question: str, explain: bool) -> Reply:
        normalised = normalize(question, self.bot_username)
        names = _capitalised(question)
        tokens = self.index.analyzer.tokens(normalised, fuzzy=True) if normalised else []
        content = [
            t for t in tokens if t.kind != "stop" and t.text not in self.index.smalltalk_words
        ]
        content = _without_alternative(tokens, content)
        lead_in: frozenset[str] = frozenset()
        if _CJK.search(normalised):
            folded = self.index.analyzer.fold(normalised, fuzzy=True)
            lead_in = _lead_in(folded, tokens, content)
        notes: dict = (
            {"normalised": normalised, "tokens": [f"{t.text}/{t.kind}" for t in tokens]}
            if explain
            else {}
        )

        ranked = self._rank(normalised, tokens, content, names, lead_in) if content else []
        admissible = [s for s in ranked if s.admissible]
        smalltalk, smalltalk_score = self._smalltalk_score(normalised, tokens)
        if explain:
            notes["candidates"] = [self._describe(s) for s in ranked[:6]]
            notes["smalltalk"] = f"{smalltalk} {smalltalk_score:.3f}"

        best = admissible[0] if admissible else None
        if (
            best is not None
            and ranked[0].blocking
            and ranked[0].score - best.score >= RUNNER_UP_GAP
            # (unless all it lacks is the kind of thing asked, which the runner-up holds:
            # "vidu多长" reads like "Vidu是什么", but only the 16秒 sentence gives a length)
            and not (
                all(b in self.index.attribute_questions for b in ranked[0].blocking)
                and best.resemblance >= RUNNER_UP_RESEMBLANCE
            )
        ):
            # What the question reads most like cannot answer it (it lacks a key term): a
            # weaker match that happens to pass would be answering another question.
            notes["declined"] = f"{ranked[0].candidate.key} lacks {'、'.join(ranked[0].blocking)}"
            best = None
        anchored = any(self._anchors(t) for t in content) or (
            best is not None
            and (
                best.resemblance >= TYPO_CONTEXT
                # every word it asks about is the article's (标题, 作者): not chat about the bot
                or (
                    best.coverage >= 0.99
                    and any(
                        len(t.text) >= 2 and _nounish(t) and t.text in best.candidate.quoted_text
                        for t in content
                    )
                )
            )
        )
        if (
            smalltalk is not None
            and smalltalk_score >= SMALLTALK_ADDRESSED
            and (
                not anchored
                or (smalltalk_score >= SMALLTALK_AT and not _INTERROGATIVE.search(question.lower()))
            )
        ):
            best = None  # "你好厉害啊", "你是做什么用的": nothing of the article is named;
            # "你好啊，机器人": a greeting that names something, but asks nothing
        if best and best.score >= ANSWER_AT and smalltalk_score <= max(best.score, SMALLTALK_AT):
            rival = next((s for s in admissible[1:] if not _same_answer(s, best)), None)
            if (
                rival is None
                or best.score - rival.score >= CLEAR_LEAD
                or best.score >= CONFIDENT
                or best.resemblance >= NEAR_COPY
                or _same_paragraph(best, rival)
            ):
                notes["decision"] = f"answer: {best.candidate.key} leads with {best.score:.3f}"
                return self._answer(best, notes if explain else None)
            close = [s for s in admissible if best.score - s.score < CLEAR_LEAD]
            notes["decision"] = "clarify: several candidates are equally close"
            return self._clarify(close, notes if explain else None)
        if smalltalk is not None and (
            smalltalk_score >= SMALLTALK_AT
            or (smalltalk_score >= SMALLTALK_ADDRESSED and not anchored)
        ):
            notes["decision"] = f"smalltalk: {smalltalk}"
            return self._smalltalk_reply(smalltalk, notes if explain else None)
        pair = self._pair(ranked, normalised) if best is None or best.score < ANSWER_AT else None
        if pair is not None:
            notes["decision"] = f"answer: {pair[0].candidate.key} with {pair[1].candidate.key}"
            first, second = (self._answer(p, None) for p in pair)
            return _merge([first, second], notes if explain else None)
        if best and best.score >= CLARIFY_AT:
            close = [s for s in admissible if s.score >= CLARIFY_AT][:3]
            notes["decision"] = f"clarify: best {best.score:.3f} is below {ANSWER_AT}"
            return self._clarify(close, notes if explain else None)
        if not content:
            notes["decision"] = "fallback: no content words in the question"
            return Reply(
                "fallback",
                NO_QUESTION,
                suggestions=self._default_suggestions,
                explanation=notes if explain else None,
            )
        if ranked and not admissible:
            why = ranked[0].blocking or ranked[0].uncovered
            notes["decision"] = f"fallback: the article does not cover {'、'.join(why)}"
        else:
            notes["decision"] = "fallback: nothing scores high enough"
        suggestions = self._suggest(ranked)
        return Reply(
            "fallback",
            DONT_KNOW,
            suggestions=suggestions,
            score=ranked[0].score if ranked else 0.0,
            explanation=notes if explain else None,
        )

    def answers(self, question: str, limit: int = 5) -> list[Reply]:
        """Up to `limit` distinct answers, best first (inline mode offers several)."""
        question = strip_invisible(question or "")[:MAX_QUESTION_CHARS]
        normalised = normalize(question, self.bot_username)
        tokens = self.index.analyzer.tokens(normalised, fuzzy=True) if normalised else []
        content = [
            t for t in tokens if t.kind != "stop" and t.text not in self.index.smalltalk_words
        ]
        content = _without_alternative(tokens, content)
        replies: list[Reply] = []
        seen: set[str] = set()
        for scored in self._rank(normalised, tokens, content) if content else []:
            key = scored.candidate.facts[0].id  # one result per quoted sentence
            if scored.admissible and scored.score >= CLARIFY_AT and key not in seen:
                seen.add(key)
                replies.append(self._answer(scored, None))
            if len(replies) == limit:
                break
        return replies

    def reply_for(self, key: str) -> Reply | None:
        """The answer for an intent id or a fact id (deep links, buttons, daily posts)."""
        for intent in self.knowledge.intents:
            if intent.id == key:
                return Reply(
                    "answer",
                    intent.answer,
                    tuple(self.source(self.knowledge.fact(f)) for f in intent.facts),
                    score=1.0,
                    intent=intent.id,
                )
        try:
            fact = self.knowledge.fact(key)
        except KeyError:
            return None
        return Reply("answer", GENERIC_LEAD, (self.source(fact),), score=1.0)

    def paragraph_of(self, fact_id: str) -> tuple[str, str] | None:
        """The whole paragraph a quote comes from, and its locator (the 原文 button)."""
        try:
            fact = self.knowledge.fact(fact_id)
        except KeyError:
            return None
        article = self.knowledge.article(fact.article)
        return article.paragraph(fact.paragraph).text, fact.where

    def related(self, key: str, limit: int = 3) -> list[Intent]:
        """Intents near an intent or fact: sharing its named things, then its section."""
        facts = self._facts_of(key)
        if not facts:
            return []
        names = {e for f in facts for e in f.entities}
        sections = {(f.article, f.section) for f in facts}
        own = {f.id for f in facts}
        ranked = []
        for position, intent in enumerate(self.knowledge.intents):
            if intent.id == key or own >= set(intent.facts):
                continue
            theirs = [self.knowledge.fact(f) for f in intent.facts]
            shared = len(names & {e for f in theirs for e in f.entities})
            same_section = any((f.article, f.section) in sections for f in theirs)
            if shared or same_section:
                ranked.append((-shared, not same_section, position, intent))
        return [entry[-1] for entry in sorted(ranked)[:limit]]

    def _facts_of(self, key: str) -> list[Fact]:
        for intent in self.knowledge.intents:
            if intent.id == key:
                return [self.knowledge.fact(f) for f in intent.facts]
        try:
            return [self.knowledge.fact(key)]
        except KeyError:
            return []

    def daily_intents(self) -> list[Intent]:
        """The intents curated as good facts of the day."""
        return [intent for intent in self.knowledge.intents if intent.daily]

    # ------------------------------------------------------------------ scoring

    def _rank(
        self,
        normalised: str,
        tokens: list[Token],
        content: list[Token],
        names: frozenset[str] = frozenset(),
        lead_in: frozenset[str] = frozenset(),
    ) -> list[Scored]:
        index = self.index
        pool: set[int] = set()
        strays: list[str] = []
        for token in content:
            posting = index.by_token.get(token.text)
            if posting:
                pool.update(posting)
            else:
                strays.append(token.text)
        # Character pairs only for words no candidate has (typos, odd segmentation), so a
        # question is scored against the candidates that share something with it, not all.
        for gram in bigrams("".join(strays)):
            pool.update(index.by_bigram.get(gram, ()))
        if len(pool) > SHORTLIST:
            # A cheap first pass (shared words by weight) keeps the full scoring, which is what
            # costs, to a short list: latency stays flat however large the knowledge grows.
            shared: dict[int, float] = dict.fromkeys(pool, 0.0)
            for token in content:  # add each word's weight along its posting list
                weight = self._content_weight(token)
                for number in index.by_token.get(token.text, ()):
                    shared[number] += weight
            pool = set(heapq.nlargest(SHORTLIST, shared, key=lambda i: (shared[i], -i)))
        folded = index.analyzer.fold(normalised, fuzzy=True)
        english = _CJK.search(normalised) is None
        ratios = self._ratios(folded, [index.candidates[i] for i in pool])
        shared = self._shared(folded, tokens, content, normalised, lead_in)
        scored = [
            self._score(
                index.candidates[i], folded, tokens, content, english, ratios, names, shared
            )
            for i in pool
        ]
        scored.sort(key=lambda s: (-s.score, s.candidate.key))
        return scored

    def _score(
        self,
        candidate: Candidate,
        folded: str,
        tokens: list[Token],
        content: list[Token],
        english: bool = False,
        ratios: dict[int, list[float]] | None = None,
        names: frozenset[str] = frozenset(),
        shared: _Shared | None = None,
    ) -> Scored:
        """Score one candidate. In an English question, unfamiliar English words are weighed,
        not vetoed (there are too many ways to say a thing); in a Chinese one they are names."""
        index = self.index
        shared = shared or self._shared(folded, tokens, content)
        yes_no = shared.yes_no
        categories = shared.categories
        resemblance = (
            self._resemblance(
                candidate, folded, tokens, (ratios or {}).get(id(candidate)), shared.words
            )
            if candidate.examples
            else 0.0
        )
        lenient = resemblance >= TYPO_CONTEXT
        total = covered = focused = 0.0
        uncovered: list[str] = []
        unknown: list[str] = []
        blocking: list[str] = []
        facts_text = "".join(index.fact_text[f.id] for f in candidate.facts)
        for token, weight in zip(content, shared.weights, strict=True):
            match = self._covers(candidate.vocab, candidate.text, token, lenient)
            if match < 0.5 and token.kind == "word":
                match = max(match, _rescued(token, folded, candidate.text))
            if match < 0.5 and token.text in categories and self._has_instance(candidate, token):
                match = 0.8  # 什么大奖 -> 图灵奖: the answer names one of the kind asked
            if not yes_no and _deputy_only(token.text, facts_text, folded):
                match = 0.0  # 院长 asked, only a 副院长 named: another post
                blocking.append(token.text)
            focus_match = self._covers(candidate.focus, candidate.focus_text, token, lenient)
            if token.kind == "frame" or token.text in index.attribute_questions:
                if match < 1 and token.text in candidate.plain_text:
                    match = focus_match = 1.0  # a frame word folding hid: 山东省 -> 山东
                if match < 0.5:
                    continue  # a generic word the candidate lacks neither helps nor hurts
                    # (an attribute word's evidence is checked on its own, below)
            total += weight
            covered += weight * match
            focused += weight * focus_match
            if match < 0.5 and token.kind != "frame":
                uncovered.append(token.text)
                if token.pos == MERGED or token.text in index.attribute_questions:
                    continue  # weighed, not vetoed: lone characters that read as no typo, and
                    # attribute words (职称), which their own evidence check below decides
                if (
                    self._is_key_term(token)
                    and not (
                        token.text in categories
                        and token.text not in index.analyzer.entity_types
                    )
                ) or token.text in names:
                    blocking.append(token.text)
                elif token.text in shared.lead_in:
                    continue  # a scene-setting word of the lead-in: weighed, not vetoed
                elif yes_no and len(token.text) >= 2 and not index.known(token.text):
                    unknown.append(token.text)  # "明天北京会下雨吗": the predicate is asked
                elif (
                    not index.known(token.text)
                    and _nounish(token)
                    and not (token.text.isascii() and english)
                    and not _shares_bigram(token.text, candidate.text)
                    and token.text not in categories
                ):
                    unknown.append(token.text)  # a word the knowledge never uses
        coverage = covered / total if total else 0.0
        focus = focused / total if total else 0.0
        if resemblance < NEAR_COPY:
            blocking += unknown  # a word the knowledge never uses, unless the question is
            # all but a copy of a curated example with that one word different
        asked, count = shared.asked, shared.count
        if asked is not None and english and asked.text.isascii() and not count:
            asked = None  # English: too many ways to name a thing for one word to decide,
            # except what "how many" counts
        if asked is not None and asked.text in index.attribute_questions:
            asked = None  # an attribute word: its evidence is checked below
        if asked is not None and asked.text in categories and not index.known(asked.text):
            asked = None  # 什么风格, 哪些景色: a category the answer gives as an instance
        if asked is not None and asked.text not in blocking:
            if not self._asked_covered(candidate, asked, lenient) and not (
                asked.text in categories and self._has_instance(candidate, asked)
            ):  # (什么部件 is answered by 姿控组件: an instance of the kind asked)
                blocking.append(asked.text)
            elif (
                count
                and (asked.text in facts_text or index.known(asked.text))  # (not a typo)
                and not _counted(asked.text, self._phrased(candidate), self._names(candidate))
            ):
                blocking.append(f"{asked.text}的数目")
        unit = shared.unit
        if unit and not re.search(rf"\d[\d.]*(?:万|亿)?(?:余|多)?(?:个)?{unit}", facts_text):
            blocking.append(f"多少{unit}")  # 多少年 / 几倍 need a figure in that unit
        for number, unit in shared.ordinals:
            stated = {n for n, u in _ORDINAL.findall(facts_text) if u == unit}
            if stated and number not in stated:
                blocking.append(f"{number}{unit}")  # 二期 asked, only 一期 stated
        for version in shared.versions:
            if version not in _VERSION.findall(candidate.text):
                blocking.append(version)  # 悟道2.0 asked, only 悟道3.0 stated (or none)
        for month in shared.months:
            if not re.search(rf"(?<![\d.]){month}月", candidate.text):
                blocking.append(f"{month}月")  # a month the candidate never names: 今年5月
        for relative in shared.other_years:
            if relative not in candidate.text and not self._dated(candidate, relative):
                blocking.append(relative)  # 明年: the article speaks of this year and the last
        named, body = shared.named, shared.body
        if named is not None and (
            _unnamed(list(shared.subject), facts_text)
            or not (
                self._names_something(candidate, shared.typed if named else folded, named or None)
                or (body is not None and re.search(rf"(?:多|各|几)个?{body}", facts_text))
            )
        ):
            blocking.append("名称")  # the article says "一家科技企业" and never names it, or the
            # sentence names nothing (of the kind asked) the question does not already name
        elif shared.who and not self._names_something(
            candidate, folded, ("person", "org", "place")
        ):
            blocking.append("谁")  # 悟道3.0是谁开发的: its sentence names no one who did
        elif shared.role is not None and (
            not self._names_something(candidate, folded, ("person",))
            or (shared.role.endswith(_TITLES) and shared.role not in facts_text)
        ):
            blocking.append("谁")  # 首席专家是谁: a person is asked for, and none is named;
            # 院长是谁: and the post must be the one its sentences name
        scope = "".join(f.where for f in candidate.facts if "截至" in f.where)
        for word, evidence in shared.attributes:
            # 数说's items are dated by the box ("截至2023年底"), not in their own text.
            text = facts_text + scope if word in ("什么时候", "何时") else facts_text
            if not any(self._has_evidence(e, text, candidate) for e in evidence):
                blocking.append(word)
        if candidate.intent is not None:
            score = max(
                W_RES * resemblance + W_FOCUS * focus + W_COV * coverage,
                0.7 * focus + 0.1 * resemblance,
            )
        else:
            partial = fuzz.partial_ratio(folded.replace(" ", ""), candidate.focus_text) / 100
            score = 0.75 * coverage * (0.6 + 0.4 * partial)
        return Scored(candidate, score, resemblance, coverage, uncovered, blocking, yes_no)

    def _covers(self, vocab: set[str], text: str, token: Token, lenient: bool = False) -> float:
        """1 if the candidate has the word; 0.9 for a one-character typo of a word it has.

        A typo that is no word at all (科研人原) is always read as one. A typo that is itself a
        word (高效 for 高校) only when the rest of the question reads like the candidate's
        examples, and never for a proper noun: 上海 is not a typo of 大海.
        """
        word = token.text
        if word in vocab or word in text:
            return 1.0
        if len(word) < 2 or token.kind == "number" or word.isascii() or self.index.known(word):
            return 0.0  # a word the knowledge uses as itself is not a typo of another
        if not _near_in(word, text):
            return 0.0
        if not token.known_word:
            return 0.9
        if (
            lenient
            and token.kind == "word"
            and not token.pos.startswith("n")
            and not self.index.known(word)
        ):
            return 0.9  # 高效 (an adjective where a noun belongs) for 高校; 学生 is no typo of 学院
        return 0.0

    def _pair(self, ranked: list[Scored], normalised: str) -> tuple[Scored, Scored] | None:
        """Two candidates that together answer a question about two things ("天津滨海和雄安
        分别入驻了多少家"): each misses only what the other covers, and each is strong."""
        if not _COORDINATION.search(normalised):
            return None
        strong = [s for s in ranked[:8] if s.score >= ANSWER_AT and s.coverage >= MIN_COVERAGE]
        for i, first in enumerate(strong):
            for second in strong[i + 1 :]:
                if _same_answer(first, second) or not (first.blocking or second.blocking):
                    continue
                if not all(self._pairable(b) for b in (*first.blocking, *second.blocking)):
                    continue  # what a question asks of its thing (哪个城市, 谁, 名称) is not
                    # answered by another thing's sentence
                if (
                    not set(first.blocking) & set(second.blocking)
                    and all(b in second.candidate.text for b in first.blocking)
                    and all(b in first.candidate.text for b in second.blocking)
                ):
                    return first, second
        return None

    def _named_kinds(self, tokens: list[Token], folded: str) -> tuple[str, ...] | None:
        """None when the question does not ask for a name; else the kinds of name that answer
        it: () for any, ("product",) for 那台机器人叫什么名字 (the thing's own kind), ("org",)
        for 哪家企业 / which company."""
        if _ORG_QUESTION.search(folded):
            return ("org",)
        if not _NAME_QUESTION.search(folded):
            return None
        types = self.index.analyzer.entity_types
        for position, token in enumerate(tokens):
            if token.text in ("叫", "叫什么", "叫啥", "名字", "名称", "name"):
                for before in reversed(tokens[:position]):
                    if before.kind == "stop" or before.text in ("的", "那个", "这个"):
                        continue
                    kind = types.get(before.text)
                    if kind in ("product", "org", "person", "event", "document"):
                        return (kind,)  # 血管介入手术机器人叫什么: another product's name
                    break
                break
        return ()

    def _has_instance(self, candidate: Candidate, category: Token) -> bool:
        """Does a fact of the candidate hold a word with the category's head (奖 of 大奖)?"""
        head = category.text[-1]
        return len(category.text) >= 2 and any(
            len(t.text) >= 2 and t.text.endswith(head) and t.text != category.text
            for f in candidate.facts
            for t in self.index.fact_tokens[f.id]
        )

    def _dated(self, candidate: Candidate, relative: str) -> bool:
        """Does the candidate name the year a relative one means, counted from the year its
        article speaks from (去年 in a 2024 article: 2023)?"""
        if not candidate.facts:
            return False
        year = self.knowledge.article(candidate.facts[0].article).year
        offset = _YEAR_OFFSETS.get(relative)
        return year is not None and offset is not None and str(year + offset) in candidate.text

    def _pairable(self, blocked: str) -> bool:
        """A term one candidate lacks that a second may cover: a name or a word of the
        question, not an attribute it asks for nor a check's own label (名称, 谁, X的数目)."""
        return (
            blocked not in self.index.attribute_questions
            and blocked not in ("名称", "谁")
            and not blocked.endswith("的数目")
            and not blocked.startswith("多少")
        )

    def _anchors(self, token: Token) -> bool:
        """Does this token tie the question to the article: a name, a figure, or a word of two
        or more characters that the article's own text uses?"""
        if token.kind in ("entity", "number"):
            return True
        return (
            len(token.text) >= 2 and token.kind == "word" and token.text in self.index.article_text
        )

    def _names_something(
        self, candidate: Candidate, folded: str, kinds: tuple[str, ...] | None = None
    ) -> bool:
        """Does a fact of the candidate give a name the question does not already hold: a
        person, organisation, product, event or document, a quoted name, a Latin-script name?
        With `kinds`, only a curated name of one of those kinds counts (谁: a person, a body)."""
        for fact in candidate.facts:
            for name in fact.entities:
                key = normalize(name)
                if key in folded or (
                    kinds is None and self.index.analyzer.canonical.get(key, key) in folded
                ):
                    continue  # (with `kinds`, `folded` is the question as typed: a name the
                    # user only described, 区域创新地图, is named by the answer)
                kind = self.index.analyzer.entity_types.get(key)
                if kinds is not None:
                    if kind in kinds:
                        return True
                    continue
                if kind in ("person", "org", "product", "event", "document") or (
                    kind is None and key not in self.index.analyzer.canonical.values()
                ):
                    return True  # curated names, and quoted or Latin names the builder found
        return False

    def _names(self, candidate: Candidate) -> tuple[str, ...]:
        """Proper names in the candidate's facts (not the article's generic terms)."""
        types = self.index.analyzer.entity_types
        return tuple(
            name
            for fact in candidate.facts
            for name in self.index.fact_names[fact.id]
            if name in types
        )

    def _phrased(self, candidate: Candidate) -> str:
        """Its facts folded with a space where the article has punctuation: a figure counts
        the words after it up to the next comma, not the next clause's (1000余所科研院所，
        国家实验室 gives no count of 国家实验室)."""
        return " ".join(self.index.phrased(fact) for fact in candidate.facts)

    def _has_evidence(self, evidence: str, text: str, candidate: Candidate) -> bool:
        """Does the text hold the kind of information an attribute question asks for?"""
        if evidence in ("#year", "#date", "#day"):
            for name in self._names(candidate):  # not the year in 2024中关村论坛年会
                text = text.replace(name, "")
            if evidence == "#year":
                return bool(_YEAR.search(text) or _RELATIVE_YEAR.search(text))
            if evidence == "#day":
                return _DAY.search(text) is not None  # 27日, not 人工智能主题日
            return _DATE.search(text) is not None
        if evidence in ("#place", "#city"):
            types = self.index.analyzer.entity_types
            canonical = self.index.analyzer.canonical
            for fact in candidate.facts:
                for name in self.index.fact_names[fact.id]:
                    name = canonical.get(name, name)  # 北京市 is 北京
                    kind = types.get(name)
                    if evidence == "#place" and kind in ("place", "event"):
                        return True
                    if evidence == "#city" and kind == "place" and name not in _NOT_CITIES:
                        return True
            return False
        if evidence in _UNITS:  # a unit is evidence with its figure: 16秒, 6年, not 秒杀
            if evidence == "年":
                text = _YEAR_OF.sub("", text)  # 6年 is a length of time, 2023年 a date
            figure = rf"[\d十百千万两半][\d.]*(?:万|亿)?(?:余|多)?个?{evidence}"
            return re.search(figure, text) is not None
        return evidence in text

    def _asked_covered(self, candidate: Candidate, asked: Token, lenient: bool) -> bool:
        """The thing a question asks about must be there; a one-character word (人, 钱) only as
        a word of its own, since as a substring it is inside half the article."""
        if len(asked.text) == 1:  # 什么奖 -> 图灵奖: a one-character noun as the head of one;
            # a one-character verb (建 -> 建设) anywhere in one
            nounish = _nounish(asked)
            return any(
                t.text.endswith(asked.text) if nounish else asked.text in t.text
                for f in candidate.facts
                for t in self.index.fact_tokens[f.id]
            )
        # What it quotes must say it; an example's wording counts only when the question
        # reads like that example (lenient), not merely because the word is there.
        text = candidate.text if lenient else candidate.quoted_text
        if self._covers(set(), text, asked, lenient) >= 0.5:
            return True
        # 哪所大学 and the fact names 首都医科大学: a name whose head is the word asked about.
        heads = self.index.surfaces.get(asked.text, (asked.text,))
        return any(
            name != asked.text and name.endswith(head)
            for fact in candidate.facts
            for name in self.index.fact_names[fact.id]
            for head in heads
        )

    def _is_key_term(self, token: Token) -> bool:
        """Named things and years must be covered, whatever else matches.

        A named thing is one curated in terms.yaml, or a word the tagger calls a proper noun
        that the knowledge never uses (上海, 清华附中). Words the tagger calls proper nouns but
        the article uses as common ones (城市) are ordinary words.
        """
        if token.kind == "entity":
            return token.text in self.index.analyzer.entity_types or not self.index.known(
                token.text
            )
        return token.kind == "number" and _YEAR.fullmatch(token.text.removesuffix("年")) is not None

    @staticmethod
    def _ratios(folded: str, candidates: list[Candidate]) -> dict[int, list[float]]:
        """Character-level similarity of the question to every example of the candidates, in
        one call into rapidfuzz rather than one per example."""
        forms = [e.normalised for c in candidates for e in c.examples]
        if not forms:
            return {}
        row = [0.0] * len(forms)
        query = resemblance_form(folded)
        for _form, score, position in process.extract(query, forms, scorer=fuzz.ratio, limit=None):
            row[position] = score
        ratios: dict[int, list[float]] = {}
        position = 0
        for candidate in candidates:
            count = len(candidate.examples)
            ratios[id(candidate)] = [float(r) / 100 for r in row[position : position + count]]
            position += count
        return ratios

    def _resemblance(
        self,
        candidate: Candidate,
        folded: str,
        tokens: list[Token],
        ratios: list[float] | None = None,
        words: tuple[tuple[tuple[str, float], ...], float] | None = None,
    ) -> float:
        """How much the question reads like one of the intent's examples (best example):
        half weighted word overlap (Dice), half character-level similarity of the whole."""
        q_items, q_total = words or self._question_words(tokens)
        q_form = resemblance_form(folded) if ratios is None else ""
        best = 0.0
        for number, example in enumerate(candidate.examples):
            e_words = example.weights
            if e_words is None:
                e_words = example.weights = self._weights(example.tokens)
                example.total = sum(e_words.values())
            overlap = 0.0
            for word, weight in q_items:  # a handful of words: look each one up
                other = e_words.get(word)
                if other is not None:
                    overlap += weight if weight < other else other
            dice = 2 * overlap / (q_total + example.total or 1)
            if ratios is None:
                ratio = fuzz.ratio(q_form, example.normalised) / 100
            else:
                ratio = ratios[number]
            best = max(best, 0.5 * dice + 0.5 * ratio)
        return best

    def _weights(self, tokens: tuple[Token, ...] | list[Token]) -> dict[str, float]:
        return {t.text: self._token_weight(t) for t in tokens}

    def _question_words(
        self, tokens: list[Token]
    ) -> tuple[tuple[tuple[str, float], ...], float]:
        weights = self._weights(tokens)
        return tuple(weights.items()), sum(weights.values())

    def _shared(
        self,
        folded: str,
        tokens: list[Token],
        content: list[Token] | None = None,
        typed: str = "",
        lead_in: frozenset[str] = frozenset(),
    ) -> _Shared:
        """What every candidate's score reads of the question: worked out once per question."""
        content = content if content is not None else [t for t in tokens if t.is_content]
        asked, count = _asked_thing(tokens)
        asked_body = _ORG_QUESTION.search(folded)
        role = _role(tokens) if _ROLE_QUESTION.search(folded) else None
        return _Shared(
            yes_no=_is_yes_no(folded),
            categories=_categories(tokens),
            words=self._question_words(tokens),
            typed=typed or folded,
            lead_in=lead_in,
            weights=tuple(
                self._content_weight(t) * (LEAD_IN_WEIGHT if t.text in lead_in else 1.0)
                for t in content
            ),
            asked=asked,
            count=count,
            unit=_counted_unit(tokens),
            ordinals=tuple(_ORDINAL.findall(folded)),
            versions=tuple(_VERSION.findall(folded)),
            months=tuple(_MONTH.findall(folded)),
            other_years=tuple(_OTHER_YEAR.findall(folded)),
            named=self._named_kinds(tokens, folded),
            body=asked_body.group("org") if asked_body else None,
            subject=tuple(_named_subject(tokens, content)),
            who=_WHO_QUESTION.search(folded) is not None,
            role=role,
            attributes=tuple(
                (word, evidence)
                for word, evidence in self.index.attribute_questions.items()
                if word in folded
            ),
        )

    def _content_weight(self, token: Token) -> float:
        """Rare words weigh more. Frames weigh less, and so do single characters and verbs or
        adverbs the knowledge never uses (paraphrase filler: 希望, 想着), which say little."""
        weight = self.index.weight(token.text)
        if token.kind == "frame":
            return weight * FRAME_WEIGHT
        if token.kind == "word" and len(token.text) == 1:
            return weight * 0.3
        if token.kind == "word" and not self.index.known(token.text):
            if not _nounish(token):
                return weight * 0.4
            if token.text.isascii():
                return weight * 0.5  # English filler the glossary lacks ("took", "being")
        return weight

    def _token_weight(self, token: Token) -> float:
        weight = self.index.weight(token.text)
        if token.kind == "stop":
            return weight * STOP_WEIGHT
        if token.kind == "frame":
            return weight * FRAME_WEIGHT
        return weight

    # ------------------------------------------------------------------ small talk

    def _smalltalk_score(self, normalised: str, tokens: list[Token]) -> tuple[str | None, float]:
        if not normalised or len(normalised) > 30:
            return None, 0.0
        folded = self.index.analyzer.fold(normalised)
        best_id, best = None, 0.0
        addressed = _ADDRESS.search(normalised) is not None
        for candidate in self.index.smalltalk_candidates:
            item = self.index.smalltalk[candidate.key.split(":", 1)[1]]
            if item.addressed and not addressed:
                continue  # "夸夫是什么" reads like "你是什么", but it does not ask about the bot
            score = self._resemblance(candidate, folded, tokens)
            if score > best:
                best_id, best = candidate.key.split(":", 1)[1], score
        return best_id, best

    def _smalltalk_reply(self, item_id: str, notes: dict | None) -> Reply:
        item = self.index.smalltalk[item_id]
        suggestions = self._default_suggestions if item_id in ("help", "who_are_you") else ()
        return Reply(
            "smalltalk",
            item.replies[0],
            suggestions=suggestions,
            score=1.0,
            intent=item_id,
            explanation=notes,
        )

    # ------------------------------------------------------------------ replies

    def _answer(self, best: Scored, notes: dict | None) -> Reply:
        candidate = best.candidate
        lead = candidate.intent.answer if candidate.intent else GENERIC_LEAD
        sources = self.sources(candidate.facts)
        return Reply(
            "answer",
            lead,
            sources=sources,
            score=best.score,
            intent=candidate.intent.id if candidate.intent else None,
            explanation=notes,
        )

    def _clarify(self, close: list[Scored], notes: dict | None) -> Reply:
        questions = []
        for scored in close:
            question = self.question_for(scored.candidate)
            if question not in questions:
                questions.append(question)
        return Reply(
            "clarify",
            CLARIFY,
            suggestions=tuple(questions[:3]),
            score=close[0].score if close else 0.0,
            explanation=notes,
        )

    def _suggest(self, ranked: list[Scored]) -> tuple[str, ...]:
        """Up to three questions the bot can answer, nearest to what was asked first."""
        questions: list[str] = []
        for scored in ranked:
            if scored.coverage <= 0 or scored.candidate.intent is None:
                continue
            question = self.question_for(scored.candidate)
            if question not in questions:
                questions.append(question)
            if len(questions) == 3:
                return tuple(questions)
        for question in self._default_suggestions:
            if question not in questions and len(questions) < 3:
                questions.append(question)
        return tuple(questions)

    def question_for(self, candidate: Candidate) -> str:
        if candidate.intent is not None:
            return candidate.intent.examples[0]
        return candidate.facts[0].text[:30]

    def sources(self, facts: tuple[Fact, ...]) -> tuple[Source, ...]:
        """One quote per paragraph: sentences of the same paragraph are quoted together in
        reading order (with …… where the article has sentences between them), under one
        locator. The first fact stays the main one: its paragraph comes first."""
        groups: dict[str, list[Fact]] = {}
        for fact in facts:
            groups.setdefault(fact.paragraph, []).append(fact)
        result = []
        for group in groups.values():
            main = self.source(group[0])
            if len(group) > 1:
                ordered = sorted(group, key=lambda f: f.sentence)
                quote = ordered[0].text
                for before, after in pairwise(ordered):
                    gap = "" if after.sentence == before.sentence + 1 else "……"
                    quote += gap + after.text
                main = replace(main, quote=quote)
            result.append(main)
        return tuple(result)

    def source(self, fact: Fact) -> Source:
        article = self.knowledge.article(fact.article)
        paragraph = article.paragraph(fact.paragraph)
        section = article.section(paragraph.section_id)
        return Source(
            article=article.title,
            section=section.name,
            paragraph=paragraph.number,
            quote=fact.text,
            fact_id=fact.id,
            paragraph_id=paragraph.id,
            locator=fact.where,
        )

    def _describe(self, scored: Scored) -> dict:
        return {
            "candidate": scored.candidate.key,
            "score": round(scored.score, 3),
            "resemblance": round(scored.resemblance, 3),
            "coverage": round(scored.coverage, 3),
            "uncovered": scored.uncovered,
            "blocking": scored.blocking,
            "admissible": scored.admissible,
        }


_CJK = re.compile(r"[\u4e00-\u9fff]")
_YEAR = re.compile(r"(?:19|20)\d\d")


_ORDINAL = re.compile(r"([\d一二三四五六七八九十]+)(期|届|代|号|版|批)")
# A version glued to a name (悟道3.0), not a quantity (1.43万台套, 2.5倍).
_VERSION = re.compile(r"(?<=[^\d.\s])(\d+\.\d+)(?![\d.%万亿倍个台套名家所])")
_MONTH = re.compile(r"(?<![\d.个])(1[0-2]|[1-9])月(?!份?[\d])")
_UNITS = frozenset("秒年月天周米岁元吨克")
_YEAR_OF = re.compile(r"(?<!\d)(?:19|20)\d\d年")
_DAY = re.compile(r"(?<![\d.])(?:[1-9]|[12]\d|3[01])[日号]")
_RELATIVE_YEAR = re.compile(r"今年|去年|明年|前年|后年")
_OTHER_YEAR = re.compile(r"去年|明年|前年|后年")  # (今年 is the article's own time)
_YEAR_OFFSETS = {"前年": -2, "去年": -1, "明年": 1, "后年": 2}
_DATE = re.compile(
    r"(?:19|20)\d\d|\d+(?:个)?[年月日]|今年|去年|明年|前年|年底|年末|年初|上午|下午|之际|期间|年间|以来"
)
# Speaking to the bot, or asking how to use it.
_ADDRESS = re.compile(
    r"你|您|机器人|我能|我可以|帮助|怎么用|怎么提问|怎么问|怎么玩|\b(?:you|your|bot|help|how to)\b"
)
_INTERROGATIVE = re.compile(
    r"[?？]|吗|呢|什么|啥|多少|几|哪|谁|怎|为何|为什么|如何|是否|是不是|有没有|能不能"
    r"|how|what|who|when|where|why|which"
)
_NOT_CITIES = {"我国", "京津冀", "津冀", "全国", "中国"}


_DIGIT_BEFORE, _DIGIT_AFTER = 6, 10
_PARTS = re.compile(r"[？?；;！!。]+")
_COORDINATION = re.compile(r"和|与|跟|及|、|分别|各|还有|\band\b")


def _merge(replies: list[Reply], explanation: dict | None) -> Reply:
    """One answer from several: their lines in order, their quotes without repeats."""
    sources: list = []
    for reply in replies:
        sources += [s for s in reply.sources if s.fact_id not in {x.fact_id for x in sources}]
    return Reply(
        "answer",
        "\n".join(dict.fromkeys(r.lead for r in replies)),
        sources=tuple(sources),
        score=min(r.score for r in replies),
        intent=replies[0].intent,
        explanation=explanation,
    )


@dataclass(frozen=True)
class _Shared:
    yes_no: bool
    categories: set[str]
    words: tuple[tuple[tuple[str, float], ...], float]
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
    role: str | None = None  # 院长 in 院长是谁, when it is a "who holds it" question
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # attribute words asked


# Who made, released or proposed it: the answer must name a person, a body or a place.
_WHO_QUESTION = re.compile(
    r"(?:谁|哪位|哪个人|哪些人).{0,2}?"
    r"(?:研发|开发|研制|发布|发明|提出|创立|创建|建立|设计|制造|生产|推出|培育|领衔|带领)"
)
_NAME_QUESTION = re.compile(r"叫什么|叫啥|名字|名称|哪家|哪1家|是谁家|\bname\b")
_ORG_WORDS = "企业|公司|科技企业|医院|高校|机构|单位|部门|研究所|媒体|报纸|报社|厂家|工厂|出版社"
# 哪家企业 / 哪几个部门 / which company: the answer must name an organisation.
# (An answer may also say the bodies were several, unnamed but plain: 多部门联合印发.)
_ORG_QUESTION = re.compile(
    rf"(?:哪(?:家|1家|个|所|几个|几家|份)|which|what)\s*(?P<org>{_ORG_WORDS})"
    rf"|(?P<named>{_ORG_WORDS})\s*(?:叫什么|叫啥|的名字|的名称)"
)
# 首席专家是谁 / 院长是谁: a role, and the person holding it.
_ROLE_QUESTION = re.compile(r"(?:专家|长|负责人|作者|记者|教授|主任|书记|院士|领导)(?:是谁|是哪位)")




def _lead_in(folded: str, tokens: list[Token], content: list[Token]) -> frozenset[str]:
    """In a question of several clauses ("我对京津冀很感兴趣，科技部有位负责人谈到…，具体是从
    什么关系转向什么关系？"), the words of the lead-in set the scene: they count towards the
    match, but a word the article never uses there vetoes nothing. Names and figures always
    count in full, wherever they stand. Returns the lead-in's words."""
    clauses = folded.split(" ")
    if len(clauses) < 2 or len(folded) < 16:
        return frozenset()
    asking = max(
        (number for number, clause in enumerate(clauses) if _INTERROGATIVE.search(clause)),
        default=len(clauses) - 1,
    )
    start = sum(len(c) + 1 for c in clauses[:asking])
    end = start + len(clauses[asking])
    where: dict[int, int] = {}  # id(token) -> its start in `folded`
    cursor = 0
    for token in tokens:
        found = folded.find(token.text, cursor)
        if found >= 0:
            where[id(token)] = found
            cursor = found + len(token.text)
    asked = {t.text for t in content if start <= where.get(id(t), start) < end}
    return frozenset(
        t.text
        for t in content
        if t.kind not in ("entity", "number") and t.text not in asked
    )


def _named_subject(tokens: list[Token], content: list[Token]) -> list[Token]:
    """What a name question asks the name of: the word after 哪家/哪个/哪所 (哪所大学联合企业:
    the 大学, not the 企业), or the word before 叫什么/名字; else every content word."""
    for position, token in enumerate(tokens):
        if token.text in ("哪家", "哪1家", "哪个", "哪所", "哪") and position + 1 < len(tokens):
            following = [t for t in tokens[position + 1 : position + 3] if t.kind != "stop"]
            if following:
                return following[:1]
        if token.text in ("叫", "叫什么", "叫啥", "名字", "名称"):
            before = [t for t in tokens[:position] if t.kind != "stop"]
            if before:
                return before[-1:]
    return content


def _unnamed(content: list[Token], text: str) -> bool:
    """Does the text mention what the question asks the name of only as "一家…X" or "联合X" (a
    company, a hospital it does not name)?"""
    return any(
        token.kind == "word"
        and len(token.text) >= 2
        and _nounish(token)
        and re.search(
            rf"(?:(?:1|一)[家个位所款处座台][^\d]{{0,4}}|联合[^\d]{{0,2}}){re.escape(token.text)}",
            text,
        )
        for token in content
    )


_TITLES = ("院长", "所长", "校长", "主任", "教授", "主席", "部长", "局长", "书记", "总经理", "会长")


def _role(tokens: list[Token]) -> str:
    """The post a "who is" question names: 院长 in 北京天坛医院院长是谁."""
    for position, token in enumerate(tokens):
        if token.text in ("是谁", "谁", "是哪位", "哪位"):
            for before in reversed(tokens[:position]):
                if before.kind != "stop":
                    return before.text
            break
    return ""


def _deputy_only(word: str, text: str, question: str) -> bool:
    """Is the title asked (院长) in the text only as its deputy (副院长)?"""
    if not word.endswith(_TITLES) or f"副{word}" in question or f"副{word}" not in text:
        return False
    return word not in text.replace(f"副{word}", "")


_LIGHT_CHARS = set("的了是在和与及之也都就还把被将说讲")


def _rescued(token: Token, folded: str, text: str) -> float:
    """Character pairs as a safety net for segmentation: a word the segmenter cut differently
    (对标的 -> 对/标的) is covered when each of its characters stands, with a neighbour in the
    question, in a pair the candidate has ("对标"), or is a light character (的, 了)."""
    start = folded.find(token.text)
    if start < 0 or len(token.text) < 2:
        return 0.0
    for offset, char in enumerate(token.text, start=start):
        if char in _LIGHT_CHARS:
            continue
        left = folded[offset - 1 : offset + 1] if offset > 0 else ""
        right = folded[offset : offset + 2]
        if not ((len(left) == 2 and left in text) or (len(right) == 2 and right in text)):
            return 0.0
    return 0.8


def _counted(word: str, text: str, names: tuple[str, ...] = ()) -> bool:
    """Does the text give a figure for the word: before it (92所高校, 26名博士) or after it
    through a linking word (分支机构数量突破1万家, 入驻率达90%, 手术近200例)? A "how many"
    question is not answered by a sentence that only names the thing, nor by a figure about
    something else nearby, nor by the word inside a longer name (北京天坛医院 is no count of
    医院)."""
    if len(word) == 1:  # 多少人: a figure counting it, "7人入选", "26名博士"
        return (
            re.search(rf"\d[\d.]*(?:万|亿)?(?:余|多)?(?:名|位)?{re.escape(word)}", text) is not None
        )
    start = text.find(word)
    while start >= 0:
        inside_name = any(
            word in name
            and text.find(name, max(0, start - len(name)))
            in range(max(0, start - len(name) + len(word)), start + 1)
            for name in names
            if name != word
        )
        if not inside_name:
            before = text[max(0, start - 16) : start]
            after = text[start + len(word) : start + len(word) + _DIGIT_AFTER]
            if (
                _COUNTED_BEFORE.search(before)
                or _FIGURE_RIGHT_BEFORE.search(before)
                or _LINKED_FIGURE.match(after)
            ):
                return True
        start = text.find(word, start + 1)
    return False


# A figure with its measure word, then at most a few characters, right before the thing
# counted: 92所高校, 193家国家高新技术企业, 1.43万台套科研设施与仪器开放共享.
_COUNTED_BEFORE = re.compile(
    r"(?:(?<![\d.])(?:[02-9]|1[\d.]|\d{2,})[\d.]*|[百千])(?:万|亿)?(?:余|多)?"
    r"(?:[个所家项名件位台套例倍秒年月天次条篇种类份批只座张号大米]|平方米|平方公里)"
    r"[^\d\s]{0,8}$"
)
_FIGURE_RIGHT_BEFORE = re.compile(
    r"(?:\d{2,}|[02-9]|\d\.\d+)(?:万|亿)?(?:余|多)?$"
)  # 113周年, 1.43万台套
_MEASURES = {"年", "月", "天", "秒", "倍", "次", "周", "分钟", "小时", "个月"}


def _counted_unit(tokens: list[Token]) -> str | None:
    """The unit a count word carries when it is a measure of time or size: 多少年 -> 年."""
    for token in tokens:
        if _COUNT_WORD.match(token.text):
            unit = token.text.removeprefix("多少").removeprefix("几")
            if unit in _MEASURES:
                return unit
    return None


_LINKED_FIGURE = re.compile(
    r"(?:的)?(?:\d|[百千万])"  # right after it: 企业362家, 建设的10年
    r"|[^\s]{0,6}?(?:数量|数|达到|达|超过|突破|近|约|共|为|增至|有|占)[^\d\s]{0,4}?"
    r"(?:\d|[百千万]|[一二三四五六七八九十]分之)"
)
# A figure: a number other than a bare 1 (一家科技企业 is "a company", not a count of one),
# or a count in words (百余所, 百家).
_FIGURE = re.compile(r"(?<![\d.])(?:[02-9]|1[\d.]|\d{2,})|[百千万亿]")


def _shares_bigram(word: str, text: str) -> bool:
    """县级市 ~ 县级城市, 产业界 ~ 产业: a longer Chinese word whose two-character part the text
    has. (Not for Latin words: "sora" shares "or" with any English sentence.)"""
    return (
        len(word) >= 3
        and not word.isascii()
        and any(word[i : i + 2] in text for i in range(len(word) - 1))
    )


def _nounish(token: Token) -> bool:
    """Nouns, time words (明年), English words, and anything the dictionary does not know."""
    return token.pos.startswith("n") or token.pos in ("eng", "vn", "t") or not token.known_word


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
    r"(?:吗|嘛|(?<![什怎这那多])么)$|是否|是不是|有没有|能不能|会不会|可不可以|对不对"
)


def _is_yes_no(folded: str) -> bool:
    return _YES_NO.search(folded.strip()) is not None


_WHEN_WORDS = {"几月", "几月份", "几号", "几日", "几点", "几时", "哪月"}
_CLASSIFIERS = set("个所家项名件位台套例倍秒年月天次条篇种类份批只座张")
_LINKS = {"是", "有", "为", "达", "约", "了", "共", "一共", "总共", "大概", "大约"}


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
        skipped_frame = token.text in ("谁", "是谁")
        for after in tokens[position + 1 : position + 5]:
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
            if after.kind in ("word", "entity") and (_nounish(after) or skipped_frame):
                return after, count
            return None, False
        for before in reversed(tokens[:position]):
            if before.text in _LINKS or before.kind == "stop":
                continue
            if before.kind == "word" and _nounish(before) and len(before.text) > 1:
                return before, count
            return None, False
    return None, False


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
    return found


_CATEGORY_WORDS = {"什么", "是什么", "什么样", "哪个", "哪些", "哪种", "哪一", "有哪些", "啥"}
_CAPITALISED = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+|[A-Z]{2,})\b")


def _capitalised(question: str) -> frozenset[str]:
    """Capitalised words inside an English sentence are names (Australia, Shanghai): a name
    the knowledge does not cover is never answered by a fact about something else."""
    text = question.strip()
    return frozenset(word.lower() for word in _CAPITALISED.findall(text))


def _without_alternative(tokens: list[Token], content: list[Token]) -> list[Token]:
    """In "用的是国产机床还是进口的", the words after 还是 offer an alternative the article may
    not mention; the question is answered by what it says of the first."""
    texts = [t.text for t in tokens]
    if "还是" not in texts or texts.index("还是") == 0:
        return content
    after = {id(t) for t in tokens[texts.index("还是") + 1 :]}
    return [t for t in content if id(t) not in after]


def _same_paragraph(a: Scored, b: Scored | None) -> bool:
    """Two candidates quoting the same paragraph: either answer reads right."""
    return b is not None and a.candidate.facts[0].paragraph == b.candidate.facts[0].paragraph


def _same_answer(a: Scored, b: Scored) -> bool:
    return {f.id for f in a.candidate.facts} == {f.id for f in b.candidate.facts}


def _near_in(word: str, text: str) -> bool:
    """Does text contain a string of the same length that differs from word in one character?"""
    return _one_off(word).search(text) is not None


@lru_cache(maxsize=8192)
def _one_off(word: str) -> re.Pattern[str]:
    """A pattern for every string one substitution away from word (searched in C, not Python)."""
    return re.compile(
        "|".join(re.escape(word[:i]) + "." + re.escape(word[i + 1 :]) for i in range(len(word)))
    )
