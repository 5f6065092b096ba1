"""Puts the probability in a list."""

EXPECT = {"question_16": "give a number"}

answer_16 = [0.75]
