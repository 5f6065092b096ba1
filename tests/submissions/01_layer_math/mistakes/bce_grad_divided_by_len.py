"""The BCE-with-logits gradient divided by len(logits), the number of rows, instead of the number
of elements: right for a vector of logits, too large by the number of columns for a 2-D batch."""
EXPECT = {"test_bce_with_logits_grad": "len(logits)"}


def bce_with_logits_grad(logits, y):
    return (sigmoid(logits) - y) / len(logits)
