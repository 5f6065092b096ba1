"""Normalises a matrix of logits down its columns, not along each row."""

EXPECT = {"question_23": "values that are off"}


def class_probabilities(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum(axis=0, keepdims=True)
