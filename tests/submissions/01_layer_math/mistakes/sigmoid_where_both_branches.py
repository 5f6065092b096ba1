"""The two stable formulas picked with np.where: np.where evaluates both for every element, so
exp still overflows (with a RuntimeWarning) even though the values it keeps are right."""
import numpy as np

EXPECT = {"test_activations": "both branches"}


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
