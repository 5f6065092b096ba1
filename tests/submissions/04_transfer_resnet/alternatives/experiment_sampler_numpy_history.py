"""A RandomSampler with its own seeded generator, random/numpy/torch seeded by hand, the history's
lists holding numpy floats, an OrderedDict returned, evaluation after each epoch's timing."""
import random
import time
from collections import OrderedDict

import numpy as np
import torch
from torch.utils.data import DataLoader, RandomSampler


def run_experiment(freeze_backbone, train_ds, val_ds, epochs, lr, batch_size, seed, device, weights_path=None):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    net = build_model(len(CLASSES), freeze_backbone, weights_path).to(device)
    optimizer = make_optimizer(net, lr)
    sampler = RandomSampler(train_ds, generator=torch.Generator().manual_seed(seed))
    train_loader = DataLoader(train_ds, batch_size=batch_size, sampler=sampler)
    val_loader = DataLoader(val_ds, batch_size=2 * batch_size)
    train_loss, val_loss, val_accuracy, times = [], [], [], []
    for _ in range(epochs):
        tic = time.perf_counter()
        train_loss.append(np.float64(train_one_epoch(net, train_loader, optimizer, device, freeze_backbone)))
        times.append(time.perf_counter() - tic)
        scores = evaluate(net, val_loader, device)
        val_loss.append(np.float32(scores["loss"]))
        val_accuracy.append(np.float64(scores["accuracy"]))
    return OrderedDict(history=OrderedDict(train_loss=train_loss, val_loss=val_loss, val_accuracy=val_accuracy),
                       val_accuracy=val_accuracy[-1], seconds_per_epoch=np.mean(times),
                       trainable=np.int64(count_trainable(net)))
