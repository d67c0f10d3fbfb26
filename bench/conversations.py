"""What the conversation context buys and costs: every conversation turn of knowledge/eval/,
answered with its context (`Engine.converse`) beside the same turn asked alone (`Engine.ask`).

    python -m bench.conversations [--sets knowledge/eval/conv_tune1.yaml ...] [--rounds 3]

Prints, side by side, accuracy per turn tag and CPU time per turn; nothing here asserts time.
Asked alone is the baseline: a follow-up such as "它是谁发布的？" has to be read by luck.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/conversations.py
    sys.path.insert(0, str(ROOT))

from bot.engine.context import EMPTY  # noqa: E402
from bot.engine.engine import Engine  # noqa: E402
from bot.evaluate import TURN_SECONDS, Item, load_items  # noqa: E402

EVAL = ROOT / "knowledge" / "eval"


def conversation_sets() -> list[Path]:
    """The conversation files of knowledge/eval/ (those named conv_*.yaml)."""
    return sorted(EVAL.glob("conv_*.yaml"))


def run(engine: Engine, items: list[Item], with_context: bool) -> tuple[list[bool], float]:
    """Whether each turn was right, and the CPU seconds all turns took."""
    results: list[bool] = []
    context, now, previous = EMPTY, 0.0, ""
    started = time.process_time()
    for item in items:
        if item.conversation != previous:
            context = EMPTY
        previous = item.conversation
        now += TURN_SECONDS
        if with_context:
            reply, context = engine.converse(item.question, context, now)
        else:
            reply = engine.ask(item.question)
        results.append(item.judge(reply))
    return results, time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", type=Path, help="conversation files")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median reported)")
    args = parser.parse_args(argv)
    engine = Engine.load()
    sets = args.sets or conversation_sets()
    loaded = {path: [i for i in load_items(path) if i.conversation] for path in sets}
    items = [i for path in sets for i in loaded[path]]
    count = sum(len({i.conversation for i in turns}) for turns in loaded.values())
    print(f"{len(items)} turns in {count} conversations of {len(sets)} files")
    print(f"{'turn tag':<12} {'turns':>5} {'with context':>14} {'asked alone':>12}")
    times: dict[bool, list[float]] = defaultdict(list)
    right: dict[bool, list[bool]] = {}
    for _ in range(max(1, args.rounds)):
        for with_context in (True, False):
            right[with_context], seconds = run(engine, items, with_context)
            times[with_context].append(seconds)
    tags = sorted({i.tag or "-" for i in items})
    for tag in [*tags, "all"]:
        chosen = [n for n, i in enumerate(items) if tag in ("all", i.tag or "-")]
        share = {w: sum(right[w][n] for n in chosen) / len(chosen) for w in (True, False)}
        print(f"{tag:<12} {len(chosen):>5} {share[True]:>13.1%} {share[False]:>12.1%}")
    per_turn = {w: 1000 * statistics.median(times[w]) / len(items) for w in (True, False)}
    print(
        f"CPU per turn: {per_turn[True]:.2f} ms with context, {per_turn[False]:.2f} ms alone "
        f"({per_turn[True] / per_turn[False]:.2f}x; median of {len(times[True])} rounds)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
