"""Believes a frozen parameter gets a zero gradient and still moves."""

EXPECT = {"question_13": "not the correct option"}

answer_13 = "B"
