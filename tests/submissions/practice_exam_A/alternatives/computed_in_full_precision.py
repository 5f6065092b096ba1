"""Answers left as the expressions that compute them, unrounded, some as NumPy scalars."""

answer_02 = np.exp(3) / (2 * np.exp(3) + np.exp(-1) + np.exp(-3))
answer_10 = (128 + 2 * 1 - 7) // 3 + 1
answer_11 = 7 * 7 * 3 * 64 + 64
answer_16 = np.float32(1 / 2 * 1 + 1 / 2 * 1 / 2)
