"""Seeds and the device, set in one place so every notebook and every grading run agree."""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (CPU and every GPU)."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def get_device():
    """CUDA when present, else the CPU; $DLMED_DEVICE (say "cpu") overrides the choice."""
    import torch

    wanted = os.environ.get("DLMED_DEVICE")
    if wanted:
        return torch.device(wanted)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
