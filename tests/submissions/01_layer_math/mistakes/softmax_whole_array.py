"""Softmax normalised over every element of the array at once."""
import numpy as np

EXPECT = {"test_softmax": "whole array"}


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()
