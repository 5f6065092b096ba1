"""The right derivative, rounded to one decimal: outside the stated tolerance."""

EXPECT = {"question_04": "is not the answer"}

answer_04 = 0.4
