"""Answers the multiple-choice question with its whole option line copied, letter first."""

answer_13 = "A: the frozen layer's weights are unchanged, because they have no gradient"
