"""First 60 % / next 20 % / last 20 %: on class-grouped rows the splits are badly skewed."""
EXPECT = {"test_split_data": "positives"}


def split_data(X, y, seed=0):
    n = len(X)
    a, b = int(0.6 * n), int(0.8 * n)
    return X[:a], X[a:b], X[b:], y[:a], y[a:b], y[b:]
