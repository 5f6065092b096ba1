"""The gradient written as (y - sigmoid(logits)) / N: the direction that increases the loss."""
import numpy as np

EXPECT = {"test_bce_with_logits_grad": "sign is flipped"}


def bce_with_logits_grad(logits, y):
    return (y - sigmoid(logits)) / np.size(logits)
