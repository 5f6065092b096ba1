"""Counts every parameter of backbone and head, the frozen first layer's too."""

EXPECT = {"question_14": "only the exact value counts"}

answer_14 = (32 * 512 + 512) + (512 * 512 + 512) + (512 * 9 + 9)
