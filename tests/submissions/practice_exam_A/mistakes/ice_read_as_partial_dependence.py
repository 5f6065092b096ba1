"""Averages the prediction at x1 = -1 over all four instances (the partial dependence) where the
question asks for instance 4's own ICE curve."""

EXPECT = {"question_21": "is not the answer"}

answer_21 = np.mean([-1 + -2 * -1 * x2 + 3 * x2**2 for x2 in (-2, -2, 0, 3)])
