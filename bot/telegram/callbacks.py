"""Button data and deep-link payloads: compact on the way out, validated on the way back.

Telegram limits callback data to 64 bytes and ``/start`` payloads to 64 characters of
``A-Z a-z 0-9 _ -``; both come back from the client, so anything in them may be stale (the
knowledge changed since the button was sent) or forged. Data is ``<action>:<ref>`` where
``<ref>`` names an intent or fact: its id when that is short and safe, else ``~`` and a hash
of it. Decoding accepts only known actions and refs that resolve to a key the engine knows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

MAX_CALLBACK_BYTES = 64
_RAW_REF = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
_RAW_PAYLOAD = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_HASH_LEN = 12


class Action(StrEnum):
    """What a button does; one letter each to keep callback data small."""

    ANSWER = "a"  # send the answer for a key as a new message
    SUGGEST = "s"  # answer a suggested question in place of the clarify message
    ORIGINAL = "o"  # the whole paragraph(s) the quote came from
    RELATED = "r"  # up to three related facts
    UP = "u"  # 👍
    DOWN = "d"  # 👎


@dataclass(frozen=True)
class Button:
    """A decoded, validated callback: the action and the knowledge key it applies to."""

    action: Action
    key: str


def _digest(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:_HASH_LEN]


class KeyCodec:
    """Maps knowledge keys (intent and fact ids) to short refs and back.

    Built from the keys the engine knows, so a ref for anything else decodes to None.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self._keys = set(keys)
        self._by_digest = {_digest(key): key for key in self._keys}

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    # callback data -------------------------------------------------------------------

    @staticmethod
    def ref(key: str) -> str:
        """The short reference for ``key`` in callback data."""
        return key if _RAW_REF.fullmatch(key) else "~" + _digest(key)

    def resolve(self, ref: str) -> str | None:
        """The key a ref names, or None if it names nothing this knowledge has."""
        if ref.startswith("~"):
            return self._by_digest.get(ref[1:])
        return ref if ref in self._keys else None

    def encode(self, action: Action, key: str) -> str:
        data = f"{action.value}:{self.ref(key)}"
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:  # pragma: no cover - refs are short
            raise ValueError(f"callback data too long: {data!r}")
        return data

    def decode(self, data: str | None) -> Button | None:
        """The button behind ``data``, or None for stale, malformed or forged data."""
        if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            return None
        letter, sep, ref = data.partition(":")
        if not sep:
            return None
        try:
            action = Action(letter)
        except ValueError:
            return None
        key = self.resolve(ref)
        return None if key is None else Button(action, key)

    # deep links --------------------------------------------------------------------------

    @staticmethod
    def payload(key: str) -> str:
        """A ``/start`` payload for ``key``: the id itself when allowed, else an encoding."""
        if _RAW_PAYLOAD.fullmatch(key):
            return key
        encoded = base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")
        if len(encoded) <= 62:
            return "x-" + encoded
        return "h-" + _digest(key)

    def from_payload(self, payload: str) -> str | None:
        """The key a ``/start`` payload opens, or None if it is unknown or malformed."""
        payload = payload.strip()
        if not _RAW_PAYLOAD.fullmatch(payload):
            return None
        if payload in self._keys:
            return payload
        if payload.startswith("x-"):
            body = payload[2:]
            try:
                key = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
            except (binascii.Error, ValueError):
                return None
            return key if key in self._keys else None
        if payload.startswith("h-"):
            return self._by_digest.get(payload[2:])
        return None


def deep_link(bot_username: str, key: str) -> str:
    """``https://t.me/<bot>?start=<payload>``: opens a private chat showing ``key``'s answer
    (for buttons in inline results and daily posts)."""
    return f"https://t.me/{bot_username}?start={KeyCodec.payload(key)}"
