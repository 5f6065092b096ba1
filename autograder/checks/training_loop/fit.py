"""Hidden check of 02's section 6: fit, judged by a replay of the same call with reference code on the
same seeded model and data, validation rows chosen from the trained reference model's logits so a
wrong evaluation shows in the last epoch.

Requirement rows it guards (assignments/02_training_loop/requirements.toml):
fit-adam-lr, fit-one-optimizer, fit-bce-loss, fit-defaults, fit-history-keys,
fit-one-entry-per-epoch, fit-train-loss, fit-validation, fit-training-mode-every-epoch.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from dlmed import fixtures
from dlmed.wire import Result
from torch import nn

from .. import Check, CheckFailed, call, fixture, replay
from ..expect import as_numbers, expect_array, per_epoch, tolerant
from .epoch import EVALUATION_SLIPS, TrainOneEpoch, expect_state, training_data
from .exposing import eval_data
from .reference import OneByOne, fit, train_one_epoch


def _trained_reference(X, y, epochs, lr, dropout):
    """The seeded fit model as a correct fit() leaves it, its dropout drawing what it draws in the
    kernel (the plan seeds torch with seed + 1 before the call; evaluation draws nothing)."""

    def make(seed):
        model = fixtures.reference_mlp(4, (6,), dropout, seed=seed)
        optimizer, loss_fn, loader = torch.optim.Adam(model.parameters(), lr=lr), nn.BCEWithLogitsLoss(), fixtures.loader(X, y, 16)
        torch.manual_seed(seed + 1)
        for _ in range(epochs):
            train_one_epoch(model, loader, loss_fn, optimizer)
        return model

    return make


class Fit(Check):
    """fit: Adam with lr made once, and per epoch the training loss of train_one_epoch (in training
    mode: the model has dropout), then loss and accuracy on val_loader; validation rows are chosen so
    a wrong evaluation shows in the last epoch. Called once more without epochs and lr: 30 epochs at
    lr=1e-3."""

    name = "fit"
    keys = ("train_loss", "val_loss", "val_accuracy")
    epochs, lr, dropout = 3, 0.01, 0.2
    defaults = {"epochs": 30, "lr": 1e-3}
    slips = {
        "sgd": ({"optimizer_class": torch.optim.SGD}, "this is training with SGD; fit trains with torch.optim.Adam(model.parameters(), lr=lr)"),
        "default lr": ({"default_lr": True}, "this is Adam at its default learning rate; pass lr on: torch.optim.Adam(model.parameters(), lr=lr)"),
        "per epoch": ({"optimizer_per_epoch": True}, "the optimizer was made anew every epoch, which resets Adam's running averages; "
                                                     "make it once, before the loop over epochs"),
        "evaluate first": ({"evaluate_first": True}, "the validation metrics were measured before the epoch's training; evaluate after train_one_epoch"),
        "train loader": ({"validate_on_train": True}, "history['val_loss'] holds the training data's loss: evaluate on val_loader"),
        "train loss evaluated": ({"train_loss_evaluated": True}, "history['train_loss'] holds evaluate()'s loss on the training "
                                                                 "data after the epoch; record the loss train_one_epoch returns"),
        "no train()": ({"epoch": {"train_mode": False}}, "from the second epoch on the model trained in evaluation mode (dropout off), "
                                                         "as evaluate() left it: call model.train() before every epoch's training"),
    }
    # A right fit around a wrong train_one_epoch or evaluate: the history shows their slips.
    called_slips = {
        **{f"epoch {name}": ({"epoch": switches}, f"the history shows a slip of train_one_epoch, which fit calls: {message}")
           for name, (switches, message) in TrainOneEpoch.slips.items() if name != "no train()"},  # fit's own slip above
        **{f"evaluate {name}": ({"evaluation": switches}, f"the history shows a slip of evaluate, which fit calls: {message}")
           for name, (switches, message) in EVALUATION_SLIPS.items()},
    }

    def plan(self, rng):
        X, y = training_data(rng)
        seed, (Xv, yv) = eval_data(rng, 20, _trained_reference(X, y, self.epochs, self.lr, self.dropout))
        return [
            fixture("reference_mlp", 4, (6,), self.dropout, seed=seed),
            fixture("loader", X, y, 16),
            fixture("loader", Xv, yv, 16),
            fixture("seed", seed + 1),
            call(self.name, Result(0), Result(1), Result(2), epochs=self.epochs, lr=self.lr),
            fixture("state", Result(0)),
            # The signature's defaults, on a model of its own.
            fixture("reference_mlp", 4, (6,), self.dropout, seed=seed + 2),
            fixture("seed", seed + 3),
            call(self.name, Result(6), Result(1), Result(2)),
            fixture("state", Result(6)),
        ]

    def _history(self, c, outcome, epochs):
        history = tolerant(outcome, c)
        if not isinstance(history, Mapping) or not set(self.keys) <= set(history):
            raise CheckFailed(f"{c.describe()} must return a dict with the lists {', '.join(self.keys)}")
        return per_epoch(history, self.keys, epochs, c)

    def judge(self, calls, outcomes):
        c = calls[4]
        history, state = self._history(c, outcomes[4], self.epochs), tolerant(outcomes[5], c)
        reference = replay(calls, {self.name: fit})
        slips = OneByOne(calls[:6], self.name, fit, {**self.slips, **self.called_slips})
        for key, values in history.items():
            expect_array(values, reference[4].value[key], c, what=f"history[{key!r}]",
                         rtol=1e-4, atol=1e-6, known=((v[key], m) for v, m in slips.known(4)))
        expect_state(state, reference[5].value, c, slips, 5)
        c = calls[8]
        value = tolerant(outcomes[8], c)
        epochs = self.defaults["epochs"]
        if isinstance(value, Mapping) and "train_loss" in value:
            ran = len(as_numbers(value["train_loss"], c, "history['train_loss']"))
            if ran != epochs:
                raise CheckFailed(f"{c.describe()} ran {ran} epochs; epochs defaults to {epochs}, as the signature says")
        history = self._history(c, outcomes[8], epochs)
        wanted = f"fit(model, train_loader, val_loader, epochs={epochs}, lr={self.defaults['lr']})"
        try:
            for key, values in history.items():
                expect_array(values, reference[8].value[key], c, what=f"history[{key!r}]", rtol=1e-4, atol=1e-6)
            expect_state(tolerant(outcomes[9], c), reference[9].value, c)
        except CheckFailed as failure:
            raise CheckFailed(f"{failure}; called without epochs and lr, fit trained otherwise than {wanted}: "
                              f"keep the signature's defaults, lr={self.defaults['lr']}") from None
