"""Assumes folds of 294 // 8 = 36 samples; KFold gives the first six folds 37."""

EXPECT = {"question_07": "answer_07 = 258"}

answer_07 = 294 - 294 // 8
