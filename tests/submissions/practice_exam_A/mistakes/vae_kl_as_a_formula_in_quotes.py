"""Types the formula for the KL term into a string instead of computing it."""

EXPECT = {"question_18": "does not read as a number"}

answer_18 = "0.5 * sum(sigma**2 + mu**2 - 1 - log(sigma**2))"
