"""Gives the probability in percent: 75 for 0.75."""

EXPECT = {"question_16": "percentage"}

answer_16 = 75
