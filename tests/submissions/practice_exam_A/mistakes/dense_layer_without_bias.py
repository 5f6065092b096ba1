"""Applies tanh to W x and leaves out the bias b."""

EXPECT = {"question_03": "within ±0.005"}

answer_03 = np.tanh(-2 * 1 + 1 * 2 + -2 * 0 + 1 * 1)
