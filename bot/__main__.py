"""`python -m bot` does what the `factbot` console script does."""

from bot.cli import main

raise SystemExit(main())
