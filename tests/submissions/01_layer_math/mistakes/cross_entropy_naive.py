"""Cross-entropy through the plain softmax: exp overflows for large logits."""
import numpy as np

EXPECT = {"test_cross_entropy": "maximum logit"}


def cross_entropy_loss(logits, labels):
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))
