"""Scales by hand and returns None where the prompt asks for the fitted scaler."""
EXPECT = {"test_standardize": "fitted scaler"}


def standardize(X_train, X_val, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_val - mean) / std, (X_test - mean) / std, None
