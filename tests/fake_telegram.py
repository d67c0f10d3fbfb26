"""A fake Telegram Bot API server for end-to-end tests.

It speaks the real wire protocol over HTTP on 127.0.0.1, so the production
python-telegram-bot ``Application`` can be pointed at it with ``base_url=fake.base_url``
and exercised without mocking anything. It enforces the limits real Telegram enforces
(text length, HTML validity, button data size, flood limits, ...) so that a bug which would
fail in production also fails here, and it can inject the failures Telegram produces
(429 flood waits, group migrations, blocked users, dropped connections, slow replies).

Typical use::

    with FakeTelegram() as fake:
        app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
        ...  # start the app, then:
        alice = fake.user(1001, "Alice")
        fake.push_update(fake.message_update(1001, alice, "/start"))
        call = await fake.async_wait_for("sendMessage")
        assert call.result["text"] == "Hello!"

Builders (``message_update`` & co.) change the fake's world at once (they create chats and
store messages so later replies can point at them); ``push_update`` queues the update for
``getUpdates``. Deliberate differences from Telegram are listed in ``TelegramHtml`` and
``BotApi`` docstrings.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import email.policy
import itertools
import json
import math
import re
import select
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200

CHAT_TYPES = ("private", "group", "supergroup", "channel")
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
# Update types Telegram only sends when they are asked for explicitly in allowed_updates.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Users Telegram itself puts into ``from`` for messages not sent by a person.
TELEGRAM_SERVICE_USER: JSON = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
GROUP_ANONYMOUS_BOT: JSON = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT: JSON = {
    "id": 136817688,
    "is_bot": True,
    "first_name": "Channel",
    "username": "Channel_Bot",
}

QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a content and reply markup of the current message"
)
MIGRATED = "group chat was upgraded to a supergroup chat"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _now() -> int:
    return int(time.time())


def _entity_order(entity: JSON) -> tuple[int, int]:
    """Telegram lists entities by offset, enclosing (longer) entities first."""
    return entity["offset"], -entity["length"]


# --------------------------------------------------------------------------------------------
# Errors and records
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A Bot API failure; becomes ``{"ok": false, ...}`` with ``error_code`` as HTTP status."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def flood_wait(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


class _ClientGone(Exception):
    """The client closed the connection while we were waiting (a cancelled long poll)."""


@dataclass
class Call:
    """One Bot API request as the fake saw it.

    ``params`` are decoded (JSON-encoded form values become Python objects); ``result`` is
    what was returned on success; ``http_status`` is None when no reply was sent (an injected
    connection reset, or the client hung up first).
    """

    method: str
    params: JSON
    time: float
    http_status: int | None
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.http_status == 200


@dataclass
class _Fault:
    """A failure armed by ``FakeTelegram.fail_next`` for the next matching calls."""

    method: str  # lower-case method name, or "*" for any method
    chat_id: int | str | None
    times: int
    kind: str  # "error", "reset" or "delay"
    error: ApiError | None
    delay: float

    def matches(self, method: str, params: JSON) -> bool:
        if self.method not in ("*", method.lower()):
            return False
        return self.chat_id is None or _chat_ref(params.get("chat_id")) == self.chat_id


def _chat_ref(value: Any) -> int | str | None:
    """Normalises a chat_id parameter: numeric strings become ints, "@name" stays a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
        return value
    return None


def number(params: JSON, name: str, default: float = 0, kind: type = int) -> Any:
    """Reads a numeric parameter; a malformed one is the client's fault (400), not ours."""
    value = params.get(name)
    if value is None or value == "":
        return kind(default)
    if isinstance(value, bool):
        raise bad_request(f"wrong parameter {name} in request")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise bad_request(f"wrong parameter {name} in request") from None


# --------------------------------------------------------------------------------------------
# Request decoding
# --------------------------------------------------------------------------------------------

# Parameters whose form value is a plain string even when it looks like JSON ("123", "[x]").
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "query",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "language_code",
        "next_offset",
        "action",
        "title",
        "description",
        "short_description",
        "name",
        "business_connection_id",
        "message_effect_id",
        "switch_pm_text",
        "switch_pm_parameter",
        "emoji",
        "custom_title",
        "first_name",
        "last_name",
        "phone_number",
        "address",
        "question",
        "explanation",
        "payload",
        "currency",
        "start_parameter",
        "file_id",
        "photo",
        "document",
        "audio",
        "video",
        "animation",
        "voice",
        "video_note",
        "sticker",
        "thumbnail",
    }
)


def _decode_value(name: str, raw: str) -> Any:
    """PTB sends strings verbatim and everything else JSON-encoded; undo the latter."""
    if name in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def decode_params(content_type: str, body: bytes, query: str) -> JSON:
    """Decodes query string plus form-encoded, multipart or JSON body into one dict."""
    params: JSON = {k: _decode_value(k, v) for k, v in parse_qsl(query, keep_blank_values=True)}
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        params.update(data)
    elif kind == "multipart/form-data":
        params.update(_decode_multipart(content_type, body))
    elif body:
        text = body.decode("utf-8")
        params.update({k: _decode_value(k, v) for k, v in parse_qsl(text, keep_blank_values=True)})
    return params


def _decode_multipart(content_type: str, body: bytes) -> JSON:
    """Parses multipart/form-data with the email package; files are summarised, not kept."""
    header = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    params: JSON = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            params[name] = {
                "filename": filename,
                "content_type": part.get_content_type(),
                "size": len(payload),
            }
        else:
            params[name] = _decode_value(name, payload.decode("utf-8", "replace"))
    return params


# --------------------------------------------------------------------------------------------
# Text formatting: HTML parse mode and automatically detected entities
# --------------------------------------------------------------------------------------------


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the plain text where the tag's content begins
    argument: str = ""  # href, code language, span class, custom emoji id or "expandable"


class TelegramHtml:
    """Turns Bot API HTML into plain text plus entities, rejecting what Telegram rejects.

    It follows Telegram's own parser rather than a browser's: only Telegram's tags, strictly
    balanced and nested, per-tag attribute rules, and error texts that quote UTF-8 byte
    offsets the way Telegram does. One deliberate extra strictness: a bare ``&`` or an unknown
    named entity (``&nbsp;``) is rejected, as the Bot API docs demand, whereas Telegram
    tolerates it; an unescaped ``&`` in a bot's output means user text went in unescaped,
    and the next ``<`` in such text would fail for real.
    """

    TAG_TYPES: ClassVar[dict[str, str]] = {
        "b": "bold",
        "strong": "bold",
        "i": "italic",
        "em": "italic",
        "u": "underline",
        "ins": "underline",
        "s": "strikethrough",
        "strike": "strikethrough",
        "del": "strikethrough",
        "span": "spoiler",
        "tg-spoiler": "spoiler",
        "a": "text_link",
        "code": "code",
        "pre": "pre",
        "blockquote": "blockquote",
        "tg-emoji": "custom_emoji",
    }
    NAMED_ENTITIES: ClassVar[dict[str, str]] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
    _ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z]+));")
    _PLAIN_RUN = re.compile(r"[^&<]+")
    _NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.chars: list[str] = []
        self.units = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSON] = []

    @classmethod
    def parse(cls, source: str) -> tuple[str, list[JSON]]:
        """Returns (plain text, entities) or raises ApiError("can't parse entities: ...")."""
        parser = cls(source)
        parser._run()
        return "".join(parser.chars), sorted(parser.entities, key=_entity_order)

    def _run(self) -> None:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "&":
                decoded = self._decode_entity(self.pos)
                if decoded is None:
                    raise self._error(
                        f'Unescaped "&" or unsupported HTML entity at byte offset '
                        f"{self._offset(self.pos)}; use &amp;"
                    )
                self._emit(decoded[0])
                self.pos = decoded[1]
            elif char == "<":
                if self.src.startswith("</", self.pos):
                    self._end_tag()
                else:
                    self._start_tag()
            else:
                run = self._PLAIN_RUN.match(self.src, self.pos)
                assert run is not None
                self._emit(run.group())
                self.pos = run.end()
        if self.stack:
            raise self._error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )

    def _error(self, detail: str) -> ApiError:
        return bad_request(f"can't parse entities: {detail}")

    def _offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def _emit(self, text: str) -> None:
        self.chars.append(text)
        self.units += utf16_len(text)

    def _skip_spaces(self, index: int) -> int:
        while index < len(self.src) and self.src[index] in " \t\r\n":
            index += 1
        return index

    def _decode_entity(self, index: int) -> tuple[str, int] | None:
        match = self._ENTITY.match(self.src, index)
        if match is None:
            return None
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            char = self.NAMED_ENTITIES.get(name)
            return None if char is None else (char, match.end())
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), match.end()

    def _start_tag(self) -> None:
        src, begin = self.src, self.pos
        unclosed = self._error(f"Unclosed start tag at byte offset {self._offset(begin)}")
        i = begin + 1
        while i < len(src) and src[i] not in " \t\r\n>":
            i += 1
        if i >= len(src):
            raise unclosed
        name = src[begin + 1 : i].lower()
        if name not in self.TAG_TYPES:
            raise self._error(
                f'Unsupported start tag "{name}" at byte offset {self._offset(begin)}'
            )
        argument = ""
        while True:
            i = self._skip_spaces(i)
            if i >= len(src):
                raise unclosed
            if src[i] == ">":
                break
            attr_begin = i
            while i < len(src) and src[i] not in " \t\r\n=>":
                i += 1
            attribute = src[attr_begin:i].lower()
            if not attribute:
                raise self._error(
                    f'Empty attribute name in the tag "{name}" at byte offset {self._offset(begin)}'
                )
            i = self._skip_spaces(i)
            if i >= len(src) or src[i] != "=":
                if name == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                    continue
                raise self._error(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {self._offset(begin)}"
                )
            i = self._skip_spaces(i + 1)
            if i >= len(src):
                raise unclosed
            value, i = self._attribute_value(i, unclosed)
            argument = self._tag_argument(name, attribute, value, argument)
        self.pos = i + 1
        if name == "span" and argument != "tg-spoiler":
            raise self._error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._offset(begin)}'
            )
        if name == "tg-emoji" and not argument.isdigit():
            raise self._error(
                f'Tag "tg-emoji" must have a numeric "emoji-id" at byte offset '
                f"{self._offset(begin)}"
            )
        self.stack.append(_OpenTag(name, self.units, argument))

    def _attribute_value(self, i: int, unclosed: ApiError) -> tuple[str, int]:
        """Reads a quoted string or a bare name token; returns (value, index after it)."""
        src = self.src
        quote = src[i]
        if quote in "\"'":
            chars: list[str] = []
            i += 1
            while i < len(src) and src[i] != quote:
                decoded = self._decode_entity(i) if src[i] == "&" else None
                if decoded is None:  # Telegram keeps a bare "&" in attributes (query strings)
                    chars.append(src[i])
                    i += 1
                else:
                    chars.append(decoded[0])
                    i = decoded[1]
            if i >= len(src):
                raise unclosed
            return "".join(chars), i + 1
        token = self._NAME_TOKEN.match(src, i)
        assert token is not None
        end = token.end()
        if end >= len(src):
            raise unclosed
        if src[end] not in " \t\r\n>":
            raise self._error(f"Unexpected end of name token at byte offset {self._offset(end)}")
        return token.group(), end

    @staticmethod
    def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
        if tag == "a" and attribute == "href":
            return value
        if tag == "code" and attribute == "class" and value.startswith("language-"):
            return value.removeprefix("language-")
        if (tag, attribute) in (("span", "class"), ("tg-emoji", "emoji-id")):
            return value
        return current  # Telegram ignores attributes it does not know

    def _end_tag(self) -> None:
        src, begin = self.src, self.pos
        if not self.stack:
            raise self._error(f"Unexpected end tag at byte offset {self._offset(begin)}")
        i = begin + 2
        while i < len(src) and src[i] not in " \t\r\n>":
            i += 1
        name = src[begin + 2 : i].lower()
        i = self._skip_spaces(i)
        if i >= len(src) or src[i] != ">":
            raise self._error(f"Unclosed end tag at byte offset {self._offset(begin)}")
        tag = self.stack.pop()
        if name and name != tag.name:
            raise self._error(
                f"Unmatched end tag at byte offset {self._offset(begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.pos = i + 1
        self._close(tag)

    def _close(self, tag: _OpenTag) -> None:
        length = self.units - tag.start
        if tag.name == "code" and tag.argument and self.stack and self.stack[-1].name == "pre":
            self.stack[-1].argument = tag.argument  # <pre><code class="language-x"> = pre+lang
            return
        if length == 0 or (tag.name == "a" and not tag.argument):
            return  # Telegram drops empty entities and links without a target
        entity: JSON = {"type": self.TAG_TYPES[tag.name], "offset": tag.start, "length": length}
        if tag.name == "a":
            entity["url"] = tag.argument
        elif tag.name == "pre" and tag.argument:
            entity["language"] = tag.argument
        elif tag.name == "blockquote" and tag.argument == "expandable":
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.argument
        self.entities.append(entity)


def _is_word_char(char: str) -> bool:
    """Telegram's notion of a letter: any Unicode letter or digit (CJK included), or "_"."""
    return char.isalnum() or char == "_"


def _is_ascii_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


class EntityScanner:
    """Finds the entities Telegram detects by itself in plain text: commands, mentions, URLs.

    Rules follow Telegram's server: a ``bot_command`` is "/" + 1..64 ASCII letters, digits or
    "_", optionally "@" + a 3..32 character username; it must not follow a letter, digit or
    one of ``/<>\\``, and must not be followed by one. Every Unicode letter counts, so
    ``/ask北京`` is not a command at all. Mentions need 5..32 characters (a few well-known
    short inline bots excepted) and the same word boundaries. URL detection is simplified to
    explicit ``http(s)://`` links.
    """

    COMMAND_BOUNDARY = "/<>\\"
    SHORT_USERNAMES = frozenset(
        {"gif", "wiki", "vid", "bing", "pic", "bold", "imdb", "coub", "like", "vote"}
    )
    URL = re.compile(r"https?://[^\s<>\"'，。！？、；：（）【】《》「」]+", re.IGNORECASE)

    @classmethod
    def scan(cls, text: str) -> list[JSON]:
        urls = [
            (m.start(), m.start() + len(m.group().rstrip(".,;:!?)]}")))
            for m in cls.URL.finditer(text)
        ]
        spans = [(start, end, "url") for start, end in urls]
        for kind, found in (("bot_command", cls._commands(text)), ("mention", cls._mentions(text))):
            for start, end in found:
                if not any(start < u_end and u_start < end for u_start, u_end in urls):
                    spans.append((start, end, kind))
        entities = [
            {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
            for start, end, kind in spans
        ]
        return sorted(entities, key=_entity_order)

    @classmethod
    def _blocks(cls, char: str) -> bool:
        return _is_word_char(char) or char in cls.COMMAND_BOUNDARY

    @staticmethod
    def _ascii_word_end(text: str, index: int) -> int:
        while index < len(text) and _is_ascii_word_char(text[index]):
            index += 1
        return index

    @classmethod
    def _commands(cls, text: str) -> list[tuple[int, int]]:
        found = []
        index = text.find("/")
        while index != -1:
            start = index
            index = text.find("/", start + 1)
            if start > 0 and cls._blocks(text[start - 1]):
                continue
            end = cls._ascii_word_end(text, start + 1)
            if not 1 <= end - start - 1 <= 64:
                continue
            if end < len(text) and text[end] == "@":
                username_end = cls._ascii_word_end(text, end + 1)
                if not 3 <= username_end - end - 1 <= 32:
                    continue
                end = username_end
            if end < len(text) and cls._blocks(text[end]):
                continue
            found.append((start, end))
        return found

    @classmethod
    def _mentions(cls, text: str) -> list[tuple[int, int]]:
        found = []
        for match in re.finditer("@", text):
            start = match.start()
            if start > 0 and _is_word_char(text[start - 1]):
                continue
            end = cls._ascii_word_end(text, start + 1)
            name = text[start + 1 : end]
            if not 1 <= len(name) <= 32 or (end < len(text) and _is_word_char(text[end])):
                continue
            if len(name) >= 5 or name.lower() in cls.SHORT_USERNAMES:
                found.append((start, end))
        return found


_TRIMMED = " \t\r\n\v\f"
_LOCKED_ENTITY_TYPES = frozenset({"code", "pre", "text_link", "url", "custom_emoji"})


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Telegram strips leading/trailing whitespace and clips entities accordingly."""
    left = text.lstrip(_TRIMMED)
    shift = utf16_len(text[: len(text) - len(left)])
    result = left.rstrip(_TRIMMED)
    total = utf16_len(result)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return result, clipped


def format_text(text: Any, parse_mode: Any, entities: Any) -> tuple[str, list[JSON]]:
    """Applies parse_mode/entities like Telegram and enforces the 1..4096 length limit.

    Markdown modes are accepted but not validated (the text is kept as is).
    """
    if text is None or text == "":
        raise bad_request("message text is empty")
    text = str(text)
    mode = str(parse_mode or "").lower()
    if entities:
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise bad_request("can't parse entities JSON object")
        plain, found = text, [dict(e) for e in entities]
    elif mode == "html":
        plain, found = TelegramHtml.parse(text)
    elif mode in ("", "markdown", "markdownv2"):
        plain, found = text, []
    else:
        raise bad_request("unsupported parse_mode")
    plain, found = _trim(plain, found)
    if not plain:
        raise bad_request("message must be non-empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    locked = [e for e in found if e["type"] in _LOCKED_ENTITY_TYPES]
    for auto in EntityScanner.scan(plain):
        a_start, a_end = auto["offset"], auto["offset"] + auto["length"]
        if not any(e["offset"] < a_end and a_start < e["offset"] + e["length"] for e in locked):
            found.append(auto)
    return plain, sorted(found, key=_entity_order)


# --------------------------------------------------------------------------------------------
# Markup validation
# --------------------------------------------------------------------------------------------

INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)


def validate_reply_markup(markup: Any) -> JSON | None:
    """Checks a reply_markup; returns it if it is an inline keyboard (which Telegram echoes)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        for row in markup.get("keyboard") or []:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str) or not label:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return None  # reply keyboards, ReplyKeyboardRemove and ForceReply are not echoed
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            _validate_inline_button(button)
    return markup


def _validate_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_EMPTY")
    actions = [key for key in INLINE_BUTTON_ACTIONS if button.get(key) not in (None, "")]
    if not actions:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data not in (None, "") and len(str(data).encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url not in (None, ""):
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https", "tg") or not (parts.netloc or parts.path):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


# --------------------------------------------------------------------------------------------
# World state
# --------------------------------------------------------------------------------------------


class _RateLimiter:
    """Telegram's documented flood limits: 30 messages/s overall, 20/min into one group."""

    GLOBAL_LIMIT, GLOBAL_WINDOW = 30, 1.0
    GROUP_LIMIT, GROUP_WINDOW = 20, 60.0

    def __init__(self) -> None:
        self._sent: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def admit(self, chat: JSON, now: float) -> int | None:
        """Records a send and returns None, or returns the retry_after Telegram would give."""
        waits = [self._wait(self._sent, self.GLOBAL_LIMIT, self.GLOBAL_WINDOW, now)]
        per_chat = self._per_chat.setdefault(chat["id"], deque())
        if chat["type"] != "private":
            waits.append(self._wait(per_chat, self.GROUP_LIMIT, self.GROUP_WINDOW, now))
        wait = max(waits)
        if wait > 0:
            return max(1, math.ceil(wait))
        self._sent.append(now)
        per_chat.append(now)
        return None

    @staticmethod
    def _wait(history: deque[float], limit: int, window: float, now: float) -> float:
        while history and history[0] <= now - window:
            history.popleft()
        return history[0] + window - now if len(history) >= limit else 0.0


class _Store:
    """All mutable state, shared by test code and HTTP threads; always use under ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)  # notified on new updates and calls
        self.chats: dict[int, JSON] = {}
        self.usernames: dict[str, int] = {}
        self.migrated: dict[int, int] = {}
        self.bot_status: dict[int, str] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.users: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.own_messages: set[tuple[int, int]] = set()
        self.last_message_id: dict[int, int] = {}
        self.updates: list[JSON] = []
        self.last_update_id = 0
        self.allowed_updates: list[str] | None = None
        self.webhook: JSON = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.open_queries: set[str] = set()  # callback/inline query ids not answered yet
        self.query_ids = itertools.count(5_000_000_000_000_000_001)
        self.calls: list[Call] = []
        self.faults: list[_Fault] = []
        self.poll_generation = 0
        self.waiting_polls = 0
        self.stopping = False

    # chats ------------------------------------------------------------------------------

    def add_chat(self, chat_id: int, chat_type: str, **names: Any) -> JSON:
        if chat_type not in CHAT_TYPES:
            raise ValueError(f"unknown chat type {chat_type!r}")
        if (chat_type == "private") != (chat_id > 0):
            raise ValueError("private chats have positive ids, groups and channels negative")
        chat: JSON = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = names.get("first_name") or f"User {chat_id}"
            if names.get("last_name"):
                chat["last_name"] = names["last_name"]
        else:
            chat["title"] = names.get("title") or f"{chat_type.title()} {chat_id}"
        if names.get("username"):
            chat["username"] = names["username"]
            self.usernames[names["username"].lower()] = chat_id
        if names.get("is_forum"):
            chat["is_forum"] = True
        self.chats[chat_id] = chat
        self.bot_status.setdefault(chat_id, "administrator" if chat_type == "channel" else "member")
        return chat

    def ensure_chat(self, chat_id: int, chat_type: str | None = None, **names: Any) -> JSON:
        """Returns the chat, creating it (type guessed from the id if not given) if new."""
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_type is None:
            if chat_id > 0:
                chat_type = "private"
            else:
                chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        return self.add_chat(chat_id, chat_type, **names)

    def resolve(self, ref: Any) -> int:
        """Maps a chat_id parameter (int, numeric string or "@username") to a known chat."""
        if ref is None or ref == "":
            raise bad_request("chat_id is empty")
        normalized = _chat_ref(ref)
        if isinstance(normalized, str):
            normalized = self.usernames.get(normalized.lstrip("@").lower())
        if normalized is None or (normalized not in self.chats and normalized not in self.migrated):
            raise bad_request("chat not found")
        return normalized

    def public_chat(self, chat_id: int) -> JSON:
        return dict(self.chats[chat_id])

    def user(self, user_id: int) -> JSON:
        return dict(
            self.users.get(user_id)
            or {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )

    # messages ---------------------------------------------------------------------------

    def new_message_id(self, chat_id: int) -> int:
        self.last_message_id[chat_id] = self.last_message_id.get(chat_id, 0) + 1
        return self.last_message_id[chat_id]

    def remember(self, message: JSON) -> None:
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        self.messages[(chat_id, message_id)] = copy.deepcopy(message)
        self.last_message_id[chat_id] = max(self.last_message_id.get(chat_id, 0), message_id)

    def reply_copy(self, chat_id: int, message_id: int) -> JSON | None:
        """The stored message as it appears inside ``reply_to_message`` (not nested further)."""
        message = self.messages.get((chat_id, int(message_id)))
        if message is None:
            return None
        inner = copy.deepcopy(message)
        inner.pop("reply_to_message", None)
        return inner

    # updates ----------------------------------------------------------------------------

    def next_update_id(self) -> int:
        self.last_update_id += 1
        return self.last_update_id

    def absorb(self, update: JSON) -> None:
        """Learns chats, messages and answerable queries from an update being queued."""
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            message = update.get(key)
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                chat = message["chat"]
                if chat["id"] not in self.chats:
                    names = {k: chat.get(k) for k in ("title", "username", "first_name")}
                    self.ensure_chat(chat["id"], chat.get("type"), **names)
                self.remember(message)
        for key in ("callback_query", "inline_query"):
            if isinstance(update.get(key), dict):
                self.open_queries.add(str(update[key]["id"]))

    def confirm(self, offset: int) -> None:
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def wants(self, update: JSON) -> bool:
        """Whether the bot's allowed_updates setting lets Telegram generate this update."""
        kind = next((k for k in update if k != "update_id"), "")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in OPT_IN_UPDATE_TYPES

    # calls ------------------------------------------------------------------------------

    def record(self, call: Call) -> None:
        self.calls.append(call)
        self.changed.notify_all()

    def take_fault(self, method: str, params: JSON) -> _Fault | None:
        for fault in self.faults:
            if fault.matches(method, params):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None


def _member_dict(user: JSON, status: str, chat_type: str) -> JSON:
    """A ChatMember object with every field PTB requires for that status."""
    member: JSON = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=True,
            can_edit_stories=True,
            can_delete_stories=True,
        )
        if chat_type == "channel":
            member.update(can_post_messages=True, can_edit_messages=True)
        else:
            member.update(can_pin_messages=True, can_manage_topics=False)
    elif status == "restricted":
        member.update(
            is_member=True,
            can_send_messages=False,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            can_edit_tag=False,
            until_date=0,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


# --------------------------------------------------------------------------------------------
# The Bot API
# --------------------------------------------------------------------------------------------


@dataclass
class _Request:
    params: JSON
    client_gone: Callable[[], bool]


_PATH = re.compile(r"/bot([^/]*)/([^/]+)")


class BotApi:
    """Implements the supported Bot API methods against the store.

    Lenient on purpose, where strictness would only get in the way of local tests: webhooks
    may use plain http on any port, and Markdown parse modes are not validated. Stricter on
    purpose: see ``TelegramHtml``.
    """

    def __init__(
        self,
        store: _Store,
        *,
        token: str,
        bot_user: JSON,
        limiter: _RateLimiter | None,
        latency: float,
        stop_event: threading.Event,
    ) -> None:
        self.store = store
        self.token = token
        self.bot_user = bot_user
        self.bot_id: int = bot_user["id"]
        self.limiter = limiter
        self.latency = latency
        self.stop_event = stop_event
        table: dict[str, Callable[[_Request], Any]] = {
            "getMe": self.get_me,
            "logOut": self.ok,
            "close": self.ok,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": self.answer_inline_query,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "sendChatAction": self.send_chat_action,
        }
        # Telegram matches method names case-insensitively.
        self.methods = {name.lower(): (name, impl) for name, impl in table.items()}

    # dispatch ---------------------------------------------------------------------------

    def handle(
        self, path: str, content_type: str, body: bytes, client_gone: Callable[[], bool]
    ) -> tuple[int, JSON] | None:
        """Answers one HTTP request: (status, JSON body), or None to send no reply at all."""
        target = urlsplit(path)
        route = _PATH.fullmatch(target.path)
        if route is None:
            return 404, ApiError(404, "Not Found").payload()
        token, name = route.groups()
        method, implementation = self.methods.get(name.lower(), (name, None))
        started = time.time()
        try:
            params = decode_params(content_type, body, target.query)
        except (ValueError, UnicodeDecodeError) as exc:
            return self._finish(method, {}, started, error=bad_request(f"can't parse body: {exc}"))
        if token != self.token:
            # Telegram: 404 for a malformed token, 401 for a well-formed but unknown one.
            malformed = re.fullmatch(r"[0-9]+:[A-Za-z0-9_-]+", token) is None
            error = ApiError(404, "Not Found") if malformed else ApiError(401, "Unauthorized")
            return self._finish(method, params, started, error=error)
        if implementation is None:
            return self._finish(method, params, started, error=ApiError(404, "Not Found"))
        if not self._pause(self.latency):
            return None
        with self.store.lock:
            fault = self.store.take_fault(method, params)
        if fault is not None:
            if fault.kind == "reset":
                self._record(Call(method, params, started, None, description="connection reset"))
                return None
            if not self._pause(fault.delay):
                return None
            if fault.error is not None:
                return self._finish(method, params, started, error=fault.error)
        try:
            with self.store.lock:
                result = implementation(_Request(params, client_gone))
        except ApiError as err:
            return self._finish(method, params, started, error=err)
        except _ClientGone:
            self._record(Call(method, params, started, None, description="client disconnected"))
            return None
        except Exception as exc:  # a bug in the fake must be loud, not a hang
            err = ApiError(500, f"Internal Server Error: fake_telegram failed: {exc!r}")
            return self._finish(method, params, started, error=err)
        return self._finish(method, params, started, result=result)

    def _finish(
        self,
        method: str,
        params: JSON,
        started: float,
        *,
        error: ApiError | None = None,
        result: Any = None,
    ) -> tuple[int, JSON]:
        if error is not None:
            self._record(Call(method, params, started, error.code, description=error.description))
            return error.code, error.payload()
        self._record(Call(method, params, started, 200, result=result))
        return 200, {"ok": True, "result": result}

    def _record(self, call: Call) -> None:
        with self.store.lock:
            self.store.record(call)

    def _pause(self, seconds: float) -> bool:
        """Sleeps unless the fake is stopping; False means "stopped, give up"."""
        return seconds <= 0 or not self.stop_event.wait(seconds)

    # shared checks ----------------------------------------------------------------------

    def _chat(self, params: JSON) -> JSON:
        chat_id = self.store.resolve(params.get("chat_id"))
        if chat_id in self.store.migrated:
            raise ApiError(
                400,
                f"Bad Request: {MIGRATED}",
                {"migrate_to_chat_id": self.store.migrated[chat_id]},
            )
        return self.store.chats[chat_id]

    def _require_access(self, chat: JSON, *, posting: bool) -> None:
        """Raises what Telegram answers when the bot is blocked, kicked or lacks rights."""
        status = self.store.bot_status.get(chat["id"], "member")
        kind = chat["type"]
        if kind == "private":
            if posting and status == "kicked":
                raise forbidden("bot was blocked by the user")
            return
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")
        if posting and kind == "channel" and status not in ("administrator", "creator"):
            raise bad_request("need administrator rights in the channel chat")

    def _admit(self, chat: JSON) -> None:
        if self.limiter is not None:
            retry_after = self.limiter.admit(chat, time.monotonic())
            if retry_after is not None:
                raise flood_wait(retry_after)

    def _message(self, params: JSON, *, action: str) -> JSON:
        chat = self._chat(params)
        message_id = params.get("message_id")
        if message_id in (None, ""):
            raise bad_request("message identifier is not specified")
        key = (chat["id"], number(params, "message_id"))
        message = self.store.messages.get(key)
        if message is None:
            raise bad_request(f"message to {action} not found")
        self._require_access(chat, posting=True)
        return message

    def _bot_sender(self) -> JSON:
        return {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

    # methods ----------------------------------------------------------------------------

    def ok(self, request: _Request) -> bool:
        return True

    def get_me(self, request: _Request) -> JSON:
        return dict(self.bot_user)

    def get_updates(self, request: _Request) -> list[JSON]:
        store, params = self.store, request.params
        if store.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = number(params, "offset")
        limit = min(max(number(params, "limit", 100), 1), 100)
        timeout = max(number(params, "timeout", kind=float), 0.0)
        if params.get("allowed_updates") is not None:
            store.allowed_updates = list(params["allowed_updates"]) or None
        store.confirm(offset)
        store.poll_generation += 1
        generation = store.poll_generation
        store.changed.notify_all()
        deadline = time.monotonic() + timeout
        store.waiting_polls += 1
        try:
            while True:
                batch = copy.deepcopy(store.updates[:limit])
                if batch or store.stopping:
                    return batch
                if request.client_gone():
                    raise _ClientGone
                if generation != store.poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                store.changed.wait(min(remaining, 0.1))
        finally:
            store.waiting_polls -= 1

    def set_webhook(self, request: _Request) -> bool:
        params, store = request.params, self.store
        url = str(params.get("url") or "")
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret not in (None, "") and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            store.updates.clear()
        if params.get("allowed_updates") is not None:
            store.allowed_updates = list(params["allowed_updates"]) or None
        store.webhook = (
            {
                "url": url,
                "secret_token": secret or None,
                "max_connections": number(params, "max_connections", 40),
            }
            if url
            else {}
        )
        store.changed.notify_all()
        return True

    def delete_webhook(self, request: _Request) -> bool:
        if request.params.get("drop_pending_updates"):
            self.store.updates.clear()
        self.store.webhook = {}
        return True

    def get_webhook_info(self, request: _Request) -> JSON:
        store = self.store
        info: JSON = {
            "url": store.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(store.updates),
        }
        if store.webhook:
            info["max_connections"] = store.webhook["max_connections"]
            if store.allowed_updates:
                info["allowed_updates"] = store.allowed_updates
        return info

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def set_my_commands(self, request: _Request) -> bool:
        commands = request.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("command description must be 1-256 characters long")
            cleaned.append({"command": name, "description": description})
        self.store.commands[self._commands_key(request.params)] = cleaned
        return True

    def get_my_commands(self, request: _Request) -> list[JSON]:
        return copy.deepcopy(self.store.commands.get(self._commands_key(request.params), []))

    def delete_my_commands(self, request: _Request) -> bool:
        self.store.commands.pop(self._commands_key(request.params), None)
        return True

    def send_message(self, request: _Request) -> JSON:
        params, store = request.params, self.store
        chat = self._chat(params)
        self._require_access(chat, posting=True)
        text, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = validate_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat["id"], params)
        self._admit(chat)
        message: JSON = {
            "message_id": store.new_message_id(chat["id"]),
            "date": _now(),
            "chat": store.public_chat(chat["id"]),
        }
        if chat["type"] == "channel":
            message["sender_chat"] = store.public_chat(chat["id"])
        else:
            message["from"] = self._bot_sender()
        message["text"] = text
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        thread_id = params.get("message_thread_id")
        if thread_id and chat.get("is_forum"):
            message.update(
                message_thread_id=number(params, "message_thread_id"), is_topic_message=True
            )
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        store.remember(message)
        store.own_messages.add((chat["id"], message["message_id"]))
        return copy.deepcopy(message)

    def _reply_target(self, chat_id: int, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id, allow = reply.get("message_id"), reply.get("allow_sending_without_reply")
            if reply.get("chat_id") not in (None, ""):
                chat_id = self.store.resolve(reply["chat_id"])
        elif params.get("reply_to_message_id") not in (None, ""):
            message_id = params["reply_to_message_id"]
            allow = params.get("allow_sending_without_reply")
        else:
            return None
        target = self.store.reply_copy(chat_id, number({"id": message_id}, "id"))
        if target is None and not allow:
            raise bad_request("message to be replied not found")
        return target

    def _editable(self, params: JSON) -> JSON:
        message = self._message(params, action="edit")
        if (message["chat"]["id"], message["message_id"]) not in self.store.own_messages:
            raise bad_request("message can't be edited")
        return message

    def _replace(self, message: JSON, **fields: Any) -> JSON:
        """Stores an edited copy; None-valued fields are removed (e.g. a dropped keyboard)."""
        edited = copy.deepcopy(message)
        for key, value in fields.items():
            if value in (None, []):
                edited.pop(key, None)
            else:
                edited[key] = value
        edited["edit_date"] = _now()
        self.store.remember(edited)
        return copy.deepcopy(edited)

    def edit_message_text(self, request: _Request) -> JSON | bool:
        params = request.params
        text, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = validate_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        # Telegram drops the inline keyboard when an edit does not resend it.
        if (message["text"], message.get("entities", []), message.get("reply_markup")) == (
            text,
            entities,
            markup,
        ):
            raise bad_request(NOT_MODIFIED)
        return self._replace(message, text=text, entities=entities, reply_markup=markup)

    def edit_message_reply_markup(self, request: _Request) -> JSON | bool:
        params = request.params
        markup = validate_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        return self._replace(message, reply_markup=markup)

    def delete_message(self, request: _Request) -> bool:
        message = self._message(request.params, action="delete")
        key = (message["chat"]["id"], message["message_id"])
        chat = self.store.chats[key[0]]
        is_admin = self.store.bot_status.get(key[0]) in ("administrator", "creator")
        if key not in self.store.own_messages and chat["type"] != "private" and not is_admin:
            raise bad_request("message can't be deleted")
        del self.store.messages[key]
        self.store.own_messages.discard(key)
        return True

    def answer_callback_query(self, request: _Request) -> bool:
        params = request.params
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self.store.open_queries:
            raise bad_request(QUERY_TOO_OLD)
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        self.store.open_queries.discard(query_id)
        return True

    def answer_inline_query(self, request: _Request) -> bool:
        params = request.params
        query_id = str(params.get("inline_query_id") or "")
        if query_id not in self.store.open_queries:
            raise bad_request(QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict) or not isinstance(result.get("type"), str):
                raise bad_request("can't parse InlineQueryResult JSON object")
            result_id = str(result.get("id") or "")
            if not 1 <= len(result_id.encode("utf-8")) <= MAX_INLINE_RESULT_ID_BYTES:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                format_text(
                    content["message_text"], content.get("parse_mode"), content.get("entities")
                )
            validate_reply_markup(result.get("reply_markup"))
        if len(str(params.get("next_offset") or "").encode("utf-8")) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        self.store.open_queries.discard(query_id)
        return True

    def get_chat(self, request: _Request) -> JSON:
        chat = self._chat(request.params)
        self._require_access(chat, posting=False)
        info = self.store.public_chat(chat["id"])
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

    def _status_of(self, chat: JSON, user_id: int) -> str:
        store = self.store
        if user_id == self.bot_id:
            return store.bot_status.get(chat["id"], "member")
        if (chat["id"], user_id) in store.members:
            return store.members[(chat["id"], user_id)]
        if chat["type"] == "private" and user_id == chat["id"]:
            return "member"
        if user_id in store.users:
            return "left"
        raise bad_request("user not found")

    def _user_object(self, user_id: int) -> JSON:
        return self._bot_sender() if user_id == self.bot_id else self.store.user(user_id)

    def get_chat_member(self, request: _Request) -> JSON:
        chat = self._chat(request.params)
        self._require_access(chat, posting=False)
        user_id = number(request.params, "user_id")
        status = self._status_of(chat, user_id)
        return _member_dict(self._user_object(user_id), status, chat["type"])

    def get_chat_administrators(self, request: _Request) -> list[JSON]:
        chat = self._chat(request.params)
        if chat["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        self._require_access(chat, posting=False)
        statuses = {uid: s for (cid, uid), s in self.store.members.items() if cid == chat["id"]}
        statuses[self.bot_id] = self.store.bot_status.get(chat["id"], "member")
        return [
            _member_dict(self._user_object(uid), status, chat["type"])
            for uid, status in statuses.items()
            if status in ("creator", "administrator")
        ]

    def send_chat_action(self, request: _Request) -> bool:
        chat = self._chat(request.params)
        self._require_access(chat, posting=True)
        if request.params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP/1.1 adapter (keep-alive, like api.telegram.org) around ``BotApi.handle``."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeTelegram/1.0"
    timeout = 30  # idle keep-alive connections close themselves eventually
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle plus delayed ACKs
        # would add ~40 ms to every call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging; ``fake.calls`` is the log."""

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        body = self._read_body()
        with self.server.busy():
            reply = self.server.api.handle(
                self.path, self.headers.get("Content-Type", ""), body, self._client_gone
            )
            if reply is None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, payload = reply
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (e.g. its read timeout fired)
                self.close_connection = True

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _client_gone(self) -> bool:
        """True once the client has closed its side (readable socket with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True


class _Server(ThreadingHTTPServer):
    """Threading server that can wait for in-flight requests and cut idle connections."""

    daemon_threads = True

    def __init__(self, api: BotApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api
        self._sockets: set[socket.socket] = set()
        self._active = 0
        self._state = threading.Condition()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that died mid-request (a killed bot) is what Telegram sees too, not a
        failure of the fake: no traceback for it."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def track(self, sock: socket.socket) -> None:
        with self._state:
            self._sockets.add(sock)

    def untrack(self, sock: socket.socket) -> None:
        with self._state:
            self._sockets.discard(sock)

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        with self._state:
            self._active += 1
        try:
            yield
        finally:
            with self._state:
                self._active -= 1
                self._state.notify_all()

    def drain(self, timeout: float) -> None:
        """Waits for in-flight replies, then closes every connection still open."""
        with self._state:
            self._state.wait_for(lambda: self._active == 0, timeout)
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


# --------------------------------------------------------------------------------------------
# Update builders
# --------------------------------------------------------------------------------------------

UserLike = JSON | int
ChatLike = JSON | int


class UpdateBuilders:
    """Builders for realistic update dicts; they also register chats/users/messages."""

    _store: _Store
    bot_user: JSON

    def user(
        self,
        id: int,
        first_name: str,
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
        is_bot: bool = False,
    ) -> JSON:
        """A User object; the fake remembers it (getChatMember, later builders)."""
        user: JSON = {"id": id, "is_bot": is_bot, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        with self._store.lock:
            self._store.users[id] = user
        return dict(user)

    def _as_user(self, user: UserLike) -> JSON:
        if isinstance(user, dict):
            self._store.users.setdefault(user["id"], dict(user))
            return dict(user)
        return self._store.user(user)

    def _as_chat(self, chat: ChatLike, chat_type: str | None = None) -> JSON:
        if isinstance(chat, dict):
            names = {k: chat.get(k) for k in ("title", "username", "first_name")}
            self._store.ensure_chat(chat["id"], chat.get("type", chat_type), **names)
            return self._store.public_chat(chat["id"])
        self._store.ensure_chat(chat, chat_type)
        return self._store.public_chat(chat)

    def _base_message(
        self, chat_id: int, message_id: int | None, date: int | None, edited: bool
    ) -> JSON:
        store = self._store
        previous = store.messages.get((chat_id, message_id)) if message_id else None
        message: JSON = {
            "message_id": message_id or store.new_message_id(chat_id),
            "date": previous["date"] if previous else (date or _now()),
            "chat": store.public_chat(chat_id),
        }
        if edited:
            message["edit_date"] = date or _now()
        return message

    def _fill_content(
        self,
        message: JSON,
        text: str | None,
        caption: str | None,
        photo: bool,
        sticker: bool,
        entities: list[JSON] | None,
    ) -> None:
        """Text, photo+caption or sticker, with the entities Telegram would detect."""
        key = f"{message['chat']['id']}_{message['message_id']}"
        if photo or caption is not None:
            message["photo"] = [
                {
                    "file_id": f"photo-{key}-{w}",
                    "file_unique_id": f"uphoto-{key}-{w}",
                    "width": w,
                    "height": w * 3 // 4,
                    "file_size": w * 90,
                }
                for w in (90, 320, 800)
            ]
            body = caption if caption is not None else text
            text_key, entities_key = "caption", "caption_entities"
        elif sticker:
            message["sticker"] = {
                "file_id": f"sticker-{key}",
                "file_unique_id": f"usticker-{key}",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
                "set_name": "FakeStickers",
            }
            return
        elif text is None:
            raise ValueError("a message needs text, a caption, photo=True or sticker=True")
        else:
            body, text_key, entities_key = text, "text", "entities"
        if body:
            message[text_key] = body
            found = EntityScanner.scan(body) if entities is None else entities
            if found:
                message[entities_key] = found

    def _origin(self, forward: bool | JSON, date: int) -> JSON:
        if isinstance(forward, dict) and "type" in forward and "is_bot" not in forward:
            chat = self._as_chat(forward, "channel")
            return {"type": "channel", "chat": chat, "message_id": 1, "date": date - 60}
        sender = (
            self._as_user(forward)
            if isinstance(forward, dict)
            else {"id": 4242, "is_bot": False, "first_name": "Forwarded"}
        )
        return {"type": "user", "sender_user": sender, "date": date - 60}

    def _set_sender(
        self,
        message: JSON,
        sender: JSON | None,
        sender_chat: ChatLike | None,
        is_automatic_forward: bool,
    ) -> None:
        """Fills ``from``/``sender_chat`` the way Telegram does for each kind of sender."""
        if is_automatic_forward:
            if sender_chat is None:
                raise ValueError("is_automatic_forward needs the channel as sender_chat")
            channel = self._as_chat(sender_chat, "channel")
            message.update(
                {
                    "from": dict(TELEGRAM_SERVICE_USER),
                    "sender_chat": channel,
                    "is_automatic_forward": True,
                    "forward_origin": {
                        "type": "channel",
                        "chat": channel,
                        "message_id": 1,
                        "date": message["date"],
                    },
                }
            )
        elif sender_chat is not None:
            chat_ref = sender_chat["id"] if isinstance(sender_chat, dict) else sender_chat
            own = chat_ref == message["chat"]["id"]
            message["sender_chat"] = self._as_chat(sender_chat, None if own else "channel")
            message["from"] = dict(GROUP_ANONYMOUS_BOT if own else CHANNEL_BOT)
        elif sender is not None:
            message["from"] = sender
        else:
            raise ValueError("a message needs a user or a sender_chat")

    def message_update(
        self,
        chat_id: int,
        user: UserLike | None,
        text: str | None = None,
        *,
        reply_to_message_id: int | None = None,
        caption: str | None = None,
        photo: bool = False,
        sticker: bool = False,
        edited: bool = False,
        forward: bool | JSON = False,
        sender_chat: ChatLike | None = None,
        is_automatic_forward: bool = False,
        message_id: int | None = None,
        message_thread_id: int | None = None,
        entities: list[JSON] | None = None,
        chat_type: str | None = None,
        title: str | None = None,
        date: int | None = None,
    ) -> JSON:
        """A ``message`` (or ``edited_message``) update as Telegram would send it.

        ``chat_id`` > 0 is the private chat with ``user``; negative ids are groups
        (``-100…`` supergroups) unless ``chat_type`` says otherwise. ``sender_chat`` equal to
        the chat makes an anonymous admin message, another chat id a post "on behalf of" that
        channel; ``is_automatic_forward`` makes the discussion-group copy of a channel post
        (pass the channel as ``sender_chat``). ``edited`` with ``message_id`` edits that
        message. ``entities=None`` computes entities exactly as Telegram does.
        """
        store = self._store
        with store.lock:
            sender = self._as_user(user) if user is not None else None
            names: JSON = {"title": title}
            if sender and chat_id == sender["id"]:
                names = {k: sender.get(k) for k in ("first_name", "last_name", "username")}
            store.ensure_chat(chat_id, chat_type, **names)
            message = self._base_message(chat_id, message_id, date, edited)
            self._set_sender(message, sender, sender_chat, is_automatic_forward)
            if forward and not is_automatic_forward:
                message["forward_origin"] = self._origin(forward, message["date"])
            if reply_to_message_id is not None:
                target = store.reply_copy(chat_id, reply_to_message_id)
                if target is None:
                    raise KeyError(f"no message {reply_to_message_id} in chat {chat_id}")
                message["reply_to_message"] = target
            if message_thread_id is not None:
                message.update(message_thread_id=message_thread_id, is_topic_message=True)
            self._fill_content(message, text, caption, photo, sticker, entities)
            store.remember(message)
        return {"edited_message" if edited else "message": copy.deepcopy(message)}

    def channel_post_update(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        caption: str | None = None,
        photo: bool = False,
        edited: bool = False,
        message_id: int | None = None,
        author_signature: str | None = None,
        title: str | None = None,
        username: str | None = None,
        date: int | None = None,
    ) -> JSON:
        """A ``channel_post`` (or ``edited_channel_post``) update; the chat is a channel."""
        store = self._store
        with store.lock:
            store.ensure_chat(chat_id, "channel", title=title, username=username)
            message = self._base_message(chat_id, message_id, date, edited)
            message["sender_chat"] = store.public_chat(chat_id)
            if author_signature:
                message["author_signature"] = author_signature
            self._fill_content(message, text, caption, photo, False, None)
            store.remember(message)
        return {"edited_channel_post" if edited else "channel_post": copy.deepcopy(message)}

    def callback_query_update(
        self,
        chat_id: int,
        user: UserLike,
        message_id: int,
        data: str,
        *,
        query_id: str | None = None,
    ) -> JSON:
        """A button press on message ``message_id`` (normally one the bot sent)."""
        store = self._store
        with store.lock:
            sender = self._as_user(user)
            store.ensure_chat(chat_id)
            # The whole message, reply_to_message included, as in Telegram's callback_query.
            stored = store.messages.get((chat_id, message_id))
            message = copy.deepcopy(stored) if stored is not None else {
                "chat": store.public_chat(chat_id),
                "message_id": message_id,
                "date": 0,
            }  # an InaccessibleMessage, as for messages Telegram no longer has
            query = {
                "id": query_id or str(next(store.query_ids)),
                "from": sender,
                "message": message,
                "chat_instance": str(abs(chat_id) * 7919 + 13),
                "data": data,
            }
        return {"callback_query": query}

    def inline_query_update(
        self,
        user: UserLike,
        query: str,
        *,
        offset: str = "",
        chat_type: str = "private",
        query_id: str | None = None,
    ) -> JSON:
        """An ``inline_query`` update (the user typed "@bot query")."""
        with self._store.lock:
            sender = self._as_user(user)
            query_id = query_id or str(next(self._store.query_ids))
        return {
            "inline_query": {
                "id": query_id,
                "from": sender,
                "query": query,
                "offset": offset,
                "chat_type": chat_type,
            }
        }

    def my_chat_member_update(
        self,
        chat_id: int,
        new_status: str,
        *,
        old_status: str | None = None,
        user: UserLike | None = None,
        chat_type: str | None = None,
        title: str | None = None,
        date: int | None = None,
    ) -> JSON:
        """The bot's own membership changed (added, promoted, kicked, blocked by the user).

        Applies the new status at once, so e.g. "kicked" makes later sends fail with 403.
        """
        if new_status not in MEMBER_STATUSES:
            raise ValueError(f"unknown status {new_status!r}")
        store = self._store
        with store.lock:
            is_new = chat_id not in store.chats
            actor = self._as_user(user if user is not None else (chat_id if chat_id > 0 else 1))
            names = {"first_name": actor["first_name"]} if chat_id > 0 else {"title": title}
            chat = store.ensure_chat(chat_id, chat_type, **names)
            previous = old_status or ("left" if is_new else store.bot_status[chat_id])
            store.bot_status[chat_id] = new_status
            bot = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
            change = {
                "chat": store.public_chat(chat_id),
                "from": actor,
                "date": date or _now(),
                "old_chat_member": _member_dict(bot, previous, chat["type"]),
                "new_chat_member": _member_dict(bot, new_status, chat["type"]),
            }
        return {"my_chat_member": change}


# --------------------------------------------------------------------------------------------
# The public façade
# --------------------------------------------------------------------------------------------


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class FakeTelegram(UpdateBuilders):
    """A fake api.telegram.org for one bot, served on 127.0.0.1 at an OS-chosen port.

    Set up the world with ``add_chat``/``set_member``/``block``; feed the bot with the
    builders plus ``push_update`` (or ``post_webhook``); break things with ``fail_next`` or
    ``enforce_rate_limits=True``; look at what the bot did with ``calls``, ``calls_of``,
    ``sent_messages``, ``get_message`` and ``wait_for``/``async_wait_for``.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "factbot_bot",
        *,
        bot_first_name: str = "Fact Bot",
        enforce_rate_limits: bool = False,
        latency: float = 0.0,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '<digits>:<secret>'")
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(bot_id)
        # The fake delivers every group message, hence can_read_all_group_messages=True.
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": True,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._store = _Store()
        self._stop_event = threading.Event()
        self._api = BotApi(
            self._store,
            token=token,
            bot_user=self.bot_user,
            limiter=_RateLimiter() if enforce_rate_limits else None,
            latency=latency,
            stop_event=self._stop_event,
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        if self._server is not None or self._stop_event.is_set():
            raise RuntimeError("a FakeTelegram can be started once")
        self._server = _Server(self._api)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-telegram",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving; pending long polls return [] at once, open connections are closed."""
        if self._stop_event.is_set():
            return
        with self._store.lock:
            self._store.stopping = True
            self._store.changed.notify_all()
        self._stop_event.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.drain(timeout=2.0)
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("start() the fake first")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)`` / ``ApplicationBuilder().base_url(...)``: PTB appends
        the token and "/<method>"."""
        return f"http://127.0.0.1:{self.port}/bot"

    # world setup --------------------------------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        type: str = "private",
        title: str | None = None,
        username: str | None = None,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        is_forum: bool = False,
    ) -> JSON:
        """Makes a chat known (sends to unknown chats fail with "chat not found")."""
        with self._store.lock:
            return dict(
                self._store.add_chat(
                    chat_id,
                    type,
                    title=title,
                    username=username,
                    first_name=first_name,
                    last_name=last_name,
                    is_forum=is_forum,
                )
            )

    def set_member(
        self, chat_id: int, user_id: int, status: str = "member", *, user: JSON | None = None
    ) -> None:
        """Sets a user's (or, with the bot's id, the bot's) status for getChatMember & co."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._store.lock:
            self._store.ensure_chat(chat_id)
            if user is not None:
                self._store.users[user_id] = dict(user)
            if user_id == self.bot_id:
                self._store.bot_status[chat_id] = status
            else:
                self._store.members[(chat_id, user_id)] = status

    def block(self, chat_id: int) -> None:
        """The user blocks the bot (private) or kicks it (groups, channels): sends get 403."""
        self.set_member(chat_id, self.bot_id, "kicked")

    def unblock(self, chat_id: int) -> None:
        with self._store.lock:
            chat = self._store.ensure_chat(chat_id)
            status = "administrator" if chat["type"] == "channel" else "member"
            self._store.bot_status[chat_id] = status

    def upgrade_to_supergroup(self, chat_id: int, new_chat_id: int | None = None) -> int:
        """Migrates a group: calls to the old id then fail with migrate_to_chat_id."""
        with self._store.lock:
            group = self._store.chats.pop(chat_id)
            new_id = new_chat_id or int(f"-100{abs(chat_id)}")
            self._store.add_chat(new_id, "supergroup", title=group.get("title"))
            self._store.bot_status[new_id] = self._store.bot_status.get(chat_id, "member")
            self._store.migrated[chat_id] = new_id
            return new_id

    def get_message(self, chat_id: int, message_id: int) -> JSON | None:
        """The current state of a stored message (after edits), or None."""
        with self._store.lock:
            message = self._store.messages.get((chat_id, message_id))
            return copy.deepcopy(message)

    # updates -----------------------------------------------------------------------------

    def push_update(self, update: JSON) -> JSON:
        """Queues a raw update for getUpdates, assigning update_id; returns the queued copy.

        Like Telegram, which never generates updates of types the bot did not ask for in
        allowed_updates (chat_member & co. are opt-in), such an update is dropped - with a
        warning, so a test waiting for it knows why.
        """
        with self._store.lock:
            queued = copy.deepcopy(update)
            if not self._store.wants(queued):
                warnings.warn(
                    f"FakeTelegram dropped an update of a type outside allowed_updates "
                    f"({self._store.allowed_updates or 'the default'}): {sorted(queued)}",
                    stacklevel=2,
                )
                return queued
            if "update_id" in queued:
                self._store.last_update_id = max(self._store.last_update_id, queued["update_id"])
            else:
                queued["update_id"] = self._store.next_update_id()
            self._store.absorb(queued)
            self._store.updates.append(queued)
            self._store.changed.notify_all()
            return copy.deepcopy(queued)

    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by an offset."""
        with self._store.lock:
            return copy.deepcopy(self._store.updates)

    @property
    def waiting_polls(self) -> int:
        """How many getUpdates long polls are waiting right now (is the bot polling yet?)."""
        with self._store.lock:
            return self._store.waiting_polls

    def post_webhook(
        self,
        url: str | None,
        update: JSON,
        secret_token: str | None = None,
        *,
        timeout: float = 10.0,
    ) -> int:
        """POSTs an update to a webhook like Telegram does; returns the HTTP status.

        ``url=None`` uses the URL registered with setWebhook and ``secret_token=None`` the
        secret registered there; pass ``secret_token=""`` to send no secret header.
        """
        with self._store.lock:
            target = url or self._store.webhook.get("url")
            secret = secret_token
            if secret is None:
                secret = self._store.webhook.get("secret_token")
            body = copy.deepcopy(update)
            body.setdefault("update_id", self._store.next_update_id())
            self._store.absorb(body)
        if not target:
            raise ValueError("no webhook URL given or registered")
        request = urllib.request.Request(
            target,
            data=json.dumps(body).encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        if secret:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return err.code

    # fault injection ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        chat_id: int | str | None = None,
        times: int = 1,
        error_code: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        kind: str = "error",
        delay: float = 0.0,
    ) -> None:
        """Makes the next ``times`` calls of ``method`` ("*" = any) fail.

        kind="error": reply ``error_code`` (default 429 with retry_after, else 400) with a
        Telegram-style description; 429 carries ``parameters.retry_after`` (default 1),
        ``migrate_to_chat_id`` gives the group-upgrade error. kind="reset": close the
        connection without replying. kind="delay" (alias "timeout"): wait ``delay`` seconds,
        then process the call normally - so a client that timed out may still have sent the
        message, exactly as with Telegram. A delay can be combined with an error.
        """
        if kind == "timeout":
            kind = "delay"
            delay = delay or 30.0
        if kind not in ("error", "reset", "delay"):
            raise ValueError(f"unknown fault kind {kind!r}")
        error = None
        if kind == "error" or error_code is not None:
            error = self._fault_error(error_code, description, retry_after, migrate_to_chat_id)
        fault = _Fault(
            method.lower() if method != "*" else "*", _chat_ref(chat_id), times, kind, error, delay
        )
        with self._store.lock:
            self._store.faults.append(fault)

    @staticmethod
    def _fault_error(
        code: int | None,
        description: str | None,
        retry_after: int | None,
        migrate_to: int | None,
    ) -> ApiError:
        code = code or (429 if retry_after is not None else 400)
        if code == 429:
            retry_after = retry_after or 1
            return ApiError(
                429,
                description or f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        if migrate_to is not None:
            return ApiError(
                code, description or f"Bad Request: {MIGRATED}", {"migrate_to_chat_id": migrate_to}
            )
        defaults = {
            400: "Bad Request",
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not Found",
            409: "Conflict",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        return ApiError(code, description or defaults.get(code, f"Error {code}"))

    # inspection ----------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every request so far, in arrival-completion order."""
        with self._store.lock:
            return list(self._store.calls)

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """Messages returned by successful sendMessage calls (optionally in one chat)."""
        return [
            copy.deepcopy(c.result)
            for c in self.calls_of("sendMessage")
            if c.ok and (chat_id is None or c.result["chat"]["id"] == chat_id)
        ]

    def reset_calls(self) -> None:
        with self._store.lock:
            self._store.calls.clear()

    def take_calls(self) -> list[Call]:
        """The calls recorded since the last take, forgotten here: for long benchmark runs,
        where a snapshot of every call so far on each look would cost more than the bot."""
        with self._store.lock:
            taken = list(self._store.calls)
            self._store.calls.clear()
            return taken

    def wait_for(
        self, match: str | Callable[[Call], bool], timeout: float = 5.0, *, count: int = 1
    ) -> Call:
        """Blocks until ``count`` recorded calls match (a method name or a predicate) and
        returns the count-th one; raises TimeoutError. Not for use inside the event loop
        that runs the bot - use ``await fake.async_wait_for(...)`` there."""
        if _in_event_loop():
            raise RuntimeError(
                "wait_for() would block the running event loop (and the bot in it); "
                "use `await fake.async_wait_for(...)`"
            )
        return self._wait(match, timeout, count)

    async def async_wait_for(
        self, match: str | Callable[[Call], bool], timeout: float = 5.0, *, count: int = 1
    ) -> Call:
        """``wait_for`` for async tests: waits in a worker thread, keeping the loop free."""
        return await asyncio.to_thread(self._wait, match, timeout, count)

    def _wait(self, match: str | Callable[[Call], bool], timeout: float, count: int) -> Call:
        if isinstance(match, str):
            name = match.lower()

            def predicate(call: Call) -> bool:
                return call.method.lower() == name
        else:
            predicate = match
        deadline = time.monotonic() + timeout
        with self._store.changed:
            while True:
                found = [c for c in self._store.calls if predicate(c)]
                if len(found) >= count:
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [f"{c.method}:{c.http_status}" for c in self._store.calls]
                    raise TimeoutError(
                        f"no call matching {match!r} (count={count}) within {timeout}s; "
                        f"recorded: {seen}"
                    )
                self._store.changed.wait(remaining)
