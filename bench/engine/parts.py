"""The three parts of the benchmark: accuracy and latency, cold start, scale."""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.engine.baselines import make_baselines
from bench.engine.children import as_questions, build_largest, run_child
from bench.engine.cold import cold_starts, factbot_command
from bench.engine.config import COLD_QUESTION, DEV, KNOWLEDGE, ROOT
from bench.engine.measure import load_sets, measure
from bench.engine.report import pct, print_accuracy, print_cold, print_scale
from bench.engine.synthetic import Built
from bot.evaluate import load_items


@dataclass
class Settings:
    """What one run does: from the command line, with --quick choosing smaller defaults."""

    sets: list[Path]
    repeats: int
    cold_runs: int
    factors: tuple[int, ...]
    derived_copies: int
    scale_repeats: int


def part_accuracy(settings: Settings) -> None:
    """Part 1: the Engine and both baselines on the same questions, in this process."""
    from bot.engine.engine import Engine

    items = load_sets(settings.sets)
    engine = Engine.load(KNOWLEDGE)
    texts = [fact.text for fact in engine.knowledge.facts]
    baselines = make_baselines(texts, load_items(DEV))
    engine.ask("你好")  # the first question pays for lazy set-up; users ask many
    shown = ", ".join(
        str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in settings.sets
    )
    print(f"== 1. Accuracy and latency: {len(items)} questions ({shown}), one process ==")
    print(
        f"{len(texts)} facts; baselines quote the best fact, thresholds tuned on dev.yaml "
        "(best dev accuracy, ties to the stricter):"
    )
    for b in baselines:
        print(
            f"  {b.name}: answer when score >= {b.threshold:.2f} "
            f"(dev accuracy {pct(b.dev_accuracy)})"
        )
    results = [measure("engine", engine.ask, items, settings.repeats)]
    results += [measure(b.name, b.ask, items, settings.repeats) for b in baselines]
    print(
        f"latency per question over all questions: p50/p99 of the first ask, and again of the "
        f"median of {settings.repeats - 1} later asks"
        if settings.repeats > 1
        else "latency per question over all questions: p50/p99 of one ask"
    )
    print_accuracy(results)


def part_cold(settings: Settings) -> None:
    """Part 2: whole-process start-up of the CLI, beside the bare interpreter."""
    command = factbot_command()
    commands = {
        "factbot": [*command, "ask", COLD_QUESTION],
        "python": [sys.executable, "-c", "pass"],
    }
    print(f"\n== 2. Cold start: {settings.cold_runs} run(s) each, in turns, after a warm-up ==")
    cpu: dict[str, list[float]] = {}
    times, output = cold_starts(commands, settings.cold_runs, cpu)
    print_cold(times, output, command, cpu)


def part_scale(settings: Settings) -> None:
    """Part 3: real and synthetic knowledge, each built and measured in child processes."""
    dev = load_items(DEV)
    print(
        "\n== 3. Scale: the Engine on the real knowledge and on a synthetic one, each loaded "
        "in a fresh process =="
    )
    with tempfile.TemporaryDirectory(prefix="factbot-bench-") as work:
        workdir = Path(work)
        target, data, notes = build_largest(workdir, settings.factors, settings.derived_copies)
        built, copies, derived = Built(**data["built"]), data["copies"], data["derived"]
        questions = as_questions(dev, "dev") + derived
        path = workdir / "questions.json"
        path.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        print(
            f"synthetic {built.factor}x: the real article plus {built.factor - 1} copies "
            "(names and figures rewritten per copy, their terms and intents added); "
            f"{len(dev)} dev questions + {len(derived)} asked about copies {copies}, "
            f"each asked {settings.scale_repeats} time(s)"
        )
        common = ["--questions", str(path), "--repeats", str(settings.scale_repeats)]
        real = run_child(["--measure-kb", str(KNOWLEDGE), *common])
        big = run_child(["--measure-kb", str(target), *common])
    notes.append(
        "copies repeat the article's wording, so a question shares words with every "
        f"copy: a harder case for candidate retrieval than {built.factor} different articles"
    )
    notes.append("derived questions about copies are out of scope for 1x (not scored there)")
    print_scale([("1x (real)", None, real), (f"{built.factor}x", built, big)], notes)
