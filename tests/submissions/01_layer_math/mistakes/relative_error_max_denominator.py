"""Relative error divided by max(|a|, |b|) instead of |a| + |b|."""
import numpy as np

EXPECT = {"test_relative_error": "|a| + |b|"}


def relative_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.maximum(np.abs(a), np.abs(b))))
