"""Hidden check of 02's section 6: fit, judged by a replay of the same call with reference code on the
same seeded model and data, validation rows chosen from the trained reference model's logits so a
wrong evaluation shows in the last epoch."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from dlmed import fixtures
from dlmed.wire import Result
from torch import nn

from .. import Check, CheckFailed, call, fixture, replay
from ..expect import expect_array, per_epoch, tolerant
from .epoch import EVALUATION_SLIPS, TrainOneEpoch, expect_state, training_data
from .exposing import eval_data
from .reference import OneByOne, fit, train_one_epoch


def _trained_reference(X, y, epochs, lr):
    """The seeded fit model as a correct fit() leaves it (dropout 0, no shuffle: nothing random)."""

    def make(seed):
        model = fixtures.reference_mlp(4, (6,), 0.0, seed=seed)
        optimizer, loss_fn, loader = torch.optim.Adam(model.parameters(), lr=lr), nn.BCEWithLogitsLoss(), fixtures.loader(X, y, 16)
        for _ in range(epochs):
            train_one_epoch(model, loader, loss_fn, optimizer)
        return model

    return make


class Fit(Check):
    """fit: Adam with lr made once, and per epoch the training loss of train_one_epoch, then loss and
    accuracy on val_loader; validation rows are chosen so a wrong evaluation shows in the last epoch."""

    name = "fit"
    keys = ("train_loss", "val_loss", "val_accuracy")
    epochs, lr = 3, 0.01
    slips = {
        "sgd": ({"optimizer_class": torch.optim.SGD}, "this is training with SGD; fit trains with torch.optim.Adam(model.parameters(), lr=lr)"),
        "default lr": ({"default_lr": True}, "this is Adam at its default learning rate; pass lr on: torch.optim.Adam(model.parameters(), lr=lr)"),
        "per epoch": ({"optimizer_per_epoch": True}, "the optimizer was made anew every epoch, which resets Adam's running averages; "
                                                     "make it once, before the loop over epochs"),
        "evaluate first": ({"evaluate_first": True}, "the validation metrics were measured before the epoch's training; evaluate after train_one_epoch"),
        "train loader": ({"validate_on_train": True}, "history['val_loss'] holds the training data's loss: evaluate on val_loader"),
    }
    # A right fit around a wrong train_one_epoch or evaluate: the history shows their slips.
    called_slips = {
        **{f"epoch {name}": ({"epoch": switches}, f"the history shows a slip of train_one_epoch, which fit calls: {message}")
           for name, (switches, message) in TrainOneEpoch.slips.items() if name != "no train()"},  # fit's model has no dropout
        **{f"evaluate {name}": ({"evaluation": switches}, f"the history shows a slip of evaluate, which fit calls: {message}")
           for name, (switches, message) in EVALUATION_SLIPS.items()},
    }

    def plan(self, rng):
        X, y = training_data(rng)
        seed, (Xv, yv) = eval_data(rng, 20, _trained_reference(X, y, self.epochs, self.lr))
        return [
            fixture("reference_mlp", 4, (6,), 0.0, seed=seed),
            fixture("loader", X, y, 16),
            fixture("loader", Xv, yv, 16),
            fixture("seed", seed + 1),
            call(self.name, Result(0), Result(1), Result(2), epochs=self.epochs, lr=self.lr),
            fixture("state", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[4]
        history, state = tolerant(outcomes[4], c), tolerant(outcomes[5], c)
        if not isinstance(history, Mapping) or not set(self.keys) <= set(history):
            raise CheckFailed(f"{c.describe()} must return a dict with the lists {', '.join(self.keys)}")
        reference = replay(calls, {self.name: fit})
        slips = OneByOne(calls, self.name, fit, {**self.slips, **self.called_slips})
        for key, values in per_epoch(history, self.keys, self.epochs, c).items():
            expect_array(values, reference[4].value[key], c, what=f"history[{key!r}]",
                         rtol=1e-4, atol=1e-6, known=((v[key], m) for v, m in slips.known(4)))
        expect_state(state, reference[5].value, c, slips, 5)

