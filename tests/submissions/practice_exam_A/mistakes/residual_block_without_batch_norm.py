"""Counts the two convolutions' weights and forgets the batch norms' scales and shifts."""

EXPECT = {"question_12": "only the exact value counts"}

answer_12 = 2 * 3 * 3 * 16 * 16
