"""Everything the bot says, as Telegram HTML plus buttons.

Every piece of article and user text goes through ``html.escape``, so a ``<`` in a quote
can never break parse mode. Long texts are trimmed here, at a sentence boundary, with the
source line kept: Telegram rejects a message over 4096 characters outright, and a quote
without its source would defeat the point of the bot.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import MessageLimit, ParseMode

from bot.engine.engine import Engine
from bot.engine.reply import Reply
from bot.kb.store import Intent
from bot.telegram.callbacks import Action, KeyCodec, deep_link

SLOW_DOWN = "你问得太快了，请稍等一分钟再问。"
APOLOGY = "抱歉，出了点问题，请稍后再试。"
STALE_BUTTON = "这个按钮已过期，请重新提问。"
UNKNOWN_COMMAND = "我不认识这个命令。发送 /help 看看我能做什么。"
EXPIRED_LINK = "这个链接指向的内容已经不在了，你可以直接提问。"
NO_RELATED = "没有找到相关的内容。"
VOTED_UP = "谢谢！已记下：这个回答有帮助。"
VOTED_DOWN = "谢谢反馈！已记下：这个回答不够好。"
INLINE_HINT = "输入关于文章的问题，或点这里私聊提问"
INLINE_SLOW_DOWN = "你问得太快了，请稍等一分钟再问"
INLINE_NOTHING = "文章里没有找到答案，点这里私聊提问"
CONTINUE_IN_PRIVATE = "私聊继续问"
ELLIPSIS = "……"
SOURCE_PREFIX = "来源："
INLINE_START_PAYLOAD = "inline"

_SENTENCE_END = "。！？!?；;…"
_CLAUSE_END = "，,、：:"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
RENDERED_KEPT = 4096  # rendered replies remembered


@dataclass(frozen=True)
class Rendered:
    """One message: HTML text and an optional inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def _keyboard(markup: InlineKeyboardMarkup | None) -> object:
    return markup.to_dict() if markup is not None and markup.inline_keyboard else None


def shows(current: object, rendered: Rendered) -> bool:
    """Whether ``current`` - a message as Telegram has it, or what the bot last put into it -
    already shows ``rendered``. Telegram refuses an edit that changes nothing ("message is
    not modified"), so such an edit is never sent. Escaping is compared unescaped: PTB and
    this module escape quotes differently."""
    if isinstance(current, Rendered):
        return current.text == rendered.text and _keyboard(current.markup) == _keyboard(
            rendered.markup
        )
    if not isinstance(current, Message) or current.text is None:
        return False
    same_text = html.unescape(current.text_html) == html.unescape(rendered.text).strip()
    return same_text and _keyboard(current.reply_markup) == _keyboard(rendered.markup)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def cut_at_sentence(text: str, room: int) -> str:
    """``text`` cut to at most ``room`` characters, ellipsis included, at the last sentence end
    that fits (else the last clause end, else anywhere); "" if not even that fits."""
    if len(text) <= room:
        return text
    limit = room - len(ELLIPSIS)
    if limit <= 0:
        return ""
    head = text[:limit]
    for ends in (_SENTENCE_END, _CLAUSE_END):
        at = max(head.rfind(mark) for mark in ends)
        if at >= limit // 3:
            return head[: at + 1] + ELLIPSIS
    return head + ELLIPSIS


@dataclass(frozen=True)
class _Block:
    """One line of a message: its plain text and how it is marked up."""

    plain: str
    style: str = ""  # "", "b" or "blockquote"

    def html(self) -> str:
        body = esc(self.plain)
        return f"<{self.style}>{body}</{self.style}>" if self.style else body


def _assemble(blocks: Sequence[_Block]) -> str:
    return "\n".join(block.html() for block in blocks)


def _plain_len(blocks: Sequence[_Block]) -> int:
    return sum(len(b.plain) for b in blocks) + max(len(blocks) - 1, 0)


def fit(head: list[_Block], sections: list[tuple[str, str]], budget: int) -> list[_Block]:
    """``head`` then (quote, source line) sections, as many as fit in ``budget`` plain
    characters; the last one that does not fit whole is cut at a sentence boundary, and
    every quote shown keeps its source line."""
    blocks = list(head)
    for index, (quote, source) in enumerate(sections):
        fixed = len(source) + 2  # the two line breaks before the quote and the source
        room = budget - _plain_len(blocks) - fixed
        shown = quote if len(quote) <= room else cut_at_sentence(quote, room)
        if shown:
            blocks += [_Block(shown, "blockquote"), _Block(source)]
        elif index == 0:
            blocks.append(_Block(source))  # no room for any quote: the source still stands
        if shown != quote:
            break
    return blocks


class Renderer:
    """Turns engine replies and bot texts into messages. One per application.

    It reads what it shows from the replies it is given (their keys, their suggestions'
    keys) and, at start, the article's description; it never calls into the engine."""

    def __init__(self, engine: Engine, codec: KeyCodec, max_chars: int) -> None:
        self.codec = codec
        self.budget = min(max_chars, MessageLimit.MAX_TEXT_LENGTH)
        knowledge = engine.knowledge
        self._main_article = knowledge.main_article
        self._fact_count = len(knowledge.facts)
        self._rendered: dict[tuple[Reply, bool], Rendered] = {}
        daily = engine.daily_intents() or list(knowledge.intents)
        self.examples = [(i.examples[0], i.id) for i in daily if i.examples][:3]

    # ------------------------------------------------------------------ answers

    def key_of(self, reply: Reply) -> str | None:
        """The knowledge key an answer stands for (its buttons and deep link carry it)."""
        return reply.key if reply.kind == "answer" else None

    def _suggestion_key(self, reply: Reply, position: int) -> str | None:
        keys = reply.suggestion_keys
        key = keys[position] if position < len(keys) else None
        return key if key is not None and key in self.codec else None

    def _lead(self, lead: str) -> _Block:
        return _Block(cut_at_sentence(lead, self.budget // 2))

    def reply(self, reply: Reply, *, buttons: bool = True) -> Rendered:
        """An engine reply: lead, each quote as a blockquote with its source line; answers
        get 原文/相关/👍/👎 buttons, suggestions become buttons answered in place.

        The last ``RENDERED_KEPT`` distinct replies rendered are kept: the same questions
        keep coming, their replies come from the asker's cache, and a message does not
        change once built."""
        key = (reply, buttons)
        try:
            rendered = self._rendered.get(key)
        except TypeError:  # a reply with an unhashable field: rendered afresh every time
            return self._reply(reply, buttons)
        if rendered is None:
            rendered = self._rendered[key] = self._reply(reply, buttons)
            if len(self._rendered) > RENDERED_KEPT:
                del self._rendered[next(iter(self._rendered))]  # the oldest
        return rendered

    def _reply(self, reply: Reply, buttons: bool) -> Rendered:
        blocks = [self._lead(reply.lead)]
        sections = [(s.quote, SOURCE_PREFIX + s.locator) for s in reply.sources]
        rows: list[list[InlineKeyboardButton]] = []
        listed: list[str] = []
        for position, question in enumerate(reply.suggestions):
            key = self._suggestion_key(reply, position)
            if key is None or not buttons:
                listed.append(question)
            else:
                rows.append([self._button(question, Action.SUGGEST, key)])
        blocks += [_Block(f"· {q}") for q in listed]
        blocks = fit(blocks, sections, self.budget)
        key = self.key_of(reply)
        if buttons and key is not None:
            rows = self._answer_rows(key, reply.related) + rows
        return Rendered(_assemble(blocks), InlineKeyboardMarkup(rows) if rows else None)

    def _answer_rows(self, key: str, related: bool) -> list[list[InlineKeyboardButton]]:
        first = [self._button("原文", Action.ORIGINAL, key)]
        if related:
            first.append(self._button("相关", Action.RELATED, key))
        return [first, [self._button("👍", Action.UP, key), self._button("👎", Action.DOWN, key)]]

    def _button(self, label: str, action: Action, key: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=self.codec.encode(action, key))

    def original(self, paragraphs: Sequence[tuple[str, str]]) -> Rendered | None:
        """The whole paragraphs an answer's quotes come from, each with its locator (the 原文
        button); None when there are none (a key that no longer exists)."""
        sections = [(text, SOURCE_PREFIX + where) for text, where in paragraphs]
        if not sections:
            return None
        return Rendered(_assemble(fit([_Block("原文", "b")], sections, self.budget)))

    def related(self, intents: Sequence[Intent]) -> Rendered | None:
        """Up to three related facts, each with a button for its full answer and source."""
        if not intents:
            return None
        blocks = [_Block("相关内容", "b")]
        rows = []
        for intent in intents:
            label = intent.title or (intent.examples[0] if intent.examples else intent.id)
            blocks.append(_Block(f"· {label}：{intent.answer}"))
            rows.append([self._button(label, Action.ANSWER, intent.id)])
        text = _assemble(fit(blocks, [], self.budget))
        return Rendered(text, InlineKeyboardMarkup(rows))

    # ------------------------------------------------------------------ inline mode

    def inline_results(
        self, replies: Sequence[Reply], bot_username: str
    ) -> list[InlineQueryResultArticle]:
        """Articles for inline mode: title = answer line, description = the quote."""
        results = []
        for reply in replies:
            key = self.key_of(reply)
            rendered = self.reply(reply, buttons=False)
            markup = None
            if key is not None and bot_username:
                link = InlineKeyboardButton(CONTINUE_IN_PRIVATE, url=deep_link(bot_username, key))
                markup = InlineKeyboardMarkup([[link]])
            seed = " ".join(reply.keys) or reply.lead  # (a merged answer: all its keys)
            ident = hashlib.sha1(seed.encode("utf-8")).hexdigest()[:32]
            results.append(
                InlineQueryResultArticle(
                    id=ident,
                    title=reply.lead,
                    description=reply.sources[0].quote if reply.sources else None,
                    input_message_content=InputTextMessageContent(
                        rendered.text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                    ),
                    reply_markup=markup,
                )
            )
        return results

    # ------------------------------------------------------------------ commands

    def _article(self) -> dict[str, str]:
        article = self._main_article
        meta = article.meta

        def field(name: str) -> str:
            value = meta.get(name, "")
            value = value if isinstance(value, str) else "、".join(value)
            return re.sub(r"^[^\w《“\"(（]+", "", value).strip()

        return {
            "title": article.title,
            "subtitle": field("subtitle"),
            "column": field("column"),
            "byline": field("byline"),
        }

    def example_question(self) -> str:
        return self.examples[0][0] if self.examples else "这篇文章讲了什么？"

    def welcome(
        self, first_name: str, bot_username: str, chat_type: str, note: str = ""
    ) -> Rendered:
        """/start: who the bot is, what it knows, and three example questions as buttons."""
        article = self._article()
        lines = []
        if note:
            lines.append(esc(note))
            lines.append("")
        greeting = f"你好，{first_name}！" if first_name else "你好！"
        lines.append(esc(f"{greeting}我能回答关于《{article['title']}》这篇文章的问题。"))
        if article["subtitle"]:
            lines.append(esc(f"文章副题：{article['subtitle']}"))
        lines.append(
            esc(
                f"我知道文章里的 {self._fact_count} 条事实，"
                "只根据这篇文章作答，每个回答都附上原文引用和出处（第几段）；文章没写的，我不会编。"
            )
        )
        if chat_type == "private":
            lines.append("直接把问题发给我，或者点下面的例子试试：")
        else:
            lines.append(
                esc(f"在群里请用 /ask 加问题、@{bot_username} 加问题，或者回复我的消息来提问。")
                + "也可以点下面的例子："
            )
        rows = [[self._button(q, Action.ANSWER, key)] for q, key in self.examples]
        return Rendered("\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)

    def help(self, bot_username: str) -> Rendered:
        example = esc(self.example_question())
        bot = esc(f"@{bot_username}")
        text = "\n".join(
            [
                "<b>怎么提问</b>",
                f"· 私聊：直接发问题，例如：{example}",
                f"· 群里：/ask 问题、{bot} 问题，或者回复我的消息",
                f"· 任何聊天里：输入 {bot} 加问题，选一个答案发出去",
                "",
                "<b>回答下面的按钮</b>",
                "· 原文：看引文所在的整段原文",
                "· 相关：看看相关的事实",
                "· 👍 / 👎：告诉我回答得好不好",
                "",
                "<b>命令</b>",
                "/start 开始",
                "/ask 提问（在群里用）",
                "/fact 随机看一条文章里的事实",
                "/about 关于这篇文章和我",
                "/help 显示这条帮助",
            ]
        )
        return Rendered(text)

    def about(self) -> Rendered:
        article = self._article()
        lines = ["<b>关于这篇文章</b>", esc(f"标题：《{article['title']}》")]
        for label, name in (("副题", "subtitle"), ("栏目", "column"), ("作者", "byline")):
            if article[name]:
                lines.append(esc(f"{label}：{article[name]}"))
        lines += [
            "",
            "<b>我能做什么</b>",
            "回答关于这篇文章内容的中文问题，每个回答都引用原文、注明出处（第几段）。",
            "",
            "<b>我不能做什么</b>",
            "回答文章以外的问题、提供文章发表以后的新消息，或者发表观点。"
            "文章里没写的，我会直说不知道，不会编。",
        ]
        return Rendered("\n".join(lines))

    def empty_question(self, bot_username: str, via: str) -> Rendered:
        """The hint for ``/ask`` or an @mention with no question after it."""
        example = self.example_question()
        if via == "ask":
            text = f"请在 /ask 后面写上问题，例如：/ask {example}"
        elif via == "private":
            text = f"直接把问题发给我就行，例如：{example}"
        else:
            text = f"请在 @{bot_username} 后面写上问题，例如：@{bot_username} {example}"
        return Rendered(esc(text))

    @staticmethod
    def notice(text: str) -> Rendered:
        return Rendered(esc(text))
