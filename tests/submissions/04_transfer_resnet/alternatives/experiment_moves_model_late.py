"""device made a torch.device first; the model counted and given its optimizer on the CPU, then moved with
model.to(device=device) (Module.to keeps its parameters, so the optimizer still holds them); the validation
loader made anew after each epoch, with batches twice as large."""
import time

import torch
from torch.utils.data import DataLoader


def run_experiment(freeze_backbone, train_ds, val_ds, epochs, lr, batch_size, seed, device, weights_path=None):
    device = torch.device(device)
    seed_everything(seed)
    model = build_model(len(CLASSES), freeze_backbone, weights_path=weights_path)
    trainable = count_trainable(model)
    optimizer = make_optimizer(model, lr=lr)
    model.to(device=device)
    shuffled = DataLoader(train_ds, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    spent = []
    for _ in range(epochs):
        began = time.perf_counter()
        history["train_loss"].append(train_one_epoch(model, shuffled, optimizer, device, freeze_backbone))
        spent.append(time.perf_counter() - began)
        scores = evaluate(model, DataLoader(val_ds, batch_size=2 * batch_size), device)
        history["val_loss"].append(scores["loss"])
        history["val_accuracy"].append(scores["accuracy"])
    return {"history": history, "val_accuracy": history["val_accuracy"][-1],
            "seconds_per_epoch": sum(spent) / len(spent), "trainable": trainable}
