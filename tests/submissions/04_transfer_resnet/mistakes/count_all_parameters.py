"""Counting every parameter, frozen or not."""
EXPECT = {"test_count_trainable": "only those with requires_grad"}


def count_trainable(model):
    return sum(p.numel() for p in model.parameters())
