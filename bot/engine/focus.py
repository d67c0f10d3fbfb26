"""Which clause of a message asks.

Telegram messages wrap the question in chat: a greeting, a remark about the writer, a claim
after it ("早上刷到这篇😂 我老家保定的，想问下那个手术机器人做了多少例手术？我朋友说上千了").
Coverage is judged on the clause that asks; the places, people and figures of the remarks set
the scene and must not veto the answer, and a figure someone claims is checked, not required.

The word lists that tell a remark from a claim (我, 朋友 / 听说, 好像 / 对吗, 没错吧) are data:
knowledge/language.yaml, `clauses:`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from bot.engine.normalize import normalize

Role = Literal["ask", "tag", "claim", "remark", "scene"]

# Where a clause ends: sentence and clause punctuation, emoji and other pictographs, a line break,
# and a space that touches a Chinese character (a space between English words is no boundary).
_BOUNDARY = re.compile(
    r"[，,。！!？?；;：:～~\n\r]+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]+"
    r"|(?<=[^\x00-\x7f])[ \t\u3000]+(?=[^\x00-\x7f])"  # (a space beside a Latin word
    # only spaces words: "肥城 lithium industry 的 goal")
)
_MARKED = re.compile(r"[?？]")
# Words that make a clause ask (not a bare question mark: "好像是三百多？" is a guess).
_ASKING = re.compile(
    r"吗|呢|什么|啥|多少|几|哪|谁|怎|咋|干嘛|为何|为什么|如何|是否|是不是|有没有|能不能|多长|多久|多大"
    r"|\b(?:how|what|who|when|where|why|which|whose)\b"
)
_YES_NO = re.compile(
    r"(?:吗|嘛|吧|(?<![什怎这那多])么)$|是否|是不是|有没有|能不能|会不会|可不可以|对不对|对吧|对吗|是吗|没错吧"
)
# A question asked inside "do you know": 知道……多少……吗, 清楚……是谁吗.
_EMBEDDED = re.compile(
    r"(?:知道|清楚|了解|告诉我|说说|讲讲)[^吗]*?(?:什么|啥|多少|几|哪|谁|怎|咋|多长|多久|多大)"
)
_PARTICLES = re.compile(r"[啊呀呢吧哈啦嘛哦噢]+$")


@dataclass(frozen=True)
class ClauseWords:
    """The curated word lists a clause's role is read from."""

    remark: frozenset[str] = frozenset()  # the writer and their people: 我, 朋友, 同事
    claim: frozenset[str] = frozenset()  # reported or guessed: 听说, 好像, 记得, 我猜
    tags: frozenset[str] = frozenset()  # a whole clause that asks to confirm: 对吗, 没错吧
    deixis: frozenset[str] = frozenset()  # the asking clause points back at a place: 那边
    topic: frozenset[str] = frozenset()  # a clause names what is asked about: 说到上海
    audience: frozenset[str] = frozenset()  # a question to the room, not the bot: 有人懂吗


@dataclass(frozen=True)
class Clause:
    text: str  # normalised
    role: Role
    marked: bool = False  # ended with a question mark
    topical: bool = False  # names what the question is about (说到上海，……)


@dataclass(frozen=True)
class Focus:
    """A message read as clauses, with the one that asks picked out."""

    clauses: tuple[Clause, ...]
    asking: tuple[int, ...]  # index of the asking clause (a tuple: one day perhaps a run)
    tagged: bool = False  # a confirming tag follows the asking clause (……，对吗)
    deictic: bool = False  # the asking clause points back at a place named before it
    claims: tuple[str, ...] = field(default=())  # texts of the clauses that claim something

    @property
    def several(self) -> bool:
        """More than one clause besides confirming tags: only then is there a focus to find."""
        return sum(c.role != "tag" for c in self.clauses) > 1

    @property
    def asking_text(self) -> str:
        return " ".join(self.clauses[i].text for i in self.asking)

    @property
    def lead_in(self) -> tuple[str, ...]:
        """Texts of every clause but the asking one and the tags."""
        return tuple(
            c.text for i, c in enumerate(self.clauses) if i not in self.asking and c.role != "tag"
        )

    @cached_property
    def is_claim(self) -> bool:
        """Does the asking clause state something to confirm rather than ask for a thing: a
        yes/no question, a statement, or a clause followed by 对吗?"""
        if not self.clauses:
            return False
        text = self.clauses[self.asking[-1]].text
        if _EMBEDDED.search(text):
            return False  # 有人知道……有多少……吗: the 吗 asks whether one knows what it asks
        return self.tagged or _YES_NO.search(text) is not None or _ASKING.search(text) is None


def split_clauses(question: str) -> list[str]:
    """The message's clauses, as typed, empty ones dropped."""
    return [part.strip() for part in _BOUNDARY.split(question) if part and part.strip()]


def read_focus(question: str, words: ClauseWords) -> Focus:
    """Split a message into clauses, give each a role, and pick the clause that asks: the last
    one with a question word; else the one a confirming tag follows; else the last one ending
    in a question mark; else the last (a statement to check: "Vidu能生成30秒的视频")."""
    clauses: list[Clause] = []
    for part in split_clauses(question):
        text = normalize(part)
        if not text:
            continue
        marked = _MARKED.search(question[question.find(part) + len(part) :][:2]) is not None
        topical = any(word in text for word in words.topic)
        clauses.append(Clause(text, _role(text, words), marked, topical))
    if not clauses:
        return Focus((), ())
    asking = next((i for i in range(len(clauses) - 1, -1, -1) if clauses[i].role == "ask"), None)
    tagged = False
    if asking is None:
        tag = next((i for i, c in enumerate(clauses) if c.role == "tag" and i > 0), None)
        if tag is not None:
            asking, tagged = tag - 1, True
    if asking is None:
        marked = [i for i, c in enumerate(clauses) if c.marked and c.role != "tag"]
        untagged = [i for i, c in enumerate(clauses) if c.role != "tag"]
        asking = marked[-1] if marked else (untagged[-1] if untagged else len(clauses) - 1)
    elif asking + 1 < len(clauses) and clauses[asking + 1].role == "tag":
        tagged = True
    return _focused(clauses, asking, tagged, words)


def refocus(focus: Focus, stands_alone: Callable[[str], bool], words: ClauseWords) -> Focus:
    """When the clause that asks names nothing and asks the room ("有人懂吗", "谁家这么牛",
    "文章里怎么说的" after the real question; the words are `audience`), the last clause before
    it that asks, or ends with a question mark, and names something, is the one that asks; the
    other is chat."""
    asking = focus.asking_text
    if not focus.clauses or stands_alone(asking) or not any(w in asking for w in words.audience):
        return focus
    for i in range(focus.asking[-1] - 1, -1, -1):
        clause = focus.clauses[i]
        if (clause.role == "ask" or clause.marked) and stands_alone(clause.text):
            tagged = i + 1 < len(focus.clauses) and focus.clauses[i + 1].role == "tag"
            return _focused(list(focus.clauses), i, tagged, words, chat_after=True)
    return focus


def _focused(
    clauses: list[Clause], asking: int, tagged: bool, words: ClauseWords, chat_after: bool = False
) -> Focus:
    span = (asking,)
    text = " ".join(clauses[i].text for i in span)
    claims = tuple(
        c.text
        for i, c in enumerate(clauses)
        if i not in span
        and c.role != "tag"
        and (c.role == "claim" or (i > asking and not (chat_after and c.role == "ask")))
    )
    return Focus(
        tuple(clauses),
        span,
        tagged,
        _points_back(text, words.deixis),
        claims,
    )


def _points_back(text: str, deixis: frozenset[str]) -> bool:
    """Does the asking clause point back at a place (那边, 他们那)? Not 他们那个 / 那里的那种:
    there 那 begins a determiner of a thing (他们那个战略目标)."""
    for word in deixis:
        at = text.find(word)
        while at >= 0:
            if text[at + len(word) : at + len(word) + 1] not in _DETERMINED:
                return True
            at = text.find(word, at + 1)
    return False


_DETERMINED = frozenset("个些种款家位份项")
_SOURCE = re.compile(r"^(?:文章|文中|原文|报道|新闻|上面)里?(?:面)?")  # 文章里|是这么说的吗
_ARTICLE_SAYS = re.compile(r"(?:文章|文中|报道|原文|新闻|作者)里?(?:说|提到|讲)")


def _role(text: str, words: ClauseWords) -> Role:
    bare = _PARTICLES.sub("", text.replace(" ", ""))
    if bare in words.tags or text in words.tags or _SOURCE.sub("", bare) in words.tags:
        return "tag"
    said = _ARTICLE_SAYS.sub("", text)  # what the article says is no one's claim
    if any(word in said for word in words.claim):
        return "claim" if _ASKING.search(text) is None else "ask"
    if _ASKING.search(text):
        return "ask"
    if any(word in text for word in words.remark):
        return "remark"
    return "scene"
