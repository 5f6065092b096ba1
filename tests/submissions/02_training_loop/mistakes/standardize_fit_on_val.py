"""The scaler fitted on the validation split, as if it were the data to prepare for."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_standardize": "fitted on X_val"}


def standardize(X_train, X_val, X_test):
    scaler = StandardScaler().fit(X_val)
    return scaler.transform(X_train), scaler.transform(X_val), scaler.transform(X_test), scaler
