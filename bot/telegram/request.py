"""The bot's HTTP client for the Bot API: PTB's ``HTTPXRequest``, sending JSON bodies.

PTB posts every call as an ``application/x-www-form-urlencoded`` form. For this bot that is
the expensive choice: its messages are Chinese HTML with a keyboard, and percent-encoding
turns each Chinese character into nine bytes (``%E5%8C%97``), one Python call per byte - about
0.1 ms and 2.7 kB for a typical answer, against 0.05 ms and 1.1 kB as UTF-8 JSON, which the
Bot API accepts for every method except file uploads. Calls that carry files still go as
multipart forms, through PTB's own code.
"""

from __future__ import annotations

import json

import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

_JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}


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
