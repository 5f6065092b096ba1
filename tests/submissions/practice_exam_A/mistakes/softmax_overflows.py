"""The textbook softmax without the shift: exp(859) overflows."""

EXPECT = {"question_23": "inf or nan"}


def class_probabilities(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
