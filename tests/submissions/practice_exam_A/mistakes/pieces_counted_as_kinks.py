"""Counts the ReLU kinks (6) rather than the linear pieces they cut the line into (7)."""

EXPECT = {"question_01": "only the exact value counts"}

answer_01 = 6
