"""Test 20 %, then validation 20 % of the rest: 64/16/20 instead of 60/20/20."""
from sklearn.model_selection import train_test_split

EXPECT = {"test_split_data": "60/20/20"}


def split_data(X, y, seed=0):
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.2, stratify=y_rest, random_state=seed)
    return X_train, X_val, X_test, y_train, y_val, y_test
