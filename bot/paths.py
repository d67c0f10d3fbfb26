"""Where the knowledge lives: the checkout's knowledge/ if there is one, else the packaged copy."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def default_knowledge_dir() -> Path:
    """FACTBOT_KNOWLEDGE_DIR, else the checkout's knowledge/, else the copy shipped in the wheel."""
    configured = os.environ.get("FACTBOT_KNOWLEDGE_DIR")
    if configured:
        return Path(configured)
    checkout = _PACKAGE.parent / "knowledge"
    if (checkout / "intents.yaml").is_file():
        return checkout
    return _PACKAGE / "knowledge"
