"""Cross-entropy summed over the batch instead of averaged."""
import numpy as np

EXPECT = {"test_cross_entropy": "mean over all elements"}


def cross_entropy_loss(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(log_probs[np.arange(len(labels)), labels])
