"""Leaves the second class with logit 3 out of the softmax's denominator."""

EXPECT = {"question_02": "within ±0.005"}

answer_02 = np.exp(3) / (np.exp(3) + np.exp(-1) + np.exp(-3))
