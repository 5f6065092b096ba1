"""Mean squared error summed instead of averaged."""
import numpy as np

EXPECT = {"test_mse_bce": "mean over all elements"}


def mse_loss(y_pred, y):
    return np.sum((y_pred - y) ** 2)
