"""Computes the pointwise mutual information with log2 where the question asks for the natural logarithm."""

EXPECT = {"question_15": "within ±0.005"}

answer_15 = np.log2((7 / 89) / ((31 / 89) * (30 / 89)))
