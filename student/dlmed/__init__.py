"""Helpers the course notebooks import. Installed by students with `pip install ./student`.

The environment variables the library and the course's notebooks read (the grader sets the last four
for each run):

    DLMED_DEVICE              the device `get_device()` picks, e.g. "cpu"; unset: CUDA where there is a GPU
    DLMED_MEDNIST_ROOT        a copy of MedNIST in its <root>/<Class>/<image>.jpeg layout; unset or
                              incomplete: 04 draws a synthetic stand-in with the same classes and layout
    DLMED_RESNET18_WEIGHTS    a local file of ImageNet weights for ResNet-18, which 04's notebook loads;
                              unset: random weights (nothing is downloaded while a notebook runs)
    DLMED_SEED                the run's seed, applied before the first cell (random, numpy, torch)
    DLMED_GPU_MEMORY_FRACTION the share of the GPU's memory the run may take, where runs share a card
    DLMED_PLAN                the hidden checks' plan for the run: which calls to make, with which inputs
    DLMED_CAPTURE             where the probe appends what those calls returned, as plain data
"""

from .probe import hidden_check
from .reproducibility import get_device, seed_everything

__all__ = ["hidden_check", "get_device", "seed_everything"]
