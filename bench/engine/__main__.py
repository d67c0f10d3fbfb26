"""python -m bench.engine: see the package's docstring."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/engine
    sys.path.insert(0, str(ROOT))

from bench.engine.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
