"""The scaler is fitted on all three splits together: test statistics leak into training."""
import numpy as np
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_standardize": "fitted on all the data"}


def standardize(X_train, X_val, X_test):
    scaler = StandardScaler().fit(np.concatenate([X_train, X_val, X_test]))
    return scaler.transform(X_train), scaler.transform(X_val), scaler.transform(X_test), scaler
