"""Array methods on the scores as given: a plain list of fold accuracies has no .mean()."""
EXPECT = {"test_summarize_scores": "AttributeError"}


def summarize_scores(scores):
    return scores.mean(), scores.std(ddof=1)
