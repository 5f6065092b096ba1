"""A run's scratch folder: the one place its code may write, on a tmpfs of the disk budget's size.

A tmpfs of its own gives each run a hard limit (a write past it fails inside the run, nothing
outside notices) and gives its space back when it is unmounted. Mounting needs root; without it
the folder is a plain one and only the file-size limit holds (the grading warning says so).
Nothing in the standard library or our dependencies mounts a filesystem, hence the two libc calls.

A grading process killed outright runs no clean-up and leaves its scratch behind, mounted or not.
Each folder's name carries the process that made it, so `sweep()` can remove those whose maker is
gone without touching the scratch of a run still going.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psutil

_PREFIX = "course-run-"
_NAME = re.compile(rf"^{_PREFIX}(\d+)-(\d+)-")
_MS_NOSUID, _MS_NODEV, _MNT_DETACH = 0x2, 0x4, 0x2
# Files a run may create, one per 4 KiB of its budget: enough for any dataset it writes, while a
# loop creating empty files runs out of them as a large write runs out of space.
_BYTES_PER_FILE = 4096
# What "reaching the budget" means: a run is stopped once less than this is left.
_FULL_MARGIN_BYTES = 2**20


@dataclass(frozen=True)
class Scratch:
    path: Path
    budget_bytes: int | None  # None: a plain folder, no budget enforced

    def full(self) -> bool:
        """Whether the run has used up its budget of space or of files."""
        if self.budget_bytes is None:
            return False
        try:
            usage = os.statvfs(self.path)
        except OSError:
            return False
        return usage.f_bavail * usage.f_frsize < _FULL_MARGIN_BYTES or usage.f_favail == 0


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _maker_tag() -> str:
    return f"{os.getpid()}-{int(psutil.Process().create_time())}-"


def _mount(path: Path, budget_bytes: int) -> bool:
    if os.geteuid() != 0:
        return False
    files = max(budget_bytes // _BYTES_PER_FILE, 1024)
    options = f"size={budget_bytes},nr_inodes={files},mode=0700".encode()
    return _libc().mount(b"tmpfs", str(path).encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options) == 0


def _remove(path: Path) -> None:
    if os.path.ismount(path):
        _libc().umount2(str(path).encode(), _MNT_DETACH)
    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def scratch_folder(budget_bytes: int | None) -> Iterator[Scratch]:
    """A fresh scratch folder, on a tmpfs of `budget_bytes` when that is given and allowed."""
    path = Path(tempfile.mkdtemp(prefix=_PREFIX + _maker_tag()))
    mounted = budget_bytes is not None and _mount(path, budget_bytes)
    try:
        yield Scratch(path, budget_bytes if mounted else None)
    finally:
        _remove(path)


@functools.lru_cache(maxsize=1)
def budget_possible() -> bool:
    """Whether this machine lets us mount a run's tmpfs (root, and allowed to mount)."""
    path = Path(tempfile.mkdtemp(prefix=_PREFIX + _maker_tag()))
    try:
        return _mount(path, 2**20)
    finally:
        _remove(path)


def sweep() -> list[Path]:
    """Remove the scratch folders of grading processes that no longer exist; returns them."""
    removed = []
    for entry in Path(tempfile.gettempdir()).glob(_PREFIX + "*"):
        match = _NAME.match(entry.name)
        if not match:
            continue
        pid, started = int(match[1]), int(match[2])
        try:
            maker = psutil.Process(pid)
            if int(maker.create_time()) == started and maker.status() != psutil.STATUS_ZOMBIE:
                continue  # its maker is alive (the same process, not a reused number)
        except psutil.Error:
            pass
        _remove(entry)
        removed.append(entry)
    return removed
