"""The command line: the three parts, or one child's job (--build-kb, --measure-kb)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import bench.engine
from bench.engine.children import build_child, measure_knowledge
from bench.engine.config import FACTORS, KNOWLEDGE
from bench.engine.parts import Settings, part_accuracy, part_cold, part_scale


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.engine", description=(bench.engine.__doc__ or "").split("\n")[0]
    )
    parser.add_argument(
        "--sets",
        nargs="+",
        type=Path,
        metavar="FILE.yaml",
        help="question sets (default: every knowledge/eval/*.yaml)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a fast run: 10x scale, one repetition, 3 cold starts"
    )
    parser.add_argument("--factor", type=int, help="synthetic size (default 100, quick 10)")
    parser.add_argument("--repeats", type=int, help="runs per question in part 1 (default 5)")
    parser.add_argument("--cold-runs", type=int, help="runs per command in part 2 (default 7)")
    parser.add_argument(
        "--derived-copies", type=int, help="copies whose questions are asked at scale (default 6)"
    )
    parser.add_argument("--parts", default="123", help="which parts to run, e.g. 13")
    parser.add_argument("--build-kb", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure-kb", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--questions", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    quick = args.quick
    if args.factor:
        factors = tuple(f for f in FACTORS if f < args.factor)
        factors = (args.factor, *factors)
    else:
        factors = (10,) if quick else FACTORS
    return Settings(
        sets=args.sets
        or sorted(p for p in (KNOWLEDGE / "eval").glob("*.yaml") if p.name != "floors.yaml"),
        repeats=args.repeats or (1 if quick else 5),
        cold_runs=args.cold_runs or (3 if quick else 7),
        factors=factors,
        derived_copies=args.derived_copies
        if args.derived_copies is not None
        else (1 if quick else 6),
        scale_repeats=1 if quick else 3,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.build_kb:  # child: build a synthetic knowledge base, print what was built
        data = build_child(args.build_kb, args.factor, args.derived_copies or 0)
        print(json.dumps(data, ensure_ascii=False))
        return 0
    if args.measure_kb:  # child: load one knowledge base and time the questions
        questions = json.loads(args.questions.read_text(encoding="utf-8"))
        print(json.dumps(measure_knowledge(args.measure_kb, questions, args.repeats or 1)))
        return 0
    settings = settings_from(args)
    parts = {"1": part_accuracy, "2": part_cold, "3": part_scale}
    for key in args.parts:
        parts[key](settings)
        sys.stdout.flush()
    return 0
