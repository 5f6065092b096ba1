"""Chains dL/dy = y - t and dy/dh = w2, then stops: the tanh's derivative 1 - h^2 is missing."""

EXPECT = {"question_09": "within ±0.005"}

h = np.tanh(-1 * -1 + 1.5)
answer_09 = (-1.5 * h + -2 - 2) * -1.5
