"""`factbot` (and `python -m bot`): every operator command, on the same engine as the bot.

Invalid knowledge stops every command with the messages of `factbot check` (file:line: what is
wrong (what to do)) and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError
from bot.kb.yamlsrc import KnowledgeInvalid
from bot.options import add_config_option

if TYPE_CHECKING:
    from bot.paths import KnowledgeChoice

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _knowledge(args: argparse.Namespace) -> KnowledgeChoice:
    """The knowledge folder this command uses (flag, environment, config file, checkout or the
    installed copy), announced in one line on stderr so a curator knows which copy it read."""
    from bot.config import CONFIG_ENV, load_settings
    from bot.paths import choose_knowledge

    config = getattr(args, "config", None)
    settings = load_settings(config)  # ConfigError: one line and exit 2, in main
    named = config or os.environ.get(CONFIG_ENV, "").strip() or None
    choice = choose_knowledge(args.knowledge, settings.knowledge_dir, named)
    print(choice.describe(), file=sys.stderr)
    return choice


def _knowledge_dir(args: argparse.Namespace) -> Path:
    return _knowledge(args).path


def _engine(args: argparse.Namespace):
    from bot.engine.engine import Engine

    return Engine.load(_knowledge_dir(args))


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.engine.context import EMPTY as EMPTY_CONTEXT

    engine = _engine(args)
    if args.question:
        reply = engine.ask(" ".join(args.question), explain=args.explain)
        if args.json:
            print(json.dumps(reply.as_json(explain=args.explain), ensure_ascii=False))
        else:
            print(reply.text)
            if args.explain:
                print(json.dumps(reply.explanation, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not args.json:
        print(
            "factbot ask: give a question, or use --json to read one question per line "
            "from standard input",
            file=sys.stderr,
        )
        return EXIT_USAGE
    sessions: dict[str, Any] = {}  # session -> its conversation context
    for line in sys.stdin:
        question, session = _stdin_question(line.rstrip("\n"))
        if session is None:
            data = engine.ask(question, explain=args.explain).as_json(explain=args.explain)
        else:
            reply, sessions[session] = engine.converse(
                question, sessions.get(session, EMPTY_CONTEXT), time.monotonic()
            )
            data = {**reply.as_json(explain=args.explain), "session": session}
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return EXIT_OK


def _stdin_question(line: str) -> tuple[str, str | None]:
    """A plain line is a question alone; a JSON line `{"q": ..., "session": "s1"}` is a turn
    of that session's conversation (lines of one session share a context, in order)."""
    if not line.lstrip().startswith("{"):
        return line, None
    try:
        data = json.loads(line)
    except ValueError:
        return line, None
    if not isinstance(data, dict) or not isinstance(data.get("q"), str):
        return line, None
    session = data.get("session")
    return data["q"], None if session is None else str(session)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.engine.context import EMPTY as EMPTY_CONTEXT

    engine = _engine(args)
    article = engine.knowledge.main_article
    print(f"关于《{article.title}》，有什么想问的？（输入 exit 或按 Ctrl-D 退出）")
    context = EMPTY_CONTEXT  # follow-ups ("它是谁发布的？") are read with the last answer
    while True:
        try:
            question = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if question.strip().lower() in {"exit", "quit", "退出"}:
            return EXIT_OK
        if question.strip():
            reply, context = engine.converse(question, context, time.monotonic())
            print(reply.text)
            print()


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluate import evaluate, format_report, load_items

    if args.floors is None and not args.files:
        print("factbot eval: name question sets, or --floors", file=sys.stderr)
        return EXIT_USAGE
    if args.readme and args.floors is None:
        print("factbot eval: --readme needs --floors", file=sys.stderr)
        return EXIT_USAGE
    engine = _engine(args)
    if args.floors is not None:
        return _eval_floors(args, engine)
    status = EXIT_OK
    for name in args.files:
        report = evaluate(engine, load_items(Path(name)))
        print(format_report(report, name))
        limits = [
            ("overall", report.accuracy, args.min_accuracy),
            ("answers", report.kind_accuracy("answer"), args.min_answer),
            ("out of scope", report.kind_accuracy("oos"), args.min_oos),
            ("small talk", report.kind_accuracy("smalltalk"), args.min_smalltalk),
            ("follow-up", report.followup_accuracy, args.min_followup),
        ]
        for label, value, minimum in limits:
            if minimum is not None and value is not None and value < minimum:
                print(f"{name}: {label} accuracy {value:.3f} is below the minimum {minimum}")
                status = EXIT_FAIL
    return status


def _eval_floors(args: argparse.Namespace, engine: Any) -> int:
    """Every set of the floors file scored against its group's floors; with --readme, the
    README's accuracy table rewritten from the figures."""
    from bot.evaluate import evaluate, format_report, load_items
    from bot.floors import load_floors, shortfalls, table, unlisted, with_table

    path = Path(args.floors)
    groups = load_floors(path)
    status = EXIT_OK
    for name in unlisted(groups, path.parent):
        print(f"{path}: {name} has no floors: add it to a group", file=sys.stderr)
        status = EXIT_FAIL
    reports = {}
    for group in groups:
        for name in group.sets:
            shown = str(path.parent / name)
            reports[name] = report = evaluate(engine, load_items(path.parent / name))
            print(format_report(report, shown, totals_only=group.held_out))
            for line in shortfalls(shown, report, group.floors):
                print(line)
                status = EXIT_FAIL
    if args.readme:
        readme = Path(args.readme)
        readme.write_text(
            with_table(readme.read_text(encoding="utf-8"), table(groups, reports)),
            encoding="utf-8",
        )
        print(f"{readme}: accuracy table written")
    return status


def cmd_build(args: argparse.Namespace) -> int:
    from bot.curate.commands import build_command

    return build_command(_knowledge(args))


def cmd_check(args: argparse.Namespace) -> int:
    from bot.curate.commands import check_command

    return check_command(_knowledge(args))


def cmd_report(args: argparse.Namespace) -> int:
    from bot.curate.report import run_report

    return run_report(args, _knowledge(args))


_ENGINE_COMMANDS = {"ask", "chat", "eval", "build", "check", "report"}
_CORE_COMMANDS = _ENGINE_COMMANDS | {"health", "stats", "forget"}


def _command_word(argv: list[str] | None) -> str | None:
    """The command a command line names (None: none, or not known yet)."""
    words = iter(argv or ())
    for word in words:
        if word == "--knowledge":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="factbot",
        description="Answers Chinese questions about a news article, quoting its source.",
    )
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        help="knowledge folder (default: $FACTBOT_KNOWLEDGE_DIR, knowledge_dir in the config "
        "file, the checkout's knowledge/, else the copy installed with factbot)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer one question (or, with --json, one per stdin line)")
    ask.add_argument("question", nargs="*", help="the question")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--explain", action="store_true", help="show how the answer was chosen")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="ask questions at an interactive prompt")
    chat.set_defaults(func=cmd_chat)

    ev = sub.add_parser("eval", help="score the engine on question sets")
    ev.add_argument("files", nargs="*", metavar="FILE.yaml")
    ev.add_argument(
        "--floors",
        nargs="?",
        const="knowledge/eval/floors.yaml",
        metavar="FLOORS.yaml",
        help="score every set of the floors file against its floors (default file: %(const)s)",
    )
    ev.add_argument(
        "--readme", metavar="README.md", help="with --floors: rewrite its accuracy table"
    )
    ev.add_argument("--min-accuracy", type=float, metavar="X", help="fail below this overall")
    ev.add_argument("--min-answer", type=float, metavar="X", help="fail below this on answers")
    ev.add_argument("--min-oos", type=float, metavar="X", help="fail below this on out of scope")
    ev.add_argument(
        "--min-smalltalk", type=float, metavar="X", help="fail below this on small talk"
    )
    ev.add_argument(
        "--min-followup",
        type=float,
        metavar="X",
        help="fail below this on the follow-up turns of conversations",
    )
    ev.set_defaults(func=cmd_eval)

    build = sub.add_parser("build", help="rebuild knowledge/facts.yaml from the articles")
    build.set_defaults(func=cmd_build)
    check = sub.add_parser("check", help="validate everything in knowledge/")
    check.set_defaults(func=cmd_check)
    from bot.curate.commands import register_report

    report = register_report(sub, cmd_report)
    for command in (ask, chat, ev, build, check, report):
        add_config_option(command)

    # Only the commands a command line can need are registered: a question to the engine does
    # not import storage and asyncio (the operator's commands), nor python-telegram-bot (a third
    # of a second: the bot's and the daily posts' commands).
    command = _command_word(argv) if argv is not None else None
    if command not in _ENGINE_COMMANDS:
        from bot.ops.cli import register as register_ops  # health/stats/forget: no Telegram

        register_ops(sub)
    core_only = command in _CORE_COMMANDS
    for register in [] if core_only else _extra_commands():
        register(sub)
    return parser


def _extra_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Commands of the Telegram bot and of daily posting, each from its own package."""
    registrars: list[Callable[[argparse._SubParsersAction], None]] = []
    from bot.telegram.cli import register as register_telegram

    registrars.append(register_telegram)
    from bot.daily.cli import register as register_daily  # subscribe/unsubscribe/subscriptions/post

    registrars.append(register_daily)
    return registrars


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except KnowledgeInvalid as exc:
        print("factbot: the knowledge is invalid:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return EXIT_FAIL
    except ConfigError as exc:
        print(f"factbot {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
