"""The BCE-with-logits gradient of the summed loss: the 1/N of the mean is missing."""
EXPECT = {"test_bce_with_logits_grad": "number of elements"}


def bce_with_logits_grad(logits, y):
    return sigmoid(logits) - y
