"""Training mode set once, before the epochs, in run_experiment rather than in train_one_epoch: evaluate()
puts the model in evaluation mode after the first epoch, and every later epoch trains with BatchNorm
frozen at its running statistics."""
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

EXPECT = {"test_run_experiment": "history['train_loss']"}


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False):
    total, count = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(images)
        count += len(images)
    return total / count


def run_experiment(freeze_backbone, train_ds, val_ds, epochs, lr, batch_size, seed, device, weights_path=None):
    seed_everything(seed)
    model = build_model(len(CLASSES), freeze_backbone, weights_path).to(device)
    optimizer = make_optimizer(model, lr)
    train_loader = DataLoader(train_ds, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    val_loader = DataLoader(val_ds, batch_size=batch_size)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    seconds = []
    set_train_mode(model, freeze_backbone)
    for _ in range(epochs):
        start = time.perf_counter()
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, device, freeze_backbone))
        seconds.append(time.perf_counter() - start)
        metrics = evaluate(model, val_loader, device)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return {"history": history, "val_accuracy": history["val_accuracy"][-1],
            "seconds_per_epoch": float(np.mean(seconds)), "trainable": count_trainable(model)}
