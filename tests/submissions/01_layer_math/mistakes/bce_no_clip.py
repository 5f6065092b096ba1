"""Binary cross-entropy without clipping: log(0) for p = 0 or 1."""
import numpy as np

EXPECT = {"test_mse_bce": "clip p"}


def bce_loss(p, y):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
