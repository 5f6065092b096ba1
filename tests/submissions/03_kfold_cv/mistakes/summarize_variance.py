"""np.var with ddof=1 returned as the spread: the sample variance, not its square root."""
import numpy as np

EXPECT = {"test_summarize_scores": "variance"}


def summarize_scores(scores):
    return np.mean(scores), np.var(scores, ddof=1)
