"""Adds up the loss tensors themselves, without .item(): the returned mean still holds the autograd
graph of every batch of the epoch."""
EXPECT = {"test_train_one_epoch": "autograd's graph"}


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total = total + loss * len(xb)
        count += len(xb)
    return total / count
