"""The broadcast's bookkeeping in SQLite: every call on the storage thread, in the lane
behind the handlers' calls, and a post's outcome recorded even when recording fails."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from bot.storage import Storage

__all__ = ["finish", "finish_now", "stored"]

log = logging.getLogger(__name__)
T = TypeVar("T")


async def stored(storage: Storage, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """A storage call on the storage thread (``Storage.aio``), behind the handlers' calls.

    Each commit waits for an fsync; on the event loop that wait would hold up every other
    chat's send and answer, and so the pacing; in the handlers' lane, a vote would wait for
    the broadcast's queue. A call handed over is finished even if this task is cancelled,
    so an outcome is never lost between the send and its record.
    """
    return await storage.aio.background(call, *args, **kwargs)


async def finish(
    storage: Storage,
    post_id: int,
    status: str,
    *,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    """Records a post's outcome (step 4 of a post)."""
    await stored(storage, finish_now, storage, post_id, status, message_id=message_id,
                 error=error)


def finish_now(
    storage: Storage,
    post_id: int,
    status: str,
    *,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    """The same, synchronously (on the storage thread, or queued at cancellation)."""
    try:
        storage.finish_post(post_id, status=status, message_id=message_id, error=error)
    except Exception:  # the row stays "pending" and becomes "uncertain" at the next start
        log.exception("could not record the result (%s) of daily post %s", status, post_id)
