"""Counts the common neighbours of nodes 4 and 6 (2 and 3) instead of weighting each by 1 / log of its degree."""

EXPECT = {"question_17": "within ±0.005"}

answer_17 = 2
