"""The engine in worker processes: the process side (`_worker_main`, module level so a spawned
process can find it) and the parent's handle on one process (`_Worker`: its two pipes, the
framing of what comes back, the jobs it holds). `bot.telegram.asker` schedules jobs on them
from the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import struct
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bot.engine.engine import Engine

# A request is (id, method, args), a result (id, ok, value): pickled, framed the way
# multiprocessing.Connection frames them - a 4-byte big-endian length, then the bytes.
_FRAME = struct.Struct("!i")


def _worker_main(
    requests: Connection,
    results: Connection,
    directory: str,
    bot_username: str,
    max_question_chars: int,
) -> None:
    """A worker process: loads the engine once, then answers requests until the parent closes
    its end. Signals are the parent's business: a Ctrl-C or a service manager's SIGTERM
    reaching the whole process group must not kill a worker mid-question before the parent
    has shut down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    engine = Engine.load(Path(directory), bot_username, max_question_chars)
    engine.warm_up()
    while True:
        try:
            ident, method, args = pickle.loads(requests.recv_bytes())
        except EOFError:
            return
        try:
            outcome = (ident, True, _compute(engine, method, args))
        except Exception as exc:  # the parent re-raises it in the handler that asked
            outcome = (ident, False, (exc, traceback.format_exc()))
        try:
            data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            failure = RuntimeError(f"the engine's result cannot be pickled: {exc!r}")
            data = pickle.dumps((ident, False, (failure, traceback.format_exc())))
        try:
            results.send_bytes(data)
        except OSError:  # the parent is gone
            return


def _compute(engine: Engine, method: str, args: tuple[Any, ...]) -> Any:
    if method == "ask":
        return engine.ask(*args)
    if method == "converse":
        return engine.converse(*args)
    if method == "ready":  # the worker has loaded its engine: how many facts it knows
        return len(engine.knowledge.facts)
    question, limit = args
    return engine.answers(question, limit=limit)


class _WorkerLost(Exception):
    """The worker holding a request died; the request goes to the thread instead."""


class RemoteTraceback(Exception):
    """The worker's traceback, chained to an exception the engine raised there."""

    def __str__(self) -> str:
        return f"\n\"\"\"\n{self.args[0]}\"\"\"" if self.args else ""


@dataclass
class _Job:
    ident: int
    method: str
    args: tuple[Any, ...]
    future: asyncio.Future[Any]


class _Worker:
    """One engine process, its two pipes and the jobs it holds."""

    def __init__(self, context: Any, number: int, directory: str, engine: Engine) -> None:
        request_reader, self.requests = context.Pipe(duplex=False)
        self.results, result_writer = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_worker_main,
            args=(
                request_reader,
                result_writer,
                directory,
                engine.bot_username,
                engine.max_question_chars,
            ),
            name=f"factbot-engine-{number}",
            daemon=True,
        )
        self.process.start()
        request_reader.close()  # the child's ends: closing ours lets each side see EOF
        result_writer.close()
        os.set_blocking(self.results.fileno(), False)
        self.jobs: dict[int, _Job] = {}
        self.buffer = bytearray()
        self.attached: asyncio.AbstractEventLoop | None = None
        self.lost = False

    def send(self, job: _Job) -> None:
        self.requests.send_bytes(
            pickle.dumps((job.ident, job.method, job.args), pickle.HIGHEST_PROTOCOL)
        )
        self.jobs[job.ident] = job

    def read(self) -> tuple[list[tuple[int, bool, Any]], bool]:
        """The results that have arrived (without blocking) and whether the worker is gone."""
        gone = False
        while True:
            try:
                chunk = os.read(self.results.fileno(), 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                gone = True
                break
            if not chunk:
                gone = True
                break
            self.buffer += chunk
        done = []
        while len(self.buffer) >= _FRAME.size:
            (size,) = _FRAME.unpack_from(self.buffer)
            end = _FRAME.size + size
            if len(self.buffer) < end:
                break
            done.append(pickle.loads(self.buffer[_FRAME.size : end]))
            del self.buffer[:end]
        return done, gone

    def close(self) -> None:
        for end in (self.requests, self.results):
            with contextlib.suppress(OSError):
                end.close()
