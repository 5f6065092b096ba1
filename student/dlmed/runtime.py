"""Run settings a grading kernel applies before the first cell: seeds, determinism, GPU share.

Read from the environment the grader sets ($DLMED_SEED, $DLMED_GPU_MEMORY_FRACTION), so every
run is configured the same way whatever the notebook does first. torch is configured when the
notebook imports it: importing it here would add seconds to notebooks that never use it.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import random
import sys

SEED_ENV = "DLMED_SEED"
GPU_SHARE_ENV = "DLMED_GPU_MEMORY_FRACTION"


def _configure_torch(torch) -> None:
    torch.manual_seed(int(os.environ[SEED_ENV]))
    # torch.use_deterministic_algorithms also sets torch.compile's flag, and imports the whole
    # compiler stack to do so: a second of every run's time. The same two settings are made
    # here, the compiler's when (if ever) the notebook loads it.
    torch._C._set_deterministic_algorithms(True, warn_only=True)
    _after_import("torch._inductor.config", _configure_compiler)
    torch.backends.cudnn.benchmark = False
    share = os.environ.get(GPU_SHARE_ENV)
    if share and torch.cuda.is_available():
        torch.cuda.set_per_process_memory_fraction(float(share))


def _configure_compiler(config) -> None:
    config.deterministic = True


class _AfterImport(importlib.abc.MetaPathFinder):
    """Configures a module right after its first import (a finder that only watches, never finds)."""

    def __init__(self, name: str, configure):
        self.name, self.configure = name, configure

    def find_spec(self, name, path=None, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None:  # not installed: the import fails as it would have
            return None
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_configure(module):
            exec_module(module)
            self.configure(module)

        loader.exec_module = exec_and_configure
        return spec


def _after_import(name: str, configure) -> None:
    """`configure(module)` now if `name` is loaded, else right after it is."""
    if name in sys.modules:
        configure(sys.modules[name])
    else:
        sys.meta_path.insert(0, _AfterImport(name, configure))


def configure() -> None:
    if SEED_ENV not in os.environ:
        return
    seed = int(os.environ[SEED_ENV])
    random.seed(seed)
    try:
        import numpy

        numpy.random.seed(seed % 2**32)
    except ImportError:
        pass
    _after_import("torch", _configure_torch)
