"""The history collected in a collections.defaultdict(list), the loaders' generator made apart,
the epoch time from time.time(): a dict of lists all the same."""
import time
from collections import defaultdict

import torch
from torch.utils.data import DataLoader


def run_experiment(freeze_backbone, train_ds, val_ds, epochs, lr, batch_size, seed, device, weights_path=None):
    seed_everything(seed)
    model = build_model(len(CLASSES), freeze_backbone, weights_path=weights_path).to(device)
    optimizer = make_optimizer(model, lr=lr)
    g = torch.Generator()
    g.manual_seed(seed)
    train_loader = DataLoader(train_ds, batch_size=batch_size, shuffle=True, generator=g)
    val_loader = DataLoader(val_ds, batch_size=batch_size, shuffle=False)
    history = defaultdict(list)
    elapsed = 0.0
    for epoch in range(epochs):
        t0 = time.time()
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, device, freeze_backbone=freeze_backbone))
        elapsed += time.time() - t0
        for key, value in evaluate(model, val_loader, device).items():
            history["val_" + key].append(value)
    return {"history": history, "val_accuracy": history["val_accuracy"][-1],
            "seconds_per_epoch": elapsed / epochs, "trainable": count_trainable(model)}
