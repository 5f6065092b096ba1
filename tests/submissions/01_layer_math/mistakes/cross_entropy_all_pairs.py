"""The labels' log-probabilities picked with log_probs[:, labels]: an (N, N) table of every row
against every label, averaged, instead of one entry per row."""
import numpy as np

EXPECT = {"test_cross_entropy": "np.arange"}


def cross_entropy_loss(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.mean(log_probs[:, labels])
