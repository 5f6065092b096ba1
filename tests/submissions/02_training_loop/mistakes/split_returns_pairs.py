"""Returns each split's features and labels side by side (X_train, y_train, X_val, ...), the order
train_test_split uses, not the order the prompt gives."""
from sklearn.model_selection import train_test_split

EXPECT = {"test_split_data": "X_train, X_val, X_test, y_train, y_val, y_test"}


def split_data(X, y, seed=0):
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
    X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=seed)
    return X_train, y_train, X_val, y_val, X_test, y_test
