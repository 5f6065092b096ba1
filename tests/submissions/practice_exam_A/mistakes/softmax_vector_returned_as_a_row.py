"""Makes every input a matrix with np.atleast_2d so that one code path serves both, and returns a
vector's softmax as a matrix of one row."""

EXPECT = {"question_23": "returned shape (1,"}


def class_probabilities(z):
    z = np.atleast_2d(np.asarray(z, dtype=float))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
