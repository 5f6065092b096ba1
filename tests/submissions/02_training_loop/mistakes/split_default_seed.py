"""The seed defaults to 42, not 0: split_data(X, y) is not the split of seed=0."""
from sklearn.model_selection import train_test_split

EXPECT = {"test_split_data": "seed=0"}


def split_data(X, y, seed=42):
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
    X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=seed)
    return X_train, X_val, X_test, y_train, y_val, y_test
