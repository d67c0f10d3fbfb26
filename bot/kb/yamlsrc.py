"""YAML loading that remembers line numbers, so every knowledge error can point at file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class Mapping(dict):
    """A dict from YAML that knows the line it starts on and the line of each key."""

    line: int
    key_lines: dict[Any, int]


class Sequence(list):
    """A list from YAML that knows the line it starts on and the line of each item."""

    line: int
    item_lines: list[int]


@dataclass(frozen=True)
class KnowledgeError:
    """One problem in the knowledge files: where it is, what is wrong and what to do."""

    path: str
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        # A whole-file problem (missing, unreadable) has no line: the path alone names it.
        where = f"{self.path}:{self.line}" if self.line > 0 else self.path
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class KnowledgeInvalid(Exception):
    """Raised when the knowledge cannot be loaded; carries every error found."""

    def __init__(self, errors: list[KnowledgeError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


# libyaml's parser when the installed PyYAML has it (about ten times faster: start-up time).
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that returns Mapping/Sequence objects carrying 1-based line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:  # YAML would silently keep the last one; a curator means both
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {result.key_lines[key]}); merge the two",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def display_path(path: Path) -> str:
    """A path as a person should see it: relative to the working directory when it can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error becomes KnowledgeInvalid naming file and line."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeInvalid([KnowledgeError(shown, 0, f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise KnowledgeInvalid([KnowledgeError(shown, 0, "not UTF-8 text")]) from None
    chunks = _top_level_items(text)
    if chunks is None:
        return _parse(text, shown, 0)
    # A top-level list is parsed an item at a time: the parser's node tree (every scalar with
    # its position) then lives for one item, not for the whole file, which at a hundred
    # articles' worth of intents is most of the memory a load needs.
    del text
    result = Sequence()
    result.item_lines = []
    for offset, chunk in chunks:
        items = _parse(chunk, shown, offset)
        if items is None:
            continue
        if not isinstance(items, list):  # not what the split promised: parse it whole
            return _parse(path.read_text(encoding="utf-8"), shown, 0)
        result.extend(items)
        result.item_lines.extend(items.item_lines)
    if not result.item_lines:
        return _parse(path.read_text(encoding="utf-8"), shown, 0)
    result.line = result.item_lines[0]
    return result


def _top_level_items(text: str) -> list[tuple[int, str]] | None:
    """The text cut before each top-level "- " item, with the line offset of each piece; None
    when the file is not a plain top-level block list (then it is parsed whole)."""
    lines = text.splitlines(keepends=True)
    starts: list[int] = []
    for number, line in enumerate(lines):
        if line.startswith("- ") or line.rstrip("\r\n") == "-":
            starts.append(number)
        elif line[:1] not in ("", " ", "\t", "#", "\n", "\r"):
            return None  # a top-level key, a document marker, a directive: not a plain list
    if len(starts) < 2:
        return None
    cuts = [0, *starts[1:], len(lines)]
    return [(cuts[i], "".join(lines[cuts[i] : cuts[i + 1]])) for i in range(len(cuts) - 1)]


def _parse(text: str, shown: str, offset: int) -> Any:
    """Parse YAML text that starts `offset` lines into its file; lines are the file's."""
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        line, problem = _where_and_why(exc)
        raise KnowledgeInvalid(
            [KnowledgeError(shown, line + offset if line else 0, problem, "fix the YAML syntax")]
        ) from None
    except yaml.reader.ReaderError as exc:  # a control character: the parser gives no mark
        line = text.count("\n", 0, exc.position) + 1 + offset
        problem = f"YAML syntax: character #x{exc.character:04x} is not allowed"
        raise KnowledgeInvalid([KnowledgeError(shown, line, problem, "delete it")]) from None
    except yaml.YAMLError as exc:
        raise KnowledgeInvalid([KnowledgeError(shown, 0, f"YAML: {exc}")]) from None
    if offset:
        _shift(data, offset)
    return data


_OPENED = ("while scanning a quoted scalar", "while parsing a flow", "while scanning a block")


def _where_and_why(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line a curator must look at, and what is wrong there.

    A quote or bracket left open is noticed lines later (at the end of the file, or where the
    parser gives up): the line to fix is where it was opened. Anything else is at the problem.
    """
    problem = exc.problem or exc.context or "invalid YAML"
    opened = exc.context_mark is not None and (exc.context or "").startswith(_OPENED)
    mark = exc.context_mark if opened else exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 0
    if opened:
        what = (exc.context or "").removeprefix("while ").replace("scanning", "reading")
        what = what.replace("parsing", "reading")
        problem = f"{problem} ({what} that starts here and is never closed)"
    return line, f"YAML syntax: {problem}"


def _shift(node: Any, offset: int) -> None:
    """Move every line number of a parsed piece by the lines that came before it."""
    if isinstance(node, Mapping):
        node.line += offset
        node.key_lines = {key: line + offset for key, line in node.key_lines.items()}
        for value in node.values():
            _shift(value, offset)
    elif isinstance(node, Sequence):
        node.line += offset
        node.item_lines = [line + offset for line in node.item_lines]
        for value in node:
            _shift(value, offset)


def line_of(obj: Any, key: Any = None, default: int = 0) -> int:
    """Line of a Mapping/Sequence, or of one of its keys/items, when known."""
    if key is not None:
        if isinstance(obj, Mapping):
            return obj.key_lines.get(key, obj.line)
        if isinstance(obj, Sequence) and isinstance(key, int) and key < len(obj.item_lines):
            return obj.item_lines[key]
    return getattr(obj, "line", default)


class Collector:
    """The errors found in one knowledge file, each at its line, collected rather than raised
    so that one run reports them all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = display_path(path)
        self.errors: list[KnowledgeError] = []

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.errors.append(KnowledgeError(self.shown, line, message, hint))

    def texts(self, node: Mapping, key: str, what: str, minimum: int = 1) -> tuple[str, ...]:
        value = node.get(key)
        line = line_of(node, key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.error(line, f"{what}: `{key}` must be a list of non-empty text")
            return ()
        if len(value) < minimum:
            self.error(
                line,
                f"{what}: needs at least {minimum} {key}, has {len(value)}",
                "add more varied phrasings",
            )
        return tuple(value)


def load_list(path: Path) -> tuple[list, Collector]:
    """A knowledge file that is a YAML list, and the collector of its errors."""
    collector = Collector(path)
    if not path.exists():
        collector.error(0, "file missing", "restore it from the repository")
        return [], collector
    data = load_yaml(path)
    if not isinstance(data, list):
        collector.error(1, "expected a YAML list at the top")
        return [], collector
    return data, collector
