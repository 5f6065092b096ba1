"""Draws the validation and test splits from all of X rather than from the rows the training
split left: the sizes are right, but validation and test rows also sit in the training split."""
from sklearn.model_selection import train_test_split

EXPECT = {"test_split_data": "disjoint"}


def split_data(X, y, seed=0):
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
    _, X_heldout, _, y_heldout = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed + 1)
    X_val, X_test, y_val, y_test = train_test_split(X_heldout, y_heldout, test_size=0.5, stratify=y_heldout, random_state=seed)
    return X_train, X_val, X_test, y_train, y_val, y_test
