"""Which knowledge folder a command uses, and why, so a curator never edits one copy while the
commands read another.

In order: `--knowledge DIR`; FACTBOT_KNOWLEDGE_DIR; `knowledge_dir` in the config file; the
checkout this code runs from (an editable install); the checkout the command is run in (a
folder with factbot's pyproject.toml and knowledge/); else the copy installed with the package,
which is read, never written (`factbot build` refuses it).
"""

from __future__ import annotations

import os
import sysconfig
from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
KNOWLEDGE_ENV = "FACTBOT_KNOWLEDGE_DIR"


@dataclass(frozen=True)
class KnowledgeChoice:
    """A knowledge folder and how it was chosen."""

    path: Path
    origin: str  # "--knowledge", "FACTBOT_KNOWLEDGE_DIR", "the checkout", ...
    installed: bool = False  # the copy inside the installed package

    def describe(self) -> str:
        """The one line every command prints on stderr."""
        if self.installed:
            return (
                f"knowledge: {self.path} (the copy installed with factbot; to curate, work in a "
                f"checkout or point --knowledge or {KNOWLEDGE_ENV} at a copy)"
            )
        return f"knowledge: {self.path} ({self.origin})"


def _is_checkout(folder: Path) -> bool:
    pyproject = folder / "pyproject.toml"
    if not (folder / "knowledge" / "intents.yaml").is_file() or not pyproject.is_file():
        return False
    try:
        return 'name = "factbot"' in pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _checkout_around(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if _is_checkout(folder):
            return folder
    return None


def is_installed_copy(path: Path) -> bool:
    """Inside an installed package (site-packages): files there belong to pip, not to a
    curator, and are replaced by the next upgrade."""
    resolved = path.resolve()
    if any(part in ("site-packages", "dist-packages") for part in resolved.parts):
        return True
    for key in ("purelib", "platlib"):
        root = Path(sysconfig.get_paths()[key]).resolve()
        if resolved == root or root in resolved.parents:
            return True
    return resolved == (_PACKAGE / "knowledge").resolve()


def choose_knowledge(
    flag: str | None = None, configured: Path | None = None, config_file: str | None = None
) -> KnowledgeChoice:
    """The folder a command reads, from its flag and its settings (see the module docstring).
    `configured` is Settings.knowledge_dir, which the environment overrides."""
    if flag:
        return KnowledgeChoice(Path(flag), "from --knowledge")
    environment = os.environ.get(KNOWLEDGE_ENV, "").strip()
    if environment:
        return KnowledgeChoice(Path(environment), f"from {KNOWLEDGE_ENV}")
    if configured is not None:
        where = f" in {config_file}" if config_file else ""
        return KnowledgeChoice(Path(configured), f"from knowledge_dir{where}")
    if _is_checkout(_PACKAGE.parent):
        return KnowledgeChoice(_PACKAGE.parent / "knowledge", "the checkout's knowledge/")
    around = _checkout_around(Path.cwd())
    if around is not None:
        return KnowledgeChoice(around / "knowledge", "the checkout's knowledge/")
    return KnowledgeChoice(_PACKAGE / "knowledge", "the installed copy", installed=True)


def default_knowledge_dir() -> Path:
    """The folder used when nothing names one (FACTBOT_KNOWLEDGE_DIR still applies)."""
    return choose_knowledge().path
