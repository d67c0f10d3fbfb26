"""`factbot report [--since DATE]`: the curator's to-do list, from the bot's own database.

Questions the bot declined or asked back about, and answers voted 👎, grouped by similarity;
each group with its count, the nearest intents and facts with their scores, and what to do,
with the YAML to paste where it goes. Reads the database only; it never creates one.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from bot.curate.advice import Advice, Advisor
from bot.curate.groups import Group, gather, group
from bot.paths import KnowledgeChoice

if TYPE_CHECKING:
    from bot.config import Settings

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
_KIND_LABELS = {"fallback": "declined", "clarify": "asked back", "down": "👎"}


def _since(value: str | None, settings: Settings) -> datetime | None:
    """Midnight of DATE in the bot's timezone (the day its users lived)."""
    if not value:
        return None
    day = date.fromisoformat(value.strip())
    return datetime.combine(day, time(0, 0), tzinfo=settings.tz)


def run_report(args: argparse.Namespace, choice: KnowledgeChoice) -> int:
    from pathlib import Path

    from bot.config import load_settings
    from bot.engine.engine import Engine
    from bot.engine.normalize import normalize
    from bot.storage import SchemaTooNewError, Storage, unusable_reason

    settings = load_settings(getattr(args, "config", None))
    try:
        since = _since(args.since, settings)
    except ValueError:
        print(f"factbot report: --since {args.since!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return EXIT_USAGE
    data_dir = Path(args.data_dir) if args.data_dir else settings.data_dir
    db_path = data_dir / settings.db_path.name
    if not db_path.is_file():
        print(
            f"factbot report: no database at {db_path}: the bot records questions there once "
            "it runs (set data_dir, FACTBOT_DATA_DIR or --data-dir to the bot's data folder)",
            file=sys.stderr,
        )
        return EXIT_FAIL
    engine = Engine.load(choice.path)  # KnowledgeInvalid: reported by bot.cli
    try:
        with Storage(db_path, readonly=True) as storage:
            asked = gather(storage, since)
    except (SchemaTooNewError, sqlite3.Error, OSError) as exc:
        print(f"factbot report: {unusable_reason(db_path, exc)}", file=sys.stderr)
        return EXIT_USAGE
    advisor = Advisor(engine, normalize)
    groups = group(asked, normalize, advisor.names)
    period = f" since {args.since}" if args.since else ""
    if not groups:
        print(f"nothing to report{period}: every question was answered, and no 👎")
        return EXIT_OK
    print(
        f"{len(asked)} question(s){period} in {len(groups)} group(s), the most asked first "
        f"(from {db_path})"
    )
    for number, one in enumerate(groups, start=1):
        print()
        print("\n".join(render(number, one, advisor.advise(one))))
    return EXIT_OK


def render(number: int, one: Group, advice: Advice) -> list[str]:
    """One group as the report prints it."""
    counts = ", ".join(
        f"{_KIND_LABELS.get(kind, kind)} {count}" for kind, count in sorted(one.counts().items())
    )
    lines = [f"group {number}: {one.count} time(s) ({counts})"]
    lines += [f"  {p.count}× {p.question}" for p in one.phrasings]
    if one.voted_down:
        lines.append(f"  👎 on the answer quoting {', '.join(sorted(set(one.voted_down)))}")
    near = ", ".join(
        f"{n.key} {n.score:.2f}" + (f" (lacks {'、'.join(n.lacks)})" if n.lacks else "")
        for n in advice.intents
    )
    lines.append(f"  nearest intents: {near or '(none)'}")
    lines.append("  nearest facts:" + ("" if advice.facts else " (none)"))
    lines += [f"    {n.key} {n.score:.2f} “{_clip(n.text)}”" for n in advice.facts]
    lines.append(f"  to do: {advice.verdict}")
    if advice.snippet:
        lines.append(f"  {advice.where}")
        lines.append("")
        lines += advice.snippet
    return lines


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
