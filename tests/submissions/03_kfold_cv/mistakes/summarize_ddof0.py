"""np.std's default ddof=0: the population formula on a handful of fold scores."""
import numpy as np

EXPECT = {"test_summarize_scores": "ddof=1"}


def summarize_scores(scores):
    return np.mean(scores), np.std(scores)
