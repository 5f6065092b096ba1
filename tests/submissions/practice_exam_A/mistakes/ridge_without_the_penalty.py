"""Fits ordinary least squares, sum(x y) / sum(x^2), and forgets the lambda in the denominator."""

EXPECT = {"question_08": "within ±0.005"}

x = np.array([-3, 0, -3, 2])
y = np.array([2, -5, -1, 4])
answer_08 = np.sum(x * y) / np.sum(x**2)
