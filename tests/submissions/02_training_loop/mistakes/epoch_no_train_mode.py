"""model.train() is never called: after an evaluation, dropout stays off during training."""
EXPECT = {"test_train_one_epoch": "model.train()"}


def train_one_epoch(model, loader, loss_fn, optimizer):
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count
