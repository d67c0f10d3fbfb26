"""Loading settings: documented defaults < YAML config file < environment."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.config.settings import Settings
from bot.config.specs import _SPECS, _parse, _Source
from bot.config.values import ConfigError, _show

ENV_PREFIX = "FACTBOT_"
CONFIG_ENV = "FACTBOT_CONFIG"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"


# --- reading the file --------------------------------------------------------------------


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _describe_node(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode):
        return f"the single value {_show(node.value)}"
    return "something else"


def _read_file(path: Path) -> dict[str, tuple[object, _Source]]:
    """Read the YAML mapping, keeping each value's line for error messages."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: config file is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read config file ({exc.strerror or exc})") from None

    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # checks for unprintable characters right away
        root = loader.get_single_node()
        if root is None or root.tag == "tag:yaml.org,2002:null":  # empty, or just "---"
            return {}
        if not isinstance(root, MappingNode):
            raise ConfigError(
                f"{name}:{_line(root)}: expected a mapping of settings (key: value), "
                f"got {_describe_node(root)}"
            )
        found: dict[str, tuple[object, _Source]] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in root.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "<complex key>"
            where = f"{name}:{_line(key_node)}"
            if key not in _SPECS:
                close = difflib.get_close_matches(str(key), _SPECS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(
                    f"{where}: unknown setting {key!r}{hint}; known settings: {', '.join(_SPECS)}"
                )
            if key in first_line:
                raise ConfigError(f"{where}: {key}: set twice (first on line {first_line[key]})")
            first_line[key] = _line(key_node)
            value = loader.construct_object(value_node, deep=True)
            if _SPECS[key].text and value is not None and isinstance(value_node, ScalarNode):
                value = value_node.value
            found[key] = (value, _Source(f"{name}:{_line(value_node)}"))
        return found
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        why = ", ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError(f"{where}: not valid YAML: {why}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(
            f"{name}:{line}: not valid YAML: character #x{exc.character:04x} is not allowed"
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every other PyYAML error is marked
        raise ConfigError(f"{name}: not valid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


# --- reading the environment -------------------------------------------------------------


def _env_var(key: str) -> str:
    return ENV_PREFIX + key.upper()


def _read_env(env: Mapping[str, str]) -> dict[str, tuple[object, _Source]]:
    """Settings given in the environment; empty variables count as unset."""
    found: dict[str, tuple[object, _Source]] = {}
    for key in _SPECS:
        names = [TOKEN_ENV, _env_var(key)] if key == "token" else [_env_var(key)]
        for var in names:
            raw = env.get(var, "").strip()
            if raw:
                found[key] = (raw, _Source(var, env=True))
                break
    return found


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from defaults, then the YAML file (if any), then the environment.

    The file is `path`, else ``$FACTBOT_CONFIG``; a named file must exist, no file is fine.
    `env` defaults to ``os.environ``; tests pass a dict instead.
    """
    env = os.environ if env is None else env
    named_by = ""
    if path is None and env.get(CONFIG_ENV, "").strip():
        path, named_by = env[CONFIG_ENV].strip(), f" (named by {CONFIG_ENV})"
    values: dict[str, Any] = {}
    if path is not None:
        file_path = Path(path).expanduser()
        if not file_path.exists():
            raise ConfigError(f"{path}: config file not found{named_by}")
        for key, (value, source) in _read_file(file_path).items():
            values[key] = _parse(key, _SPECS[key], value, source)
    for key, (value, source) in _read_env(env).items():
        values[key] = _parse(key, _SPECS[key], value, source)
    return Settings(**values)
