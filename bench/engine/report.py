"""The printed tables and verdicts of the three parts."""

from __future__ import annotations

import math
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from bench.engine.config import (
    COLD_QUESTION,
    KIND_LABELS,
    KINDS,
    TARGET_COLD_MEDIAN_S,
    TARGET_MEAN_MS,
    TARGET_P99_MS,
    TARGET_PEAK_MB,
)
from bench.engine.measure import Measured, percentile
from bench.engine.synthetic import Built


def ljust(text: str, width: int) -> str:
    """Left-justify by display width: a Chinese character takes two columns of a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def fraction(measured: Measured, kind: str | None) -> str:
    passed, total = measured.counts(kind)
    return f"{passed}/{total} {pct(passed / total)}" if total else "-"


def ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None:
        return "-"
    return "inf" if theirs == 0 else f"{ours / theirs:.2f}x"


def print_accuracy(results: Sequence[Measured]) -> None:
    header = (
        f"{'system':<14}{'overall':>16}"
        + "".join(f"{KIND_LABELS[k]:>16}" for k in KINDS)
        + f"{'p50 ms':>9}{'p99 ms':>9}{'again p50':>11}{'again p99':>11}"
        + f"{'mean ms':>9}{'CPU ms':>8}"
    )
    print(header)
    for m in results:
        row = f"{m.name:<14}{fraction(m, None):>16}" + "".join(
            f"{fraction(m, k):>16}" for k in KINDS
        )
        first = f"{percentile(m.first_ms, 50):>9.2f}{percentile(m.first_ms, 99):>9.2f}"
        again = f"{percentile(m.again_ms, 50):>11.2f}{percentile(m.again_ms, 99):>11.2f}"
        mean = f"{statistics.fmean(m.first_ms):>9.2f}{statistics.fmean(m.first_cpu_ms):>8.2f}"
        print(row + first + again + mean)
    ours = results[0]
    mean = statistics.fmean(ours.first_ms)
    verdict = "meets" if mean <= TARGET_MEAN_MS else "MISSES"
    print(
        f"{ours.name} mean {mean:.2f} ms per question over the batch (CPU "
        f"{statistics.fmean(ours.first_cpu_ms):.2f} ms) {verdict} the target <= {TARGET_MEAN_MS} ms"
    )
    for other in results[1:]:
        parts = [f"overall {ratio(ours.accuracy(), other.accuracy())}"]
        parts += [f"{KIND_LABELS[k]} {ratio(ours.accuracy(k), other.accuracy(k))}" for k in KINDS]
        print(f"accuracy ratio {ours.name} / {other.name}: " + ", ".join(parts))


def print_cold(
    times: dict[str, list[float]], output: str, command: list[str], cpu: dict[str, list[float]]
) -> None:
    label = {"factbot": f"factbot ask {COLD_QUESTION}", "python": "python -c pass"}
    print(f"{'process':<32}{'median s':>10}{'max s':>10}{'min s':>10}{'CPU s':>8}")
    for name, values in times.items():
        print(
            f"{ljust(label[name], 32)}{statistics.median(values):>10.3f}{max(values):>10.3f}"
            f"{min(values):>10.3f}{statistics.median(cpu.get(name) or [math.nan]):>8.3f}"
        )
    factbot, floor = statistics.median(times["factbot"]), statistics.median(times["python"])
    verdict = "meets" if factbot <= TARGET_COLD_MEDIAN_S else "MISSES"
    print(
        f"factbot median {factbot:.3f} s {verdict} the target <= {TARGET_COLD_MEDIAN_S:.1f} s; "
        f"{factbot - floor:.3f} s above the interpreter's floor"
    )
    first = output.strip().splitlines()[0] if output.strip() else "(no output)"
    print(f"command: {' '.join(command)} -> {first}")


SCALE_COLUMNS = (
    ("knowledge", 11),
    ("facts", 7),
    ("intents", 8),
    ("build s", 9),
    ("load s", 8),
    ("base MB", 9),
    ("+load MB", 9),
    ("peak MB", 9),
    ("asked", 7),
    ("p50 ms", 9),
    ("p99 ms", 9),
    ("max ms", 9),
    ("again p99", 11),
    ("dev acc", 9),
    ("derived acc", 12),
)


def scale_row(label: str, built: Built | None, data: dict) -> list[str]:
    """One knowledge base's figures, in the order of SCALE_COLUMNS."""
    lat = data["first_ms"]
    by_group: dict[str, list[bool]] = defaultdict(list)
    for group, ok in zip(data["groups"], data["correct"], strict=True):
        by_group[group].append(ok)
    acc = {g: sum(v) / len(v) for g, v in by_group.items()}
    return [
        label,
        str(data["facts"]),
        str(data["intents"]),
        f"{built.seconds:.1f}" if built else "-",
        f"{data['load_s']:.2f}",
        f"{data['rss_before_mb']:.1f}",
        f"{data['rss_after_load_mb'] - data['rss_before_mb']:.1f}",
        f"{data['peak_rss_mb']:.1f}",
        str(len(lat)),
        f"{percentile(lat, 50):.2f}",
        f"{percentile(lat, 99):.2f}",
        f"{max(lat):.2f}",
        f"{percentile(data['again_ms'], 99):.2f}",
        pct(acc.get("dev")),
        pct(acc.get("derived")) if built else "(n/a)",
    ]


def print_scale(rows: list[tuple[str, Built | None, dict]], notes: list[str]) -> None:
    widths = [w for _, w in SCALE_COLUMNS]
    lines = [[name for name, _ in SCALE_COLUMNS]] + [scale_row(*row) for row in rows]
    for cells in lines:
        rest = zip(cells[1:], widths[1:], strict=True)
        print(cells[0].ljust(widths[0]) + "".join(c.rjust(w) for c, w in rest))
    print(
        "p50/p99/max: first ask of each question; again p99: median of the later asks. "
        "base MB: resident memory after imports, before Engine.load; +load MB: what loading "
        "added; peak MB: ru_maxrss of that process"
    )
    for label, _, data in rows:
        p99, peak = percentile(data["first_ms"], 99), data["peak_rss_mb"]
        print(
            f"{label}: p99 {p99:.1f} ms {'meets' if p99 <= TARGET_P99_MS else 'MISSES'} "
            f"<= {TARGET_P99_MS:.0f} ms; peak {peak:.0f} MB "
            f"{'meets' if peak <= TARGET_PEAK_MB else 'MISSES'} <= {TARGET_PEAK_MB:.0f} MB"
        )
    for note in notes:
        print(f"note: {note}")
