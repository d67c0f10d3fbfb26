"""The bot's HTTP client for the Bot API: PTB's ``HTTPXRequest``, sending JSON bodies, and
sending a call again when that is safe and worth it.

PTB posts every call as an ``application/x-www-form-urlencoded`` form. For this bot that is
the expensive choice: its messages are Chinese HTML with a keyboard, and percent-encoding
turns each Chinese character into nine bytes (``%E5%8C%97``), one Python call per byte - about
0.1 ms and 2.7 kB for a typical answer, against 0.05 ms and 1.1 kB as UTF-8 JSON, which the
Bot API accepts for every method except file uploads. Calls that carry files still go as
multipart forms, through PTB's own code.

Retries: flood waits (429) are the rate limiter's; ``getUpdates`` is PTB's polling loop's;
messages are sent once here (a second copy is worse than an apology; daily posts have their
own policy in ``bot.daily.broadcaster``). Every other call - harmless to repeat - is sent
again, twice at most, after a failure that leaves it undone or open: no connection, 500, 502,
503, 504, a reset connection, a reply slower than the timeout. A call that still fails raises
with its method and the number of attempts in the message, so the one log line about it says
what failed and why; one that went through after a failure is logged once at INFO.
"""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

_JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}
# Failures worth another attempt: the answer was an error from Telegram's side.
_RETRY_STATUS = frozenset({500, 502, 503, 504})
RETRY_DELAYS = (0.2, 0.8)  # before the second and the third attempt
_QUERY_GONE = "query is too old"
_ANSWERED = (200, b'{"ok":true,"result":true}')


def repeatable(method: str) -> bool:
    """Whether doing ``method`` twice is harmless (a second message would not be)."""
    name = method.lower()
    return name == "sendchataction" or not name.startswith(("send", "copy", "forward"))


class _Failed(Exception):
    """One attempt failed: the error to raise, or the reply to hand PTB, if it was the last."""

    def __init__(
        self, cause: str, *, error: Exception | None = None, reply: tuple[int, bytes] | None = None
    ) -> None:
        super().__init__(cause)
        self.cause = cause
        self.error = error
        self.reply = reply


class JsonRequest(HTTPXRequest):
    """``HTTPXRequest`` that sends a call's parameters as one UTF-8 JSON object."""

    __slots__ = ()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        if name.lower() == "getupdates" or not repeatable(name):
            return await self._send(url, method, request_data, *timeouts)
        causes: list[str] = []
        for attempt in range(len(RETRY_DELAYS) + 1):
            try:
                code, payload = await self._attempt(url, method, request_data, *timeouts)
            except _Failed as failure:
                causes.append(failure.cause)
                if attempt == len(RETRY_DELAYS):
                    return self._give_up(name, failure, len(causes))
                await asyncio.sleep(RETRY_DELAYS[attempt])
                continue
            if causes and code == 400 and _QUERY_GONE in payload.decode("utf-8", "replace"):
                # An earlier attempt answered the query after all (or it expired meanwhile).
                return _ANSWERED
            if causes:
                log.info("%s went through on attempt %d after %s", name, attempt + 1,
                         "; ".join(causes))
            return code, payload
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self,
        url: str,
        method: str,
        request_data: RequestData | None,
        *timeouts: ODVInput[float],
    ) -> tuple[int, bytes]:
        try:
            code, payload = await self._send(url, method, request_data, *timeouts)
        except TimedOut as err:
            raise _Failed(f"timed out ({type(err.__cause__).__name__})", error=err) from err
        except NetworkError as err:
            raise _Failed(str(err), error=err) from err
        if code in _RETRY_STATUS:
            raise _Failed(f"HTTP {code}", reply=(code, payload))
        return code, payload

    @staticmethod
    def _give_up(name: str, failure: _Failed, attempts: int) -> tuple[int, bytes]:
        tried = f"{attempts} attempt{'s' if attempts > 1 else ''}"
        if failure.reply is not None:  # PTB turns it into NetworkError with this description
            code, payload = failure.reply
            try:
                body = json.loads(payload)
                described = body.get("description") or f"HTTP {code}"
            except (ValueError, AttributeError):
                body, described = {"ok": False}, f"HTTP {code}"
            body["description"] = f"{name}: {described} ({code}, {tried})"
            return code, json.dumps(body, ensure_ascii=False).encode("utf-8")
        error = failure.error
        kind = TimedOut if isinstance(error, TimedOut) else NetworkError
        raise kind(f"{name}: {failure.cause} ({tried})") from error

    async def _send(
        self,
        url: str,
        method: str,
        request_data: RequestData | None,
        read_timeout: ODVInput[float],
        write_timeout: ODVInput[float],
        connect_timeout: ODVInput[float],
        pool_timeout: ODVInput[float],
    ) -> tuple[int, bytes]:
        if request_data is None or request_data.contains_files:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )
        if self._client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        body = json.dumps(
            request_data.parameters, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=_or(connect_timeout, defaults.connect),
            read=_or(read_timeout, defaults.read),
            write=_or(write_timeout, defaults.write),
            pool=_or(pool_timeout, defaults.pool),
        )
        # The same error mapping as HTTPXRequest.do_request.
        try:
            response = await self._client.request(
                method=method, url=url, headers=_JSON_HEADERS, timeout=timeout, content=body
            )
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(
                    message=(
                        "Pool timeout: All connections in the connection pool are occupied. "
                        "Request was *not* sent to Telegram. Consider adjusting the connection "
                        "pool size or the pool timeout."
                    )
                ) from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content


def _or(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value
