"""The median in place of the mean."""
import numpy as np

EXPECT = {"test_summarize_scores": "wrong mean"}


def summarize_scores(scores):
    return float(np.median(scores)), float(np.std(scores, ddof=1))
