"""The epoch loss as the mean of the batch means: the small last batch counts as much as a full one."""
EXPECT = {"test_train_one_epoch": "mean of the batch losses"}


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()
    losses = []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
