"""nbgrader's gradebook database: what must hold before nbgrader opens or creates one (release, the exchange and the gradebook all do)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def ensure_alembic_on_path() -> None:
    # nbgrader creates a fresh gradebook by running the `alembic` command by name; in a virtual
    # environment that was not activated, it sits beside our interpreter but not on PATH.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
