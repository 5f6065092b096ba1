"""Reference code of 02's training functions, each classic slip a keyword switch, and the replays
that run it: a judge compares the student's losses and weights with a replay of the same planned
calls here, on the same seeded model and data, and names the slip whose replay the student's
numbers match.

Requirement rows whose replays it makes (assignments/02_training_loop/requirements.toml):
epoch-training-mode, epoch-zero-grad, epoch-step-per-batch, epoch-mean-loss-per-sample,
epoch-weighted-batches, evaluate-whole-loader, evaluate-accuracy, evaluate-threshold,
evaluate-loss-on-logits, fit-adam-lr, fit-one-optimizer, fit-bce-loss, fit-defaults,
fit-one-entry-per-epoch, fit-train-loss, fit-validation, fit-training-mode-every-epoch.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import nn

from .. import Slips, replay


def train_one_epoch(model, loader, loss_fn, optimizer, *, zero_grad=True, reduce="per_sample", train_mode=True,
                    update=True, step_once=False):
    """`reduce`: "per_sample" (right), "batch_means", "sum" (of the batch means) or "last" (batch's
    loss); `update=False`: the gradients are cleared between backward() and step(), so nothing moves;
    `step_once`: the batches' gradients add up, and one step follows the loop."""
    if train_mode:
        model.train()
    if step_once:
        optimizer.zero_grad()
    total, count, batch_means = 0.0, 0, []
    for xb, yb in loader:
        if zero_grad and not step_once:
            optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        if not update:
            optimizer.zero_grad()
        if not step_once:
            optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
        batch_means.append(loss.item())
    if step_once:
        optimizer.step()
    return {"per_sample": total / count if count else 0.0, "batch_means": float(np.mean(batch_means)),
            "sum": float(np.sum(batch_means)), "last": batch_means[-1] if batch_means else 0.0}[reduce]


def evaluate(model, loader, loss_fn, *, threshold=0.0, per_sample=True, accuracy="per_sample", sigmoid_first=False,
             only_batch=None, inclusive=False):
    """`accuracy`: "per_sample" (right), "batch_means", or predictions of shape (n,) compared with
    (n, 1) targets, which broadcasts to an n x n table: its mean per batch ("broadcast"), its sum
    ("broadcast_sum") or, over the whole loader at once, its mean ("broadcast_all"); `only_batch`:
    the numbers of that one batch (0: the first, -1: the last); `inclusive`: class 1 at the threshold too."""
    model.eval()
    total, correct, count, batch_means, batch_accuracies, predictions, targets = 0.0, 0.0, 0, [], [], [], []
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(torch.sigmoid(logits) if sigmoid_first else logits, yb).item()
            total += loss * len(xb)
            batch_means.append(loss)
            predicted = ((logits >= threshold) if inclusive else (logits > threshold)).float()
            table = predicted.reshape(-1) == yb  # (n,) against (n, 1): n x n
            hits = {"broadcast": table.float().mean().item() * len(xb), "broadcast_sum": table.sum().item()}.get(
                accuracy, (predicted == yb).sum().item())
            correct += hits
            batch_accuracies.append(hits / len(xb))
            predictions.append(predicted.reshape(-1))
            targets.append(yb)
            count += len(xb)
    if only_batch is not None:
        return {"loss": batch_means[only_batch], "accuracy": batch_accuracies[only_batch]}
    if accuracy == "batch_means":
        score = float(np.mean(batch_accuracies))
    elif accuracy == "broadcast_all":
        score = (torch.cat(predictions) == torch.cat(targets)).float().mean().item()
    else:
        score = correct / count
    return {"loss": total / count if per_sample else float(np.mean(batch_means)), "accuracy": score}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3, *, optimizer_class=torch.optim.Adam,
        optimizer_per_epoch=False, evaluate_first=False, validate_on_train=False, default_lr=False, epoch=None,
        evaluation=None, train_loss_evaluated=False):
    """`epoch`, `evaluation`: switches of train_one_epoch's and evaluate's slips, for a fit that is
    right itself but calls a train_one_epoch or an evaluate that is not; `train_loss_evaluated`:
    train_loss is evaluate()'s loss on the training data after the epoch."""
    epoch, evaluation = epoch or {}, evaluation or {}

    def new_optimizer():
        return optimizer_class(model.parameters()) if default_lr else optimizer_class(model.parameters(), lr=lr)

    optimizer = new_optimizer()
    loss_fn = nn.BCEWithLogitsLoss()
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        if optimizer_per_epoch:
            optimizer = new_optimizer()
        if evaluate_first:
            metrics = evaluate(model, val_loader, loss_fn, **evaluation)
        history["train_loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer, **epoch))
        if train_loss_evaluated:
            history["train_loss"][-1] = evaluate(model, train_loader, loss_fn, **evaluation)["loss"]
        if not evaluate_first:
            metrics = evaluate(model, train_loader if validate_on_train else val_loader, loss_fn, **evaluation)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return history


class OneByOne(Slips):
    """Slips replayed one at a time, in order, as a judgement reads them: a judgement stops at the
    first that matches, so a recognised slip pays for the replays before it, not for all of them."""

    def known(self, index: int):
        replays = self.__dict__.setdefault("_one_by_one", {})
        for slip, (switches, message) in self.slips.items():
            if slip not in replays:
                replays[slip] = replay(self.calls, {self.name: functools.partial(self.reference, **switches)})
            yield replays[slip][index].value, message

