"""The norm-based relative error of CS231n, ||a - b|| / (||a|| + ||b||), instead of the
elementwise maximum the prompt defines."""
import numpy as np

EXPECT = {"test_relative_error": "elementwise"}


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b))
