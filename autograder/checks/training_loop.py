"""Hidden checks of 02_training_loop.

Splitting and loading code is judged by properties every correct answer has (sizes, disjoint
and complete splits, stratification, dtypes, reproducibility). Training code is judged by
replaying the same planned calls here, on the same seeded model and data, with reference
code, and comparing losses and weights; replays with a known slip built in name the slip.
"""

from __future__ import annotations

import numpy as np
import torch
from dlmed.wire import Result, TensorData
from torch import nn

from . import Check, CheckFailed, Slips, call, fixture, replay
from .expect import as_array, as_numbers, expect_array, expect_honest_evaluation, expect_scalar, tolerant

SPLIT_NAMES = ("X_train", "X_val", "X_test", "y_train", "y_val", "y_test")




# --- reference code, with the classic slips as switches -------------------------------------
def train_one_epoch(model, loader, loss_fn, optimizer, *, zero_grad=True, per_sample=True, train_mode=True):
    if train_mode:
        model.train()
    total, count, batch_means = 0.0, 0, []
    for xb, yb in loader:
        if zero_grad:
            optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
        batch_means.append(loss.item())
    return total / count if per_sample else float(np.mean(batch_means))


def evaluate(model, loader, loss_fn, *, threshold=0.0, per_sample=True):
    model.eval()
    total, correct, count, batch_means = 0.0, 0, 0, []
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(logits, yb).item()
            total += loss * len(xb)
            batch_means.append(loss)
            correct += ((logits > threshold).float() == yb).sum().item()
            count += len(xb)
    return {"loss": total / count if per_sample else float(np.mean(batch_means)), "accuracy": correct / count}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3, *, optimizer_class=torch.optim.Adam):
    optimizer = optimizer_class(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer))
        metrics = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return history


# --- splitting and scaling ------------------------------------------------------------------
def _id_features(rng, n, d):
    """Features whose first column is the row's index, so any split can be traced back."""
    X = rng.normal(size=(n, d))
    X[:, 0] = np.arange(n)
    return X


class SplitData(Check):
    name = "split_data"
    n, positives = 1000, 300

    def plan(self, rng):
        X = _id_features(rng, self.n, 4)
        # Grouped by class, like the real data set: a split that does not shuffle is skewed.
        y = (np.arange(self.n) >= self.n - self.positives).astype(int)
        return [call(self.name, X, y, seed=s) for s in (0, 1, 7, 7)] + [call(self.name, X, y)]

    def _ids(self, c, outcome):
        value = tolerant(outcome, c)
        if not isinstance(value, (tuple, list)) or len(value) != 6:
            raise CheckFailed(f"{c.describe()} must return six arrays: {', '.join(SPLIT_NAMES)}")
        X, y = c.args
        parts = [as_array(v, c, name) for v, name in zip(value, SPLIT_NAMES)]
        ids = []
        for Xs, ys, name in zip(parts[:3], parts[3:], ("train", "val", "test")):
            if Xs.ndim != 2 or Xs.shape[1] != X.shape[1] or len(ys) != len(Xs):
                raise CheckFailed(f"{c.describe()}: the {name} split should keep X's {X.shape[1]} columns and one label per row")
            row_ids = np.rint(Xs[:, 0]).astype(int)
            if row_ids.min(initial=0) < 0 or row_ids.max(initial=0) >= len(X) or not np.allclose(Xs, X[row_ids]):
                raise CheckFailed(f"{c.describe()}: the {name} split holds rows that are not rows of X")
            if not np.array_equal(np.ravel(ys), y[row_ids]):
                raise CheckFailed(f"{c.describe()}: in the {name} split the labels no longer belong to their rows")
            ids.append(row_ids)
        return ids

    def judge(self, calls, outcomes):
        splits = []
        for c, outcome in zip(calls, outcomes):
            ids = self._ids(c, outcome)
            X, y = c.args
            sizes = [len(i) for i in ids]
            wanted = [0.6 * len(X), 0.2 * len(X), 0.2 * len(X)]
            # Per-class rounding (a stratified split by hand) may move a sample per class.
            if any(abs(s - w) > 2 for s, w in zip(sizes, wanted)):
                raise CheckFailed(f"{c.describe()}: split sizes {sizes}, expected 60/20/20 of {len(X)}: {[int(w) for w in wanted]}")
            every = np.concatenate(ids)
            if len(set(every.tolist())) != len(every):
                raise CheckFailed(f"{c.describe()}: a sample appears in two splits; the splits must be disjoint")
            share = y.mean()
            for name, i in zip(("train", "val", "test"), ids):
                if abs(y[i].sum() - share * len(i)) > 1.5:
                    raise CheckFailed(
                        f"{c.describe()}: the {name} split has {y[i].mean():.1%} positives, the data {share:.1%}; "
                        "stratify both splits by the labels (stratify=...) so every split keeps the class balance"
                    )
            splits.append(ids)
        if not all(np.array_equal(a, b) for a, b in zip(splits[2], splits[3])):
            raise CheckFailed(f"{calls[2].describe()} twice gave two different splits; pass the seed as random_state")
        if all(np.array_equal(np.sort(a), np.sort(b)) for a, b in zip(splits[0], splits[1])):
            raise CheckFailed("split_data gave the same split for seed=0 and seed=1; the seed must be used")


class Standardize(Check):
    name = "standardize"

    def plan(self, rng):
        return [call(self.name, rng.normal(5, 3, (60, 4)), rng.normal(4, 2, (20, 4)), rng.normal(6, 1, (20, 4)))]

    def judge(self, calls, outcomes):
        (c,), (outcome,) = calls, outcomes
        value = tolerant(outcome, c)
        if not isinstance(value, (tuple, list)) or len(value) != 4:
            raise CheckFailed(f"{c.describe()} must return X_train_s, X_val_s, X_test_s, scaler")
        splits = c.args
        pooled = np.concatenate(splits)

        def scaled(mean, std):
            return [(s - mean) / std for s in splits]

        train = splits[0]
        # Either standard deviation convention is a correct standardization.
        references = [scaled(train.mean(0), train.std(0, ddof=ddof)) for ddof in (0, 1)]
        known = [
            (scaled(pooled.mean(0), pooled.std(0)), "the scaler was fitted on all the data; fit it on X_train only, then transform the validation and test splits with it"),
            ([(s - s.mean(0)) / s.std(0) for s in splits], "each split was scaled with its own mean and std; transform validation and test with the training split's statistics"),
        ]
        names = ("X_train_s", "X_val_s", "X_test_s")
        outputs = [as_array(v, c, name) for v, name in zip(value[:3], names)]
        for reference in references:
            if all(o.shape == r.shape and np.allclose(o, r, rtol=1e-5, atol=1e-6) for o, r in zip(outputs, reference)):
                return
        for i, name in enumerate(names):  # raises at the first split that is wrong, naming the slip
            expect_array(outputs[i], references[0][i], c, what=name, rtol=1e-5, atol=1e-6,
                         known=[(wrong[i], message) for wrong, message in known])
        raise CheckFailed(f"{c.describe()}: the three splits must be scaled with one and the same std convention")


# --- loaders --------------------------------------------------------------------------------
def _batches(c, epoch):
    """Check each batch's types, dtypes and shapes; return the epoch's features and targets."""
    xs, ys = [], []
    for batch in epoch:
        if not isinstance(batch, tuple) or len(batch) != 2 or not all(isinstance(t, TensorData) for t in batch):
            raise CheckFailed(f"{c.describe()}: each batch should be a pair of tensors (features, targets) from a TensorDataset")
        xb, yb = batch
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
    name = "make_loader"

    def plan(self, rng):
        X, y = rng.normal(size=(37, 3)), rng.integers(0, 2, 37)
        calls = []
        for kwargs, epochs in (
            ({"batch_size": 8}, 2),
            ({"batch_size": 8, "shuffle": True, "seed": 3}, 2),
            ({"batch_size": 8, "shuffle": True, "seed": 3}, 2),
            ({"batch_size": 8, "shuffle": True, "seed": 4}, 2),
            ({}, 1),
        ):
            calls.append(call(self.name, X, y, **kwargs))
            calls.append(fixture("loader_epochs", Result(len(calls) - 1), epochs=epochs))
        return calls

    def judge(self, calls, outcomes):
        orders = []
        for made, described, outcome, made_outcome in zip(calls[::2], calls[1::2], outcomes[1::2], outcomes[::2]):
            tolerant(made_outcome, made)
            info = tolerant(outcome, made)
            X, y = made.args
            batch_size = made.kwargs.get("batch_size", 32)
            if not isinstance(info, dict) or info.get("batch_size") != batch_size:
                raise CheckFailed(f"{made.describe()} should make a DataLoader with batch_size={batch_size}")
            rows = {row.tobytes(): i for i, row in enumerate(X.astype(np.float32))}
            epochs = []
            for epoch in info["epochs"]:
                xs, ys = _batches(made, epoch)
                sizes = [len(b) for b in xs]
                if sizes[:-1] != [batch_size] * (len(sizes) - 1) or sum(sizes) != len(X):
                    raise CheckFailed(f"{made.describe()}: batches of sizes {sizes}; expected {batch_size} each, covering all {len(X)} samples once")
                order = [rows.get(r.tobytes(), -1) for r in np.concatenate(xs)]
                if sorted(order) != list(range(len(X))):
                    raise CheckFailed(f"{made.describe()}: an epoch should yield every sample exactly once")
                if not np.array_equal(np.concatenate(ys)[:, 0], y[order]):
                    raise CheckFailed(f"{made.describe()}: targets no longer match their samples")
                epochs.append(order)
            if not made.kwargs.get("shuffle") and epochs[0] != list(range(len(X))):
                raise CheckFailed(f"{made.describe()}: without shuffle the batches must keep the original order")
            if made.kwargs.get("shuffle") and epochs[0] == epochs[1]:
                raise CheckFailed(f"{made.describe()}: a shuffling loader must reshuffle every epoch")
            orders.append(epochs)
        if orders[1] != orders[2]:
            raise CheckFailed(f"{calls[2].describe()} twice gave different orders; shuffle with a torch.Generator seeded with seed")
        if orders[1][0] == orders[3][0]:
            raise CheckFailed("make_loader gave the same order for seed=3 and seed=4; the seed must be used")


# --- the model ------------------------------------------------------------------------------
ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh}


def _chain(layers, n_features):
    """The Linear layers in the order data flows through them (registration order may differ),
    or None when they do not form one chain starting at n_features."""
    remaining, ordered, width = list(layers), [], n_features
    while remaining:
        position = next((i for i, layer in enumerate(remaining) if layer[0].array.shape[1] == width), None)
        if position is None:
            return None
        ordered.append(remaining.pop(position))
        width = ordered[-1][0].array.shape[0]
    return ordered


def _reference_logits(ordered, X, activation):
    h = torch.as_tensor(X, dtype=torch.float64)
    for i, (w, b) in enumerate(ordered):
        h = h @ torch.as_tensor(w.array, dtype=torch.float64).T
        if b is not None:
            h = h + torch.as_tensor(b.array, dtype=torch.float64)
        if i < len(ordered) - 1:
            h = ACTIVATIONS[activation](h)
    return h.numpy()


class Mlp(Check):
    name = "MLP"
    models = [
        ((5,), {"hidden_sizes": (7, 4), "activation": "tanh", "dropout": 0.0}),
        ((6,), {}),
        ((5,), {"hidden_sizes": (3,), "activation": "relu", "dropout": 0.5}),
    ]

    def plan(self, rng):
        calls = [fixture("seed", 0)]
        for args, kwargs in self.models:
            made = len(calls)
            X = rng.normal(size=(9, args[0]))
            calls += [call("MLP", *args, **kwargs), fixture("linear_layers", Result(made)), fixture("forward", Result(made), X)]
            if kwargs.get("dropout"):
                calls.append(fixture("forward", Result(made), X, train=True, repeats=2))
        return calls

    def judge(self, calls, outcomes):
        for index, (c, outcome) in enumerate(zip(calls, outcomes)):
            if c.fn != "MLP":
                continue
            tolerant(outcome, c)
            n_features = c.args[0]
            hidden = tuple(c.kwargs.get("hidden_sizes", (32, 16)))
            activation = c.kwargs.get("activation", "relu")
            layers = tolerant(outcomes[index + 1], c)
            ordered = _chain(layers, n_features)
            wanted = [n_features, *hidden, 1]
            if ordered is None or [n_features, *(w.array.shape[0] for w, _ in ordered)] != wanted:
                shapes = [tuple(w.array.shape[::-1]) for w, _ in layers]
                raise CheckFailed(f"{c.describe()}: the Linear layers should go {' -> '.join(map(str, wanted))} "
                                  f"(hidden_sizes={hidden}); their (in, out) sizes are {shapes}")
            X = calls[index + 2].args[1]
            (logits,) = tolerant(outcomes[index + 2], c)
            reference = _reference_logits(ordered, X, activation)
            other = "tanh" if activation == "relu" else "relu"
            expect_array(logits, reference, c, what="output in eval mode", rtol=1e-4, atol=1e-5,
                         shape_hint="the model returns one logit per sample: shape (N, 1)", known=[
                (1 / (1 + np.exp(-reference)), "the model ends in a sigmoid; return raw logits, BCEWithLogitsLoss applies the sigmoid itself"),
                (_reference_logits(ordered, X, other), f"activation={activation!r} was not used: the hidden layers apply {other}"),
            ])
            if c.kwargs.get("dropout"):
                first, second = tolerant(outcomes[index + 3], c)
                if np.allclose(first.array, second.array):
                    raise CheckFailed(f"{c.describe()}: in training mode two forward passes gave the same output; dropout={c.kwargs['dropout']} needs nn.Dropout layers")


# --- training and evaluation ----------------------------------------------------------------
def _training_data(rng, n=50, d=4):
    X = rng.normal(size=(n, d))
    return X, (X @ rng.normal(size=d) > 0).astype(float)


def _expect_state(student, reference, c, slips=None, index=None):
    if not isinstance(student, dict) or set(student) != set(reference):
        raise CheckFailed(f"{c.describe()}: the model's parameters changed shape or names")
    for key, ref in reference.items():
        known = ((as_array(wrong[key], c), message) for wrong, message in slips.known(index)) if slips else ()
        expect_array(student[key], as_array(ref, c), c, what=f"weights {key} after the call", rtol=1e-4, atol=1e-6,
                     known=known)


class TrainOneEpoch(Check):
    name = "train_one_epoch"
    slips = {
        "no zero_grad": ({"zero_grad": False}, "gradients piled up across batches: call optimizer.zero_grad() before each backward()"),
        "batch means": ({"per_sample": False}, "that is the mean of the batch losses; the last batch is smaller, so add loss.item() * len(xb) and divide by the number of samples"),
        "no train()": ({"train_mode": False}, "the model stayed in evaluation mode (dropout off); call model.train() first"),
    }

    def plan(self, rng):
        X, y = _training_data(rng)
        seed = int(rng.integers(1 << 30))
        return [
            fixture("reference_mlp", 4, (6,), 0.3, seed=seed),
            fixture("loader", X, y, 16),
            fixture("bce_with_logits"),
            fixture("optimizer", Result(0), "sgd", 0.5),
            fixture("set_mode", Result(0), False),
            fixture("seed", seed + 1),
            call(self.name, Result(0), Result(1), Result(2), Result(3)),
            fixture("state", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[6]
        loss, state = tolerant(outcomes[6], c), tolerant(outcomes[7], c)
        reference = replay(calls, {self.name: train_one_epoch})
        slips = Slips(calls, self.name, train_one_epoch, self.slips)
        # The weights first: they tell the slips apart far better than one loss value can.
        _expect_state(state, reference[7].value, c, slips, 7)
        expect_scalar(loss, reference[6].value, c, what="epoch loss", rtol=1e-4, atol=1e-6, known=slips.known(6))


class Evaluate(Check):
    name = "evaluate"

    def plan(self, rng):
        X, y = _training_data(rng)
        return [
            fixture("reference_mlp", 4, (6,), 0.5, seed=int(rng.integers(1 << 30))),
            fixture("loader", X, y, 16),
            fixture("bce_with_logits"),
            fixture("set_mode", Result(0), True),
            fixture("trace_forward", Result(0)),
            call(self.name, Result(0), Result(1), Result(2)),
            fixture("trace", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[5]
        value = expect_honest_evaluation(tolerant(outcomes[5], c), tolerant(outcomes[6], c), c,
                                         training_effect="dropout active")
        reference = replay(calls, {self.name: evaluate})[5].value
        threshold = Slips(calls, self.name, evaluate, {"half": ({"threshold": 0.5}, "a logit above 0 means probability above 0.5; you compared the logits with 0.5")})
        means = Slips(calls, self.name, evaluate, {"means": ({"per_sample": False}, "that is the mean of the batch losses; weight each batch by its size for the per-sample mean")})
        expect_scalar(value["accuracy"], reference["accuracy"], c, what="accuracy",
                      known=((v["accuracy"], m) for v, m in threshold.known(5)))
        expect_scalar(value["loss"], reference["loss"], c, what="loss", rtol=1e-4, atol=1e-6,
                      known=((v["loss"], m) for v, m in means.known(5)))


class Fit(Check):
    name = "fit"

    def plan(self, rng):
        (X, y), (Xv, yv) = _training_data(rng), _training_data(rng, n=20)
        seed = int(rng.integers(1 << 30))
        return [
            fixture("reference_mlp", 4, (6,), 0.0, seed=seed),
            fixture("loader", X, y, 16),
            fixture("loader", Xv, yv, 16),
            fixture("seed", seed + 1),
            call(self.name, Result(0), Result(1), Result(2), epochs=3, lr=0.01),
            fixture("state", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[4]
        history, state = tolerant(outcomes[4], c), tolerant(outcomes[5], c)
        keys = ("train_loss", "val_loss", "val_accuracy")
        if not isinstance(history, dict) or not set(keys) <= set(history):
            raise CheckFailed(f"{c.describe()} must return a dict with the lists {', '.join(keys)}")
        reference = replay(calls, {self.name: fit})
        with_sgd = Slips(calls, self.name, fit, {"sgd": ({"optimizer_class": torch.optim.SGD},
                                                         "this is training with SGD; fit trains with torch.optim.Adam(model.parameters(), lr=lr)")})
        for key in keys:
            values = as_numbers(history[key], c, f"history[{key!r}]")
            if values.shape != (3,):
                raise CheckFailed(f"{c.describe()}: history[{key!r}] should hold one number per epoch (3)")
            expect_array(values, reference[4].value[key], c, what=f"history[{key!r}]",
                         rtol=1e-4, atol=1e-6, known=((v[key], m) for v, m in with_sgd.known(4)))
        _expect_state(state, reference[5].value, c)


CHECKS = [SplitData(), Standardize(), MakeLoader(), Mlp(), TrainOneEpoch(), Evaluate(), Fit()]
