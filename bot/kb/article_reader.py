"""Reading one article.yaml: its errors collected with their lines, its texts kept as fragments.

Every string the cleaned article uses passes through `ArticleReader.text`, so the fragments it
keeps are exactly what bot.kb.provenance later proves against the raw text.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.kb.article import Fragment
from bot.kb.yamlsrc import KnowledgeError, Mapping, display_path, line_of

SHORT_ID = re.compile(r"^[a-z][a-z0-9_]*$")  # article and section ids: bj, s1, box_a


class ArticleReader:
    """Collects errors while reading one cleaned-article file, instead of stopping at the first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = display_path(path)
        self.errors: list[KnowledgeError] = []
        self.fragments: list[Fragment] = []
        self.boxes: set[str] = set()

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.errors.append(KnowledgeError(self.shown, line, message, hint))

    def text(self, value: object, line: int, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.error(line, f"{what} must be non-empty text", "write it as a quoted string")
            return ""
        self.fragments.append(Fragment(value, line=line))
        return value

    def paragraph_text(self, value: object, line: int) -> str:
        """A paragraph is a string, or {join: [pieces]} where a piece may be {dropped: text}."""
        if isinstance(value, str):
            return self.text(value, line, "a paragraph")
        if (
            isinstance(value, Mapping)
            and set(value) == {"join"}
            and isinstance(value["join"], list)
        ):
            pieces: list[str] = []
            for index, piece in enumerate(value["join"]):
                piece_line = line_of(value["join"], index, line)
                if isinstance(piece, Mapping) and set(piece) == {"dropped"}:
                    if isinstance(piece["dropped"], str) and piece["dropped"]:
                        self.fragments.append(
                            Fragment(piece["dropped"], dropped=True, line=piece_line)
                        )
                    else:
                        self.error(piece_line, "dropped: needs the raw text that is left out")
                else:
                    pieces.append(self.text(piece, piece_line, "a joined piece"))
            if not pieces:
                self.error(line, "join: needs at least one piece of text")
            return "".join(pieces)
        self.error(line, "a paragraph must be text or a `join:` list", "see the header comment")
        return ""
