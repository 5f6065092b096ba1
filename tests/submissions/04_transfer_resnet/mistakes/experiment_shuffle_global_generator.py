"""Everything seeded, but the loader shuffles with the global random generator instead of one of its own:
each epoch's order then depends on every draw made before it (the model's initialisation, augmentation),
and two runs with one seed differ once the training set's augmentation has drawn differently."""
import time

import numpy as np
from torch.utils.data import DataLoader

EXPECT = {"test_run_experiment": "cannot be reproduced"}


def run_experiment(freeze_backbone, train_ds, val_ds, epochs, lr, batch_size, seed, device, weights_path=None):
    seed_everything(seed)
    model = build_model(len(CLASSES), freeze_backbone, weights_path).to(device)
    optimizer = make_optimizer(model, lr)
    train_loader = DataLoader(train_ds, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=batch_size)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, device, freeze_backbone))
        seconds.append(time.perf_counter() - start)
        metrics = evaluate(model, val_loader, device)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return {"history": history, "val_accuracy": history["val_accuracy"][-1],
            "seconds_per_epoch": float(np.mean(seconds)), "trainable": count_trainable(model)}
