"""Clips the logits to ±700 so that exp cannot overflow: two large logits 1 apart come out equal."""

EXPECT = {"question_23": "in row 1 (the others are right)"}


def class_probabilities(z):
    z = np.clip(np.asarray(z, dtype=float), -700, 700)  # exp(709.8) is the largest float64
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
