"""The epoch loss as the sum of the batch losses, never divided by anything."""
EXPECT = {"test_train_one_epoch": "sum of the batch losses"}


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()
    epoch_loss = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
    return epoch_loss
