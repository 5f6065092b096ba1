"""Scales the training and validation splits and hands the test split back unscaled."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_standardize": "X_test_s"}


def standardize(X_train, X_val, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_val), X_test, scaler
