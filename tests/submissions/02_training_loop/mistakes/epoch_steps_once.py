"""Accumulates the gradients of every batch and takes a single optimizer step after the loop."""
EXPECT = {"test_train_one_epoch": "optimizer.step() for every batch"}


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    total, count = 0.0, 0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        loss.backward()
        total += loss.item() * len(xb)
        count += len(xb)
    optimizer.step()
    return total / count
