"""Relative error without the 1e-8 floor: 0 / 0 gives NaN where both arrays are zero."""
import numpy as np

EXPECT = {"test_relative_error": "floor"}


def relative_error(a, b):
    return np.max(np.abs(a - b) / (np.abs(a) + np.abs(b)))
