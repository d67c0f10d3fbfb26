"""Cold start: whole processes timed from start to exit, wall and CPU."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.engine.config import ROOT


def factbot_command() -> list[str]:
    """The virtualenv's `factbot` script beside this interpreter, else `python -m bot`."""
    script = Path(sys.executable).with_name("factbot")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bot"]


def time_process(command: Sequence[str], cpu: list[float] | None = None) -> tuple[float, str]:
    """Wall time of one whole process, start to exit, and what it printed (its CPU time, user
    and system, appended to `cpu`: what a busy machine inflates less than the wall time).

    The child may write bytecode caches even where this shell forbids it
    (PYTHONDONTWRITEBYTECODE): an installed copy has them, so a user's start-up does not
    compile every module."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        list(command),
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=env,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout


def cold_starts(
    commands: dict[str, list[str]], runs: int, cpu: dict[str, list[float]] | None = None
) -> tuple[dict[str, list[float]], str]:
    """`runs` timed runs of each command, taken in turns so both see the same machine load.

    One untimed run of each comes first: it writes bytecode caches and warms the file cache,
    which a user's second run would find warm too. Returns the times and factbot's output.
    """
    output = ""
    for name, command in commands.items():
        _, printed = time_process(command)
        output = printed if name == "factbot" else output
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            used = cpu.setdefault(name, []) if cpu is not None else None
            times[name].append(time_process(command, used)[0])
    return times, output
