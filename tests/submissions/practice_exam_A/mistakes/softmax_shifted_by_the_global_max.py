"""Shifts a matrix of logits by its one global maximum instead of each row's: a row 1000 below
the top one underflows to 0/0."""

EXPECT = {"question_23": "global maximum"}


def class_probabilities(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=-1, keepdims=True)
