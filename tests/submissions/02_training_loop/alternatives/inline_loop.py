"""fit written as one inline loop; a loader that makes its generator only when it shuffles, and
hands it to an explicit RandomSampler."""
import torch
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler, TensorDataset


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    data = TensorDataset(torch.tensor(X).float(), torch.tensor(y).float().view(-1, 1))
    if shuffle:
        sampler = RandomSampler(data, generator=torch.Generator().manual_seed(seed))
    else:
        sampler = SequentialSampler(data)
    return DataLoader(data, batch_size=batch_size, sampler=sampler)


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    criterion = nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        model.train()
        seen, running = 0, 0.0
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()
            running += loss.item() * len(yb)
            seen += len(yb)
        history["train_loss"].append(running / seen)
        model.eval()
        with torch.no_grad():
            pairs = [(model(xb), yb) for xb, yb in val_loader]
        logits = torch.cat([p for p, _ in pairs])
        targets = torch.cat([t for _, t in pairs])
        history["val_loss"].append(criterion(logits, targets).item())
        history["val_accuracy"].append(((logits > 0).float() == targets).float().mean().item())
    return history
