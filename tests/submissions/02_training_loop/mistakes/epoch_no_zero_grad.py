"""optimizer.zero_grad() is missing: gradients accumulate over the batches."""
EXPECT = {"test_train_one_epoch": "zero_grad"}


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count
