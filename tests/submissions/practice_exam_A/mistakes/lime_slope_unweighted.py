"""Fits the line through the perturbed points without the kernel's weights (plain least squares)."""

EXPECT = {"question_22": "within ±0.005"}

answer_22 = np.polyfit([-3, 0, 1, 2, 3], [2, 0, -2, -2, 0], 1)[0]
