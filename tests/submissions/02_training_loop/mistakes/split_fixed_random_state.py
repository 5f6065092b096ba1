"""random_state=42 written in place of the seed: every seed gives the same split."""
from sklearn.model_selection import train_test_split

EXPECT = {"test_split_data": "the seed must be used"}


def split_data(X, y, seed=0):
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, stratify=y, random_state=42)
    X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=42)
    return X_train, X_val, X_test, y_train, y_val, y_test
