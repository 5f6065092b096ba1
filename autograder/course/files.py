"""Files we write: whole or not at all (the house rule for records, pages and notebooks)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _mode_for_new_files() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _mode_for_new_files()


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: a killed run leaves the old file or
    the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp's private mode would follow the file: formgrader (the instructor's own user) reads
        # records and notebooks, and nbgrader's release_feedback copies a page's mode to the student.
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
