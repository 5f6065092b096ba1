"""Computes the KL divergence with log2 (bits) where the question asks for nats."""

EXPECT = {"question_06": "is not the answer"}

p = np.array([0.5, 0.2, 0.3])
q = np.array([0.2, 0.6, 0.2])
answer_06 = round(float(np.sum(p * np.log2(p / q))), 3)
