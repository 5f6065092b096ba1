"""The loss of the last batch returned as the epoch's loss."""
EXPECT = {"test_train_one_epoch": "last batch's loss"}


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    return loss.item()
