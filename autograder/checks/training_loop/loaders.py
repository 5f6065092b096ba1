"""Hidden check of 02's section 3: make_loader, judged by the batches its loaders yield over two
epochs (dtypes, shapes, sizes, order, and orders between epochs, seeds and loaders).

Requirement rows it guards (assignments/02_training_loop/requirements.toml):
loader-float32-features, loader-float32-targets, loader-targets-n-by-1, loader-batch-size,
loader-no-shuffle-by-default, loader-default-seed, loader-reshuffle, loader-seeded-generator,
loader-repeatable.
"""

from __future__ import annotations

import numpy as np
from dlmed.wire import Result, TensorData

from .. import Check, CheckFailed, call, fixture
from ..expect import tolerant


def _batches(c, epoch, n_features):
    """Check each batch's types, dtypes and shapes; return the epoch's features and targets."""
    xs, ys = [], []
    for batch in epoch:
        if not isinstance(batch, tuple) or len(batch) != 2 or not all(isinstance(t, TensorData) for t in batch):
            raise CheckFailed(f"{c.describe()}: each batch should be a pair of tensors (features, targets) from a TensorDataset")
        xb, yb = batch
        if xb.array.ndim != 2 or xb.array.shape[1] != n_features:
            raise CheckFailed(f"{c.describe()}: features have shape {xb.array.shape}; they need one row of {n_features} per sample")
        if xb.dtype != "torch.float32":
            raise CheckFailed(f"{c.describe()}: features are {xb.dtype}; the model's weights are float32, so convert with dtype=torch.float32")
        if yb.dtype != "torch.float32":
            raise CheckFailed(f"{c.describe()}: targets are {yb.dtype}; BCEWithLogitsLoss needs float32 targets (dtype=torch.float32)")
        if yb.array.ndim != 2 or yb.array.shape[1] != 1:
            raise CheckFailed(f"{c.describe()}: targets have shape {yb.array.shape}; they need shape (N, 1) like the model's logits (reshape(-1, 1))")
        xs.append(xb.array)
        ys.append(yb.array)
    return xs, ys


class MakeLoader(Check):
    """make_loader: float32 features and (N, 1) float32 targets in batches of batch_size, the
    original order without shuffle, and with it an order that is new every epoch, fixed by the
    seed and the loader's own torch.Generator: two loaders made with one seed give one order even
    when they are iterated one after the other; without a seed, the order of seed=0."""

    name = "make_loader"
    SHUFFLED = {"batch_size": 8, "shuffle": True, "seed": 3}

    def plan(self, rng):
        X, y = rng.normal(size=(37, 3)), rng.integers(0, 2, 37)
        calls = []
        for kwargs, epochs in (
            ({"batch_size": 8}, 2),
            (self.SHUFFLED, 2),
            (self.SHUFFLED, 2),
            ({"batch_size": 8, "shuffle": True, "seed": 4}, 2),
            ({}, 1),
        ):
            calls.append(call(self.name, X, y, **kwargs))
            calls.append(fixture("loader_epochs", Result(len(calls) - 1), epochs=epochs))
        # Two more loaders with seed 3, both made before either is iterated: a loader that draws
        # from the global generator (torch.manual_seed(seed) in make_loader) or from one shared
        # with the other gives the second a different order; one with its own generator does not.
        calls += [call(self.name, X, y, **self.SHUFFLED), call(self.name, X, y, **self.SHUFFLED)]
        calls += [fixture("loader_epochs", Result(10), epochs=2), fixture("loader_epochs", Result(11), epochs=2)]
        # A shuffling loader made without a seed shuffles as seed=0 does.
        for kwargs in ({"batch_size": 8, "shuffle": True}, {"batch_size": 8, "shuffle": True, "seed": 0}):
            calls += [call(self.name, X, y, **kwargs), fixture("loader_epochs", Result(len(calls)), epochs=2)]
        return calls

    def _orders(self, made, made_outcome, outcome):
        tolerant(made_outcome, made)
        info = tolerant(outcome, made)
        X, y = made.args
        batch_size = made.kwargs.get("batch_size", 32)
        if not isinstance(info, dict) or info.get("batch_size") != batch_size or not isinstance(info.get("epochs"), list):
            raise CheckFailed(f"{made.describe()} should make a DataLoader with batch_size={batch_size}")
        rows = {row.tobytes(): i for i, row in enumerate(X.astype(np.float32))}
        epochs = []
        for epoch in info["epochs"]:
            xs, ys = _batches(made, epoch, X.shape[1])
            sizes = [len(b) for b in xs]
            if not sizes or sizes[:-1] != [batch_size] * (len(sizes) - 1) or sum(sizes) != len(X):
                raise CheckFailed(f"{made.describe()}: batches of sizes {sizes}; expected {batch_size} each, covering all {len(X)} samples once")
            order = [rows.get(r.tobytes(), -1) for r in np.concatenate(xs)]
            if sorted(order) != list(range(len(X))):
                raise CheckFailed(f"{made.describe()}: an epoch should yield every sample exactly once")
            if not np.array_equal(np.concatenate(ys)[:, 0], y[order]):
                raise CheckFailed(f"{made.describe()}: targets no longer match their samples")
            epochs.append(order)
        if len(epochs) < (2 if made.kwargs.get("shuffle") else 1):
            raise CheckFailed(f"{made.describe()}: the record of the loader's epochs is damaged")
        if not made.kwargs.get("shuffle") and epochs[0] != list(range(len(X))):
            raise CheckFailed(f"{made.describe()}: without shuffle the batches must keep the original order")
        if made.kwargs.get("shuffle") and epochs[0] == epochs[1]:
            raise CheckFailed(f"{made.describe()}: a shuffling loader must reshuffle every epoch")
        return epochs

    def judge(self, calls, outcomes):
        orders = [self._orders(calls[i], outcomes[i], outcomes[i + 1]) for i in range(0, 10, 2)]
        if orders[1] != orders[2]:
            raise CheckFailed(f"{calls[2].describe()} twice gave different orders; shuffle with a torch.Generator seeded with seed")
        if orders[1][0] == orders[3][0]:
            raise CheckFailed("make_loader gave the same order for seed=3 and seed=4; the seed must be used")
        pair = [self._orders(calls[10 + i], outcomes[10 + i], outcomes[12 + i]) for i in (0, 1)]
        if pair[0] != orders[1] or pair[1] != orders[1]:
            raise CheckFailed(
                f"two loaders made by {calls[10].describe()}, then iterated one after the other, gave different orders: "
                "they draw from one shared generator (torch.manual_seed(seed) seeds the global one, which every other "
                "loader and random call also uses); give each DataLoader its own, "
                "DataLoader(..., generator=torch.Generator().manual_seed(seed))"
            )
        default, zero = (self._orders(calls[i], outcomes[i], outcomes[i + 1]) for i in (14, 16))
        if default != zero:
            raise CheckFailed(f"{calls[14].describe()} shuffled otherwise than {calls[16].describe()}; the seed defaults to seed=0")

