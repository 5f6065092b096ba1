"""Answers typed as strings: a decimal comma, a lowercase letter, a whole number as text."""

answer_03 = "-0,762"
answer_07 = "257"
answer_13 = "a"
