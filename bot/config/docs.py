"""The settings documented: the table shown in the README and `factbot` help."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

from bot.config.loading import CONFIG_ENV, TOKEN_ENV, _env_var
from bot.config.settings import Settings
from bot.config.specs import _SPECS


class SettingDoc(NamedTuple):
    """One documented setting, as shown in the README and `factbot` help."""

    key: str
    default: str
    env: str
    meaning: str


def _show_default(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, tuple):
        return "[]" if not value else ", ".join(map(str, value))
    return str(value)


SETTING_DOCS: tuple[SettingDoc, ...] = tuple(
    SettingDoc(
        key=f.name,
        default=_show_default(f.default),
        env=f"{TOKEN_ENV}, {_env_var(f.name)}" if f.name == "token" else _env_var(f.name),
        meaning=_SPECS[f.name].meaning,
    )
    for f in dataclasses.fields(Settings)
)

_PREAMBLE = (
    f"Precedence: defaults < YAML config file (path argument or {CONFIG_ENV}) < environment. "
    "Empty environment variables count as unset."
)


def _code_list(names: str) -> str:
    return ", ".join(f"`{name}`" for name in names.split(", "))


def describe(markdown: bool = False) -> str:
    """The settings table (key, default, env var, meaning) as plain text or Markdown."""
    header = SettingDoc("key", "default", "env var", "meaning")
    if markdown:
        rows = [
            "| Key | Default | Env var | Meaning |",
            "| --- | --- | --- | --- |",
            *(
                f"| `{d.key}` | `{d.default}` | {_code_list(d.env)} | {d.meaning} |"
                for d in SETTING_DOCS
            ),
        ]
        return "\n".join([_PREAMBLE, "", *rows])
    table = [header, *SETTING_DOCS]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    lines = [
        "  ".join([*(row[i].ljust(widths[i]) for i in range(3)), row.meaning]).rstrip()
        for row in table
    ]
    return "\n".join([_PREAMBLE, "", *lines])
