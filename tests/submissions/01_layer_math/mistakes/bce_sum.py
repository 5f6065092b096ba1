"""Binary cross-entropy summed over the elements instead of averaged."""
import numpy as np

EXPECT = {"test_mse_bce": "summed over the elements"}


def bce_loss(p, y):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
