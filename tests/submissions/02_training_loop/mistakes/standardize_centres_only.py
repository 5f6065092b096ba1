"""Subtracts the training mean but never divides by the standard deviation."""
EXPECT = {"test_standardize": "standard deviation"}


def standardize(X_train, X_val, X_test):
    mean = X_train.mean(axis=0)
    return X_train - mean, X_val - mean, X_test - mean, mean
