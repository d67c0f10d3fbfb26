"""Command-line options every factbot command shares, defined once so they read alike."""

from __future__ import annotations

import argparse


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """`--config FILE`: the YAML settings file (FACTBOT_CONFIG when not given)."""
    parser.add_argument(
        "--config", metavar="FILE", help="YAML settings file (default: $FACTBOT_CONFIG)"
    )
