"""Each knowledge base built and measured in a child process of its own."""

from __future__ import annotations

import json
import math
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from bench.engine.config import BUILD_LIMIT_S, DEV, ROOT
from bench.engine.measure import measure
from bench.engine.rewrite import derived_items
from bench.engine.synthetic import build_synthetic, spread
from bot.evaluate import Item, load_items


def rss_mb() -> float:
    """Current resident memory of this process (Linux /proc; NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure_knowledge(directory: Path, questions: list[dict], repeats: int) -> dict:
    """Load the Engine on `directory` and time every question: run in a child process, so that
    its memory figures are this knowledge base's alone."""
    from bot.engine.engine import Engine

    before = rss_mb()
    start = time.perf_counter()
    engine = Engine.load(directory)
    load_s = time.perf_counter() - start
    after = rss_mb()
    engine.ask("你好")  # the first question pays for lazy set-up; users ask many
    items = [Item(q["q"], q["kind"], tuple(q["strings"]), q["any"], q["group"]) for q in questions]
    result = measure("engine", engine.ask, items, repeats)
    return {
        "load_s": load_s,
        "rss_before_mb": before,
        "rss_after_load_mb": after,
        "peak_rss_mb": peak_rss_mb(),
        "facts": len(engine.knowledge.facts),
        "intents": len(engine.knowledge.intents),
        "candidates": len(engine.index.candidates),
        "first_ms": result.first_ms,
        "again_ms": result.again_ms,
        "correct": result.correct,
        "groups": [item.tag for item in items],
    }


def run_child(args: list[str], timeout: float | None = None) -> dict:
    """Run this module in a fresh interpreter; its last output line is a JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.engine", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.engine {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_child(target: Path, factor: int, derived_copies: int) -> dict:
    """In the build child: build, then rewrite the dev questions for a few copies spread over
    all of them, with the same tables the copies were made with."""
    built, rewrites = build_synthetic(target, factor)
    copies = spread(derived_copies, factor - 1)
    derived = derived_items(load_items(DEV), [r for r in rewrites if r.index in copies])
    return {
        "built": built.__dict__,
        "copies": copies,
        "derived": as_questions(derived, "derived"),
    }


def build_largest(
    workdir: Path, factors: Sequence[int], derived_copies: int
) -> tuple[Path, dict, list[str]]:
    """The largest synthetic knowledge base of `factors` that builds within BUILD_LIMIT_S."""
    notes = []
    for factor in factors:
        target = workdir / f"knowledge_x{factor}"
        args = ["--build-kb", str(target), "--factor", str(factor)]
        try:
            data = run_child([*args, "--derived-copies", str(derived_copies)], BUILD_LIMIT_S)
        except subprocess.TimeoutExpired:
            notes.append(
                f"building {factor}x took over {BUILD_LIMIT_S:.0f} s, so a smaller factor was used"
            )
            shutil.rmtree(target, ignore_errors=True)
            continue
        return target, data, notes
    raise RuntimeError("no synthetic knowledge base could be built in time: " + "; ".join(notes))


def as_questions(items: Iterable[Item], group: str) -> list[dict]:
    return [
        {
            "q": i.question,
            "kind": i.kind,
            "strings": list(i.strings),
            "any": i.match_any,
            "group": group,
        }
        for i in items
    ]
