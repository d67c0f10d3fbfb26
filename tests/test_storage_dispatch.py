"""``Storage.aio``: storage calls from async code run on the storage thread, in order, and a
call once handed over is finished even if its caller is cancelled."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot.storage import Storage

GROUP = -1001000000001


async def test_calls_run_on_the_storage_thread_and_return_their_result(tmp_path: Path) -> None:
    with Storage(tmp_path / "db.sqlite3") as db:
        sub = await db.aio.subscribe(GROUP, chat_type="supergroup", title="群", post_time="08:00")
        assert sub == db.get_subscription(GROUP)
        name = await db.aio.run(lambda: threading.current_thread().name)
        assert name.startswith("storage") and name != threading.current_thread().name
        assert await db.aio.unsubscribe(GROUP) is True
        assert await db.aio.unsubscribe(GROUP) is False


async def test_a_failing_call_raises_in_the_caller(tmp_path: Path) -> None:
    with Storage(tmp_path / "db.sqlite3") as db:
        with pytest.raises(ValueError, match="vote must be"):
            await db.aio.record_vote(
                chat_id=1, message_id=2, user_id=3, question=None, fact_id=None, vote=2
            )
        with pytest.raises(AttributeError):
            db.aio._tx  # noqa: B018 - the internals are not calls for async code


async def test_the_loop_runs_while_another_thread_holds_the_database(tmp_path: Path) -> None:
    """What a handler used to do on the loop (wait for the lock the broadcaster's fsync
    holds) now waits on the storage thread: the loop keeps serving meanwhile."""
    with Storage(tmp_path / "db.sqlite3") as db:
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with db._lock:
                held.set()
                release.wait(5)

        holder = threading.Thread(target=hold)
        holder.start()
        held.wait(5)
        write = asyncio.create_task(
            db.aio.subscribe(GROUP, chat_type="supergroup", title=None, post_time="09:00")
        )
        ticks = 0
        for _ in range(20):  # the loop is free: these run while the write waits for the lock
            await asyncio.sleep(0.005)
            ticks += 1
        assert ticks == 20 and not write.done()
        release.set()
        sub = await asyncio.wait_for(write, 5)
        holder.join(5)
        assert sub.post_time == "09:00"


async def test_a_cancelled_caller_does_not_take_its_write_back(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = Storage(path)
    gate = threading.Event()
    db.aio.submit(gate.wait, 5)  # the storage thread is busy: the vote waits in the queue
    vote = asyncio.create_task(
        db.aio.record_vote(chat_id=1, message_id=2, user_id=3, question="问", fact_id="f", vote=1)
    )
    await asyncio.sleep(0.01)
    vote.cancel()
    with pytest.raises(asyncio.CancelledError):
        await vote
    gate.set()
    db.close()  # waits for what was handed over
    with Storage(path) as again:
        assert [(v.user_id, v.vote) for v in again.votes()] == [(3, 1)]


async def test_calls_run_in_the_order_they_were_made(tmp_path: Path) -> None:
    with Storage(tmp_path / "db.sqlite3") as db:
        times = [f"{h:02d}:00" for h in range(24)]
        results = await asyncio.gather(
            *(
                db.aio.subscribe(GROUP, chat_type="supergroup", title=None, post_time=t)
                for t in times
            )
        )
        assert [r.post_time for r in results] == times
        assert db.get_subscription(GROUP).post_time == "23:00"  # type: ignore[union-attr]


async def test_the_broadcasts_calls_wait_behind_what_users_wait_for(tmp_path: Path) -> None:
    with Storage(tmp_path / "db.sqlite3") as db:
        gate, ran = threading.Event(), []
        db.aio.submit(gate.wait, 5)  # the thread is busy with one call
        bulk = [asyncio.create_task(db.aio.background(ran.append, f"post {n}")) for n in range(3)]
        await asyncio.sleep(0.01)
        vote = asyncio.create_task(db.aio.run(ran.append, "vote"))
        await asyncio.sleep(0.01)
        gate.set()
        await asyncio.gather(vote, *bulk)
        assert ran == ["vote", "post 0", "post 1", "post 2"]
