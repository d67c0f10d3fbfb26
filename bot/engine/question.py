"""Reading a question, once: cleaned and cut, normalised, folded, split into labelled tokens,
its content words, the words of its lead-in clauses, the names it capitalises, and what it
asks (features.py). Every later stage reads this value, never the raw text again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.engine.analysis import MEASURE_CHARS, Token
from bot.engine.claims import Claimed, claimed_figures, split_claim
from bot.engine.english_claims import english_claimed
from bot.engine.features import Features, features
from bot.engine.focus import Focus, read_focus, refocus
from bot.engine.index import Index
from bot.engine.lists import Listed, listed_set
from bot.engine.normalize import MAX_QUESTION_CHARS, normalize, strip_invisible
from bot.engine.words import CJK, anchors, is_key_term, nounish

INTERROGATIVE = re.compile(
    r"[?？]|吗|呢|什么|啥|多少|几|哪|谁|怎|为何|为什么|如何|是否|是不是|有没有|能不能"
    r"|how|what|who|when|where|why|which"
)
_CAPITALISED = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+|[A-Z]{2,})\b")
_PARTS = re.compile(r"[？?；;！!。]+|(?<=[a-z])\.\s+(?=[A-Z])")  # (and an English full stop)
_NONE: frozenset[str] = frozenset()
_CONFIRMING = re.compile(r"(?:吗|吧|对吧|是吗|对不对|没错吧)$")


@dataclass(frozen=True)
class Question:
    text: str  # as typed, without invisible characters, cut to the length cap
    normalised: str
    folded: str  # normalised, then synonyms and typos folded to the article's words
    tokens: list[Token]
    content: list[Token]  # the words that must be covered (no question or small-talk words)
    names: frozenset[str] = frozenset()  # capitalised words of an English sentence
    lead_in: frozenset[str] = frozenset()
    features: Features | None = None  # what it asks; None when it has no content words
    focus: Focus | None = None  # its clauses, and the one that asks
    exempt: frozenset[str] = frozenset()  # words of the other clauses: they never veto
    chatter: frozenset[str] = frozenset()  # words of remarks and claims: never count against
    resembled: str = ""  # what is compared with the examples: the message without its chatter
    claimed: tuple[Claimed, ...] = ()  # figures it claims, to check rather than require
    claim_names: frozenset[str] = frozenset()  # names a claim gives as its value (是清华做的)
    claims_maker: bool = False  # the claim says who made it (是中科院搞的): its names are makers
    listed: Listed | None = None  # a counted set whose members it asks for (那9大高新区都是哪几个)
    # what later stages work out once per question rather than once per candidate
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def english(self) -> bool:
        return CJK.search(self.normalised) is None


def clean(text: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """The question as the engine reads it: at most `limit` characters (the one length cap,
    applied here and nowhere else), without invisible characters."""
    return strip_invisible(text or "")[:limit]


_CLAUSES = re.compile(
    r"[，,；;]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|\s+and\s+(?=how|what|who|when|where|which)"
)


def asking_clauses(text: str) -> list[str]:
    """The clauses of a one-sentence message that each ask something (……是哪，截至什么时候)."""
    clauses = [c.strip() for c in _CLAUSES.split(text.strip().rstrip("？?。！!"))]
    return [c for c in clauses if len(c) >= 3 and INTERROGATIVE.search(c.lower())]


def parts(text: str) -> list[str]:
    """The sentences of a message that may each be a question of their own."""
    return [p for p in _PARTS.split(text) if len(p.strip()) >= 4]


# "list一下", "google一下": an English verb asked of the bot (X一下 is "do X, please"), no word
# of what is asked
_ENGLISH_VERB = re.compile(r"(?<![a-z])[a-z]+ ?(?=一下)")


def read(index: Index, text: str, bot_username: str = "") -> Question:
    """Everything the stages after this one read of the question, worked out once."""
    normalised = _ENGLISH_VERB.sub("", normalize(text, bot_username))
    analyzer = index.analyzer
    folded = analyzer.fold(normalised, fuzzy=True) if normalised else ""  # (once)
    tokens = analyzer.question_tokens(folded) if normalised else []
    content = [t for t in tokens if t.kind != "stop" and t.text not in index.smalltalk_words]
    if not _CONFIRMING.search(normalised):  # (还是 of "主要还是靠进口对吧" is "still")
        content = _without_alternative(tokens, content)
    focus = read_focus(text, index.clause_words) if CJK.search(normalised) else None
    if focus is not None and focus.several:
        focus = refocus(focus, lambda clause: _names_something(index, clause), index.clause_words)
    if focus is not None and focus.tagged:
        content = _without_tags(index, focus, content)
    lead_in = exempt = chatter = _NONE
    checked_folded, checked_tokens, resembled = folded, tokens, folded
    if focus is not None and focus.several:
        lead_in, exempt, chatter, checked_tokens, resembled = _scene(index, focus, content)
        if exempt:  # what it asks is read without the chatter ("去年我去了趟…", "我老家…")
            checked_folded = resembled
            checked_tokens = analyzer.question_tokens(resembled)
        else:
            checked_tokens, resembled = tokens, folded
    if not exempt and CJK.search(normalised):
        lead_in = _lead_in(folded, tokens, content)
    return Question(
        text=text,
        normalised=normalised,
        folded=folded,
        tokens=tokens,
        content=content,
        names=_capitalised(text),
        lead_in=lead_in,
        features=features(
            index, checked_folded, checked_tokens, content, normalised, lead_in, whole=folded
        )
        if content
        else None,
        focus=focus,
        exempt=exempt,
        chatter=chatter,
        resembled=resembled,
        claimed=claimed_figures(focus, tokens) if focus is not None else english_claimed(text),
        claim_names=_claim_names(index, focus) if focus is not None and focus.is_claim else _NONE,
        claims_maker=focus is not None and focus.is_claim and _maker_claimed(focus),
        listed=listed_set(checked_folded),
    )



def _without_tags(index: Index, focus: Focus, content: list[Token]) -> list[Token]:
    """The content words without those of a confirming tag ("……，原文是这么写的吗"): the tag
    asks whether the clause before it holds, and names nothing to look for."""
    tagged = {
        t.text
        for clause in focus.clauses
        if clause.role == "tag"
        for t in index.analyzer.tokens(clause.text, fuzzy=True)
    }
    if not tagged:
        return content
    others = " ".join(
        index.analyzer.fold(c.text, fuzzy=True) for c in focus.clauses if c.role != "tag"
    )
    return [t for t in content if t.text not in tagged or t.text in others]


def _claim_names(index: Index, focus: Focus) -> frozenset[str]:
    """The names a claim gives after its verb ("北脑二号是清华大学研发的", "首任院长是朱军吗"):
    what it says the thing is or who made it, which the answer's names confirm or correct.
    A word the knowledge never uses counts as a name there (生数科技)."""
    predicate = split_claim(focus.asking_text)[1]
    if not predicate:  # "首个国家技术创新中心落户长三角": the names after the first one
        tokens = index.analyzer.tokens(focus.asking_text, fuzzy=True)
        first = next((i for i, t in enumerate(tokens) if t.kind == "entity"), len(tokens))
        return frozenset(t.text for t in tokens[first + 1 :] if t.kind == "entity")
    tokens = index.analyzer.tokens(predicate, fuzzy=True)
    return frozenset(
        t.text
        for i, t in enumerate(tokens)
        if t.kind == "entity"
        or (
            len(t.text) >= 2
            and t.kind == "word"
            and not index.known(t.text)
            and nounish(t)
            and not (i and tokens[i - 1].kind == "number" and t.text[0] in MEASURE_CHARS)
        )  # (2000|年拿: the figure's measure word glued to the verb is no name)
    )



# 是中科院搞的, 跟百度一起发布的, 由清华研发: who made the thing is what the claim says
_MAKING = re.compile(
    r"(?:做|搞|研发|研制|开发|发布|推出|造|打造|发明|建成?|培育|育成)(?:出来|出)?的|^由"
)


def _maker_claimed(focus: Focus) -> bool:
    """Does the claim say who made its thing? Then the names it gives are makers, which a
    sentence naming no maker leaves open (the verdict says the article does not say)."""
    return _MAKING.search(split_claim(focus.asking_text)[1]) is not None


class _Scene(NamedTuple):
    lead_in: frozenset[str]
    exempt: frozenset[str]
    chatter: frozenset[str]
    asking: list[Token]  # the asking clause's tokens
    kept: str  # the message without its chatter, folded: what reads like an example


def _scene(index: Index, focus: Focus, content: list[Token]) -> _Scene:
    """The words of the clauses around the asking one: they count towards the match at a
    lower weight, and none of them vetoes (a place, a person, a figure of a remark: "我老家保定
    的"), unless the asking clause points back at a place they name (那边有多少高校). Returns
    those words, the ones exempt from vetoing, the ones of remarks and claims (which never
    count against a candidate: "我室友是学农的"), and the asking clause's tokens."""
    analyzer = index.analyzer
    asking = analyzer.tokens(focus.asking_text, fuzzy=True)
    asked = [analyzer.fold(focus.asking_text, fuzzy=True)]
    of = -1  # the clause a bare question asks of ("一区承接三城成果，2023年有多少个")
    if not any(_subject(index, t) for t in asking):
        of = _asked_of(index, focus)
        if of < 0:
            return _Scene(_NONE, _NONE, _NONE, asking, "")  # "……和北大比，哪个更厉害": it
            # asks of them all
    elif _PRONOUN.match(focus.asking_text) and min(focus.asking) > 0:
        before = analyzer.tokens(focus.clauses[min(focus.asking) - 1].text, fuzzy=True)
        named = [t for t in before if t.kind == "entity" and t.text in analyzer.entity_types]
        asking = asking + named  # 转发北脑二号……，它是在哪个活动上发布的: 它 is 北脑二号
        asked.extend(t.text for t in named)
    if of >= 0:
        asking = asking + analyzer.tokens(focus.clauses[of].text, fuzzy=True)
        asked.append(analyzer.fold(focus.clauses[of].text, fuzzy=True))
    types = analyzer.entity_types
    placed = _own_place(index, asking, of >= 0 and focus.clauses[of].role == "claim")
    kept_text: list[str] = []  # clauses of the article's words: they set the scene
    vetoing: list[str] = []  # ...whose names may be what is asked about ("说到上海，…")
    for number, clause in enumerate(focus.clauses):
        if number in focus.asking or number == of or clause.role == "tag":
            continue
        folded = analyzer.fold(clause.text, fuzzy=True)
        words = analyzer.tokens(clause.text, fuzzy=True)
        if clause.role == "ask" and any(_subject(index, t) for t in words):
            asked.append(folded)  # another question ("罗敏是什么学历？在哪读的博士")
            continue
        if clause.role == "ask":
            continue  # a question to the room that names nothing ("家人们谁懂啊"): chatter
        named = [t for t in words if t.kind != "stop"]
        if clause.topical or (
            named
            and all(t.kind == "entity" and _a_name(types, t) for t in named)
            and (
                clause.role != "remark"
                or (not placed and any(_place_or_body(types, t) for t in named))
            )
        ):
            vetoing.append(folded)  # 说到上海，有多少高校; a bare name is the topic too
            # (but not the writer's own: "我是高中生" names no place or body, and in "我山东的，
            # 肥城那个园区……" the asking clause names its own place)
        elif clause.role in ("remark", "claim") or not any(_of_article(index, t) for t in words):
            continue  # about the writer, or nothing of the article: chatter
        elif not any(t.text in types for t in words):
            vetoing.append(folded)
        kept_text.append(clause.text)
    kept_folded_clauses = [analyzer.fold(text, fuzzy=True) for text in kept_text]
    scene: set[str] = set()
    exempt: set[str] = set()
    chatter: set[str] = set()
    for token in content:
        word = token.text
        if any(word in text for text in asked):
            continue
        scene.add(word)
        if focus.deictic and (types.get(word) == "place" or token.pos == "ns") and not placed:
            continue  # 那边有多少高校: the place the remark named is asked about (not when
            # the asking clause names its own: 我们这的滨海—中关村科技园)
        if not any(word in text for text in kept_folded_clauses):
            exempt.add(word)
            chatter.add(word)  # (a word of no clause kept: the segmenter joined across one)
        elif not (is_key_term(index, token) and any(word in text for text in vetoing)):
            exempt.add(word)
    kept_text.append(focus.asking_text)
    kept_folded = analyzer.fold(" ".join(kept_text), fuzzy=True)
    return _Scene(frozenset(scene), frozenset(exempt), frozenset(chatter), asking, kept_folded)


def _own_place(index: Index, asking: list[Token], reported: bool) -> bool:
    """Does the asking clause name its own place, or a thing of the article's that has one (a
    curated name), or ask of what the writer read it says (我在新加坡，看到说一区承接三城成果，
    有多少个)? A remark's place then is only where the writer is; else it is what is asked of
    ("我在上海，有多少高校")."""
    types = index.analyzer.entity_types
    return reported or any(_place_or_body(types, t) or t.text in types for t in asking)


_PRONOUN = re.compile(r"\s*(?:它|它们|其)")


def _asked_of(index: Index, focus: Focus) -> int:
    """The clause just before a question that names nothing, when it names a thing of the
    article and is no remark of the writer's: what the question asks of. -1 if none is."""
    first = min(focus.asking)
    if first == 0:
        return -1
    clause = focus.clauses[first - 1]
    if clause.role in ("remark", "tag", "ask") or not _names_something(index, clause.text):
        return -1
    if first - 1 == 0:
        return -1  # nothing else around them: the two are asked together, as before
    return first - 1


def _a_name(types: dict[str, str], token: Token) -> bool:
    """A name a clause may be about: a curated one, or a place, body or thing the tagger
    knows (not its guess that an unknown word is a person's name: 宝宝, 高中生)."""
    return token.text in types or token.pos != "nr"


def _place_or_body(types: dict[str, str], token: Token) -> bool:
    return types.get(token.text) in ("place", "org") or token.pos in ("ns", "nt")


def _names_something(index: Index, clause: str) -> bool:
    """Can a clause stand alone as the question: does it name a thing of its own?"""
    return any(_subject(index, t) for t in index.analyzer.tokens(clause, fuzzy=True))


def _of_article(index: Index, token: Token) -> bool:
    """A word that ties a clause to the article: a name or a word of it that it uses."""
    return anchors(index, token) and index.known(token.text)


def _subject(index: Index, token: Token) -> bool:
    """A word that lets the asking clause stand alone: a name, or a noun of two characters or
    more that is no mere frame of a question (视频, 科研人员, 生产成本; not 哪个, 厉害)."""
    return token.kind == "entity" or (
        token.kind == "word" and len(token.text) >= 2 and nounish(token) and index.known(token.text)
    )



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
def _lead_in(folded: str, tokens: list[Token], content: list[Token]) -> frozenset[str]:
    """In a question of several clauses ("我对京津冀很感兴趣，科技部有位负责人谈到…，具体是从
    什么关系转向什么关系？"), the words of the lead-in set the scene: they count towards the
    match, but a word the article never uses there vetoes nothing. Names and figures always
    count in full, wherever they stand. Returns the lead-in's words."""
    clauses = folded.split(" ")
    if len(clauses) < 2 or len(folded) < 16:
        return frozenset()
    asking = max(
        (number for number, clause in enumerate(clauses) if INTERROGATIVE.search(clause)),
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


