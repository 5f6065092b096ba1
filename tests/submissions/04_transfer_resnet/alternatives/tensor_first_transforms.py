"""ToTensor first, then the first channel repeated three times and a tensor Resize; its own timer; a 0-d tensor accuracy."""
import time

import numpy as np
import torch
from torch.utils.data import DataLoader
from torchvision import transforms


def build_transforms(train, image_size=64):
    steps = [transforms.ToTensor(), transforms.Lambda(lambda t: t[:1].repeat(3, 1, 1)),
             transforms.Resize((image_size, image_size), antialias=True)]
    if train:
        steps += [transforms.RandomRotation(12), transforms.RandomHorizontalFlip()]
    return transforms.Compose(steps + [transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


def run_experiment(freeze_backbone, train_ds, val_ds, epochs, lr, batch_size, seed, device, weights_path=None):
    torch.manual_seed(seed)
    np.random.seed(seed)
    model = build_model(len(CLASSES), freeze_backbone, weights_path=weights_path).to(device)
    opt = make_optimizer(model, lr=lr)
    train_loader = DataLoader(train_ds, batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    spent = 0.0
    for _ in range(epochs):
        t0 = time.time()
        history["train_loss"].append(train_one_epoch(model, train_loader, opt, device, freeze_backbone=freeze_backbone))
        spent += time.time() - t0
        m = evaluate(model, DataLoader(val_ds, batch_size), device)
        history["val_loss"].append(m["loss"])
        history["val_accuracy"].append(m["accuracy"])
    # The final accuracy as a 0-d tensor and the history as tuples: still the numbers asked for.
    return dict(history={k: tuple(v) for k, v in history.items()}, val_accuracy=torch.tensor(history["val_accuracy"][-1]),
                seconds_per_epoch=spent / epochs, trainable=count_trainable(model))
