"""Unpacks the second train_test_split as X_val, X_test, y_test, y_val: the validation rows come
back with the test labels."""
from sklearn.model_selection import train_test_split

EXPECT = {"test_split_data": "labels no longer belong to their rows"}


def split_data(X, y, seed=0):
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
    X_val, X_test, y_test, y_val = train_test_split(X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=seed)
    return X_train, X_val, X_test, y_train, y_val, y_test
