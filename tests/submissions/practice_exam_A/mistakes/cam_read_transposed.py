"""Reads the class activation map at row 2, column 1: the entry the question asks for, transposed."""

EXPECT = {"question_20": "within ±0.005"}

A1 = np.array([[0, 3], [3, 2]])
A2 = np.array([[1, 0], [3, 3]])
answer_20 = (2 * A1 - 2 * A2)[1, 0]
