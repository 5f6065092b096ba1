"""Hidden check of 04's section 5: run_experiment.

Requirement rows guarded (assignments/04_transfer_resnet/requirements.toml): experiment-seeded,
experiment-weights-path, experiment-on-device, experiment-optimizer, experiment-epochs,
experiment-frozen-batchnorm, experiment-shuffled-seeded, experiment-evaluates-each-epoch,
experiment-trains-after-evaluating, experiment-history, experiment-final-accuracy, experiment-seconds,
experiment-trainable.

run_experiment() trains on datasets that log which index is read when: the log tells the shuffling,
the evaluation set and the reproducibility, and a replay on the run's own order tells what was
trained; the validation labels of each pass are chosen from the reference run's own predictions, so
the final epoch's accuracy is never the best one. The frozen run starts from a weights file, the
unfrozen one from random weights. Each run gets the stand-in for a GPU as its device (see
training.py) and is timed from outside, so a mean time per epoch longer than the call's own shows.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping

import numpy as np
import torch
import torchvision
from dlmed.fixtures import logged_datasets
from dlmed.mednist import CLASSES
from dlmed.reproducibility import seed_everything
from dlmed.wire import Result
from scipy.special import logsumexp
from torch import nn

from .. import Check, CheckFailed, call, fixture
from ..expect import as_number, expect_array, per_epoch, tolerant
from .model import trainable_count
from .training import expect_on_device, train_one_epoch


N_TRAIN, N_VAL, SIZE, EPOCHS, BATCH = 12, 6, 16, 2, 12  # one Adam step an epoch: the judge replays both runs


def _loader_order(seed: int) -> tuple:
    """The order of the training images, epoch by epoch, that DataLoader(shuffle=True) gives with a
    generator seeded with `seed` (the reference run's; a correct run may shuffle another way)."""
    loader = torch.utils.data.DataLoader(range(N_TRAIN), batch_size=BATCH, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    return tuple(tuple(int(i) for b in loader for i in b) for _ in range(EPOCHS))


@functools.lru_cache(maxsize=32)
def _experiment(freeze: bool, data_seed: int, lr: float, seed: int, orders: tuple, weights_seed: int | None,
                slip: str = "") -> dict:
    """The reference run on the images of logged_datasets(..., data_seed), training on the batches of
    `orders` (one tuple of indices per epoch), from the weights of resnet_weights_file(weights_seed) where
    that is given: its training losses and the validation logits after each epoch (the validation labels
    do not change the run). `slip`: "fc_only" (Adam over model.fc alone), "no_freeze" (train_one_epoch
    not told the backbone is frozen) or "no_weights" (weights_path not passed on). Plans and judges
    share it, so a run the plan already made costs the judge nothing."""
    train, val = logged_datasets(N_TRAIN, N_VAL, SIZE, len(CLASSES), data_seed, [[0] * N_VAL])
    state = random.getstate(), np.random.get_state(), torch.random.get_rng_state()
    try:
        if weights_seed is not None and slip != "no_weights":  # as resnet_weights_file saves them
            torch.manual_seed(weights_seed)
            weights = torchvision.models.resnet18(weights=None).state_dict()
        seed_everything(seed)
        model = torchvision.models.resnet18(weights=None)
        if weights_seed is not None and slip != "no_weights":
            model.load_state_dict(weights)
        if freeze:
            for parameter in model.parameters():
                parameter.requires_grad = False
        model.fc = nn.Linear(model.fc.in_features, len(CLASSES))
        params = model.fc.parameters() if slip == "fc_only" else [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.Adam(params, lr=lr)
        losses, logits = [], []
        for order in orders:
            batches = [list(order[i:i + BATCH]) for i in range(0, len(order), BATCH)]
            loader = [(train.images[b], train.labels[0][b]) for b in batches]
            losses.append(train_one_epoch(model, loader, optimizer, "cpu", freeze and slip != "no_freeze"))
            model.eval()
            with torch.no_grad():
                logits.append(torch.cat([model(val.images[i:i + BATCH]) for i in range(0, N_VAL, BATCH)]).double().numpy())
    finally:  # the grader's own random state stays as it was
        random.setstate(state[0])
        np.random.set_state(state[1])
        torch.random.set_rng_state(state[2])
    return {"train_loss": tuple(losses), "logits": tuple(logits)}


def _val_labels(predictions, rng) -> list:
    """Labels for each evaluation pass: the first agrees with the reference model's predictions but for
    one image, the last with none but one, so its accuracy (1/6) is below the first's (5/6)."""
    first, last = (np.asarray(p).copy() for p in predictions)
    k = len(CLASSES)
    wrong = int(rng.integers(N_VAL))
    first[wrong] = (first[wrong] + rng.integers(1, k)) % k
    right = int(rng.integers(N_VAL))
    last = np.where(np.arange(N_VAL) == right, last, (last + rng.integers(1, k, size=N_VAL)) % k)
    return [first.tolist(), last.tolist()]


def _margin(logits) -> float:
    """How far the closest prediction is from a tie: the smallest gap between a row's two top logits."""
    top = np.sort(logits, axis=1)
    return float((top[:, -1] - top[:, -2]).min())


def _history_metrics(logits, labels):
    """Per epoch: mean cross-entropy and accuracy of the validation logits against that pass's labels."""
    losses, accuracies = [], []
    for z, y in zip(logits, labels):
        y = np.asarray(y)
        log_p = z - logsumexp(z, 1, keepdims=True)
        losses.append(float(-log_p[np.arange(len(y)), y].mean()))
        accuracies.append(float((z.argmax(1) == y).mean()))
    return losses, accuracies


class RunExperiment(Check):
    """run_experiment: a seeded, reproducible run that trains what build_model and make_optimizer make trainable
    (the whole network when unfrozen), on batches reshuffled each epoch, evaluates on val_ds after every epoch,
    and returns the history, the final epoch's accuracy and the trainable count."""

    name = "run_experiment"
    keys = ("history", "val_accuracy", "seconds_per_epoch", "trainable")
    metrics = ("train_loss", "val_loss", "val_accuracy")
    runs = (4, 10)  # the calls of run_experiment: unfrozen, frozen

    def plan(self, rng):
        for _ in range(50):  # a draw where a validation prediction is a near tie is drawn again
            seed, data_seed = (int(v) for v in rng.integers(1000, size=2))
            # Other weights than the seed's own initialisation, so a weights_path not passed on shows.
            weights_seed = seed + int(rng.integers(1, 1000))
            lr = float(rng.choice([2e-3, 3e-3]))  # never the default, so an lr not passed on shows
            reference = _experiment(False, data_seed, lr, seed, _loader_order(seed), None)
            frozen = _experiment(True, data_seed, lr, seed, _loader_order(seed), weights_seed)  # the judge's, made ahead
            if min(_margin(z) for z in reference["logits"] + frozen["logits"]) > 1e-3:
                break
        labels = _val_labels([z.argmax(1) for z in reference["logits"]], rng)
        calls = [fixture("logged_datasets", N_TRAIN, N_VAL, SIZE, len(CLASSES), data_seed, labels),
                 fixture("resnet_weights_file", weights_seed)]
        # The unfrozen run from random weights (weights_path left at its default), the frozen one from a file;
        # each on the stand-in for a GPU, timed from outside.
        for freeze, weights in ((False, {}), (True, {"weights_path": Result(1)})):
            device = len(calls)
            calls += [fixture("watch_device", Result(0)), fixture("clock"),
                      call(self.name, freeze, Result(0, 0), Result(0, 1), EPOCHS, lr, BATCH, seed, Result(device),
                           **weights),
                      fixture("clock"), fixture("device_report"), fixture("access_log", Result(0))]
        return calls

    def judge(self, calls, outcomes):
        runs = []
        for index in self.runs:
            c = calls[index]
            value = tolerant(outcomes[index], c)
            orders = self._orders(tolerant(outcomes[index + 3], c), c)
            before, after = (tolerant(outcomes[i], c) for i in (index - 1, index + 1))
            elapsed = after - before if isinstance(before, float) and isinstance(after, float) else None
            runs.append((c, orders, self._results(value, c, elapsed)))
            expect_on_device(tolerant(outcomes[index + 2], c), c)
        if runs[0][1] != runs[1][1]:
            raise CheckFailed(f"{runs[1][0].describe()} after {runs[0][0].describe()}: two runs with the same seed "
                              "trained on batches in different orders, so the experiment cannot be reproduced (a shuffle "
                              "drawn from the global random state, which augmentation draws from too?); shuffle with a "
                              "generator of its own seeded with seed: DataLoader(train_ds, batch_size, shuffle=True, "
                              "generator=torch.Generator().manual_seed(seed))")
        data_seed, labels, weights_seed = calls[0].args[4], calls[0].args[5], calls[1].args[0]
        for c, orders, result in runs:
            self._against_reference(c, orders, result, data_seed, labels,
                                    weights_seed if "weights_path" in c.kwargs else None)

    def _orders(self, log, c) -> tuple:
        reads, evaluated = log["train"], log["val"]
        if not evaluated:
            raise CheckFailed(f"{c.describe()} never read val_ds: it evaluated on the training data (or not at all); "
                              "evaluate on a DataLoader over val_ds after each epoch")
        if len(reads) != EPOCHS * N_TRAIN:
            raise CheckFailed(f"{c.describe()}: train_ds was read {len(reads)} times, where {EPOCHS} epochs of "
                              f"{N_TRAIN} images read it {EPOCHS * N_TRAIN} times; train for epochs epochs "
                              "(for _ in range(epochs)) on every image once per epoch, and evaluate on val_ds only")
        if len(evaluated) != EPOCHS * N_VAL or sorted(evaluated) != sorted(list(range(N_VAL)) * EPOCHS):
            raise CheckFailed(f"{c.describe()}: val_ds was read {len(evaluated)} times for {EPOCHS} epochs of "
                              f"{N_VAL} images; evaluate every validation image once after each epoch")
        orders = tuple(tuple(reads[e * N_TRAIN:(e + 1) * N_TRAIN]) for e in range(EPOCHS))
        if any(sorted(order) != list(range(N_TRAIN)) for order in orders):
            raise CheckFailed(f"{c.describe()}: an epoch did not go through every training image exactly once")
        if all(order == tuple(range(N_TRAIN)) for order in orders):
            raise CheckFailed(f"{c.describe()}: the training batches came in the dataset's own order; shuffle them, "
                              "with a generator seeded with seed (DataLoader(train_ds, batch_size, shuffle=True, "
                              "generator=torch.Generator().manual_seed(seed)))")
        if len(set(orders)) == 1:
            raise CheckFailed(f"{c.describe()}: every epoch saw the training images in the same order (a new loader "
                              "with a freshly seeded generator each epoch?); make the DataLoader once, before the epoch "
                              "loop, so each epoch is shuffled anew")
        return orders

    def _results(self, value, c, elapsed) -> dict:
        if not isinstance(value, Mapping) or not set(self.keys) <= set(value):
            raise CheckFailed(f"{c.describe()} must return a dict with {', '.join(self.keys)}")
        freeze = c.args[0]
        expected = trainable_count(len(CLASSES), freeze)
        if as_number(value["trainable"], c, "'trainable' count") != expected:
            kind = "frozen" if freeze else "unfrozen"
            raise CheckFailed(f"{c.describe()}: 'trainable' is {value['trainable']}, expected {expected:,} for a {kind} "
                              f"ResNet-18 with a head for MedNIST's {len(CLASSES)} classes "
                              "(count_trainable of the model built)")
        history = value["history"]
        if not isinstance(history, Mapping) or not set(self.metrics) <= set(history):
            raise CheckFailed(f"{c.describe()}: 'history' should be a dict of the lists {', '.join(self.metrics)}")
        series = per_epoch(history, self.metrics, EPOCHS, c)
        accuracy = as_number(value["val_accuracy"], c, "'val_accuracy'")
        if not 0 <= accuracy <= 1:
            raise CheckFailed(f"{c.describe()}: 'val_accuracy' should be a fraction, got {accuracy!r}")
        seconds = as_number(value["seconds_per_epoch"], c, "'seconds_per_epoch'")
        if not np.isfinite(seconds) or seconds <= 0:
            raise CheckFailed(f"{c.describe()}: 'seconds_per_epoch' should be the measured time of one epoch")
        # Epochs are parts of the call: their mean cannot exceed its time per epoch (a clock read apart: slack).
        if elapsed is not None and seconds > 1.05 * elapsed / EPOCHS + 0.01:
            raise CheckFailed(f"{c.describe()}: 'seconds_per_epoch' is {seconds:.4g}, but the whole call took "
                              f"{elapsed:.3g} s for {EPOCHS} epochs; report the mean training time of an epoch in "
                              "seconds (time.perf_counter() after the epoch minus before it)")
        return {**series, "final": accuracy}

    def _against_reference(self, c, orders, result, data_seed, labels, weights_seed):
        freeze, lr, seed = c.args[0], c.args[4], c.args[6]
        reference = _experiment(freeze, data_seed, lr, seed, orders, weights_seed)
        slips = ["no_freeze"] if freeze else ["fc_only"]
        if weights_seed is not None:
            slips.append("no_weights")
        messages = {
            "fc_only": "the unfrozen run trained only the head (an optimizer over model.fc's parameters?): make_optimizer "
                       "must give Adam every trainable parameter, so that fine-tuning trains the backbone too",
            "no_freeze": "the frozen run's BatchNorm statistics moved: pass freeze_backbone on to train_one_epoch, "
                         "so that set_train_mode keeps the frozen backbone's BatchNorm layers in eval mode",
            "no_weights": "the run started from random weights, not from those in weights_path: pass it on, "
                          "build_model(len(CLASSES), freeze_backbone, weights_path)",
        }

        def known(key):
            for slip in slips:
                slipped = _experiment(freeze, data_seed, lr, seed, orders, weights_seed, slip)
                yield (np.array(slipped["train_loss"]) if key == "train_loss"
                       else np.array(_history_metrics(slipped["logits"], labels)[key == "val_accuracy"])), messages[slip]

        val_loss, val_accuracy = _history_metrics(reference["logits"], labels)
        hint = ("; check that run_experiment calls seed_everything(seed) before build_model(len(CLASSES), freeze_backbone, "
                "weights_path), trains with make_optimizer(model, lr) and train_one_epoch(..., freeze_backbone), and "
                "evaluates with evaluate(model, val_loader, device) (if the tests of those fail, fix them first)")
        for key, expected, tolerance in (("train_loss", reference["train_loss"], 1e-3), ("val_loss", val_loss, 1e-3),
                                         ("val_accuracy", val_accuracy, 0)):
            try:  # an accuracy kept in float32 is 1e-8 off
                expect_array(result[key], np.array(expected), c, what=f"history[{key!r}]", rtol=tolerance, atol=1e-6,
                             known=known(key))
            except CheckFailed as failure:
                if any(message in str(failure) for message in messages.values()):
                    raise
                raise CheckFailed(str(failure) + hint) from None
        final = result["final"]
        if not np.isclose(final, val_accuracy[-1], rtol=0, atol=1e-6):
            if np.isclose(final, max(val_accuracy), rtol=0, atol=1e-6):
                raise CheckFailed(f"{c.describe()}: 'val_accuracy' is {final:.4g}, the best epoch's; report the final "
                                  f"epoch's ({val_accuracy[-1]:.4g}), the model the run ends with")
            raise CheckFailed(f"{c.describe()}: 'val_accuracy' is {final:.4g}, expected the final epoch's, "
                              f"{val_accuracy[-1]:.4g} (history['val_accuracy'][-1])")
