"""Each split scaled with its own statistics (fit_transform on every split)."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_standardize": "its own mean"}


def standardize(X_train, X_val, X_test):
    scaler = StandardScaler()
    return scaler.fit_transform(X_train), scaler.fit_transform(X_val), scaler.fit_transform(X_test), scaler
