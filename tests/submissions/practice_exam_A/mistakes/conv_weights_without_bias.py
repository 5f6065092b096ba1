"""Counts the kernel weights and forgets the 64 biases."""

EXPECT = {"question_11": "only the exact value counts"}

answer_11 = 7 * 7 * 3 * 64
