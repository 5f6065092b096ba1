"""zero_grad() moved between backward() and step(): every step sees zero gradients, nothing trains."""
EXPECT = {"test_train_one_epoch": "weights never moved"}


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count
