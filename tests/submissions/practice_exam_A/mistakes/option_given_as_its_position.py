"""Answers the multiple-choice question with the option's position counted from 0, not its letter."""

EXPECT = {"question_13": "letter of an option"}

answer_13 = 0
