"""`factbot build`, `factbot check` and the `factbot report` command line: the curator's.

Each is given the knowledge folder the CLI chose (and announced); errors are file:line lines on
stderr, and the exit status says what happened: 0 done, 1 the knowledge (or data) has a
problem, 2 the command cannot be used this way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bot.paths import KNOWLEDGE_ENV, KnowledgeChoice, is_installed_copy

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def build_command(choice: KnowledgeChoice) -> int:
    """Rebuild facts.yaml, never inside an installed package (pip owns those files, and the
    next upgrade would replace them)."""
    from bot.kb.factfile import build_knowledge

    if choice.installed or is_installed_copy(choice.path):
        print(
            f"factbot build: {choice.path} is the copy of the knowledge installed with factbot, "
            f"which build does not change. Copy it to a folder of your own and build that: "
            f"factbot --knowledge DIR build (or set {KNOWLEDGE_ENV}=DIR)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    built = build_knowledge(choice.path)
    print(f"wrote {built.path} ({built.count} facts)")
    for old, new in built.edited:
        print(f"  {old.id} kept its id: “{old.text}” is now “{new.text}”")
    for intent_id, facts in sorted(built.lost.items()):
        for fact in facts:
            print(
                f"  {intent_id} lost its fact {fact.id}: the article no longer says "
                f"“{fact.text}” (run `factbot check` for what stands there now)",
                file=sys.stderr,
            )
    return EXIT_OK


def check_command(choice: KnowledgeChoice) -> int:
    """Validate everything; then the facts with a figure or a name that no intent reaches."""
    from bot.engine.normalize import normalize
    from bot.kb.store import load_knowledge, uncovered_facts
    from bot.kb.yamlsrc import display_path

    knowledge = load_knowledge(choice.path, normalise=normalize)
    missing = uncovered_facts(knowledge)
    shown = display_path(choice.path / "facts.yaml")
    for fact in missing:
        print(
            f"{shown}:{fact.line}: fact {fact.id} “{fact.text}” has a figure or a name but no "
            f"intent leads to it (add it to an intent's facts in intents.yaml)",
            file=sys.stderr,
        )
    if missing:
        return EXIT_FAIL
    print(
        f"knowledge OK: {len(knowledge.articles)} article(s), {len(knowledge.facts)} facts, "
        f"{len(knowledge.intents)} intents, {len(knowledge.smalltalk)} small-talk entries"
    )
    return EXIT_OK


def register_report(
    sub: argparse._SubParsersAction, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """Adds `factbot report` (bot.curate.report runs it)."""
    report = sub.add_parser(
        "report",
        help="what the bot could not answer, grouped, with YAML to paste into intents.yaml",
        description="Questions the bot declined or asked back about, and answers voted 👎, "
        "from the bot's database, grouped by similarity: each group with its count, the "
        "nearest intents and facts with their scores, and the YAML to paste.",
    )
    report.add_argument(
        "--since", metavar="DATE", help="only what was asked on or after DATE (YYYY-MM-DD)"
    )
    report.add_argument(
        "--data-dir", metavar="DIR", help="the bot's data folder (default: the data_dir setting)"
    )
    report.set_defaults(func=func)
    return report
