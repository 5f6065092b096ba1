"""Kernels started ahead: while one submission runs, its slot's next kernel starts in a jail of its
own and imports what the assignment imports, so the next submission skips that wait.

A kernel started ahead is fresh: it has run nothing but the imports, it serves one submission
only, and it lives under a sandbox user other than the running one's, so nothing the running
submission does can reach it (runs are found, watched and killed by their user). Per-submission
settings (the seed) are applied when it is handed its submission, exactly as a cold start applies
them before the first cell.
"""

from __future__ import annotations

from .execute import Kernel, start_kernel


def import_line(modules: list[str]) -> str:
    """Python that imports `modules` and leaves the user's namespace as it found it."""
    return (f"import importlib as _importlib\nfor _module in {modules!r}:\n    try:\n        _importlib.import_module(_module)\n"
            "    except Exception:\n        pass\ndel _importlib, _module")


class Spares:
    """The kernel a worker process started for its next submission, if any (one per slot)."""

    def __init__(self):
        self.kernel: Kernel | None = None
        self.key = None
        self.user = 0  # which of the process's sandbox users the spare runs as

    def take(self, key) -> Kernel | None:
        """The spare started for `key` (course, assignment and slot), else None (a stale one is discarded)."""
        kernel, self.kernel = self.kernel, None
        if kernel is not None and self.key != key:
            kernel.discard()
            kernel = None
        return kernel

    def start(self, key, user: int, **start) -> None:
        """Start the spare for the next submission of `key`, as sandbox user number `user`
        (start_kernel's arguments in `start`)."""
        self.discard()
        self.kernel = start_kernel(**start)
        self.key, self.user = key, user

    def discard(self) -> None:
        kernel, self.kernel = self.kernel, None
        if kernel is not None:
            kernel.discard()
