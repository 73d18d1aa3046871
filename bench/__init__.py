"""Benchmarks and harnesses, run as scripts (``python bench/NAME.py``) from the project root."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The read-only ``../shared`` beside the project (data sets and scorers), or
    ``$SEARCH_SERVICE_SHARED``. Read at each call, so that a test can point it elsewhere."""
    return Path(os.environ.get("SEARCH_SERVICE_SHARED", str(ROOT.parent / "shared"))).resolve()
