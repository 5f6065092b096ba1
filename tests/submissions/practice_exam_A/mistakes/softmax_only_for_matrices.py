"""Takes the maximum and the sum along axis 1: right for a matrix, an AxisError for a vector."""

EXPECT = {"question_23": "raised"}


def class_probabilities(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
