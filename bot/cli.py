"""Command-line entry point (filled in as the knowledge store and engine land)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    return 0
