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
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    share = os.environ.get(GPU_SHARE_ENV)
    if share and torch.cuda.is_available():
        torch.cuda.set_per_process_memory_fraction(float(share))


class _AfterTorchImport(importlib.abc.MetaPathFinder):
    """Configures torch right after its first import (a finder that only watches, never finds)."""

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("torch")
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_configure(module):
            exec_module(module)
            _configure_torch(module)

        loader.exec_module = exec_and_configure
        return spec


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
    if "torch" in sys.modules:
        _configure_torch(sys.modules["torch"])
    else:
        sys.meta_path.insert(0, _AfterTorchImport())
