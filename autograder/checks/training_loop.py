"""Hidden checks of 02_training_loop.

Splitting and loading code is judged by properties every correct answer has (sizes, disjoint
and complete splits, stratification, dtypes, reproducibility). Training code is judged by
replaying the same planned calls here, on the same seeded model and data, with reference
code, and comparing losses and weights; replays with a known slip built in name the slip.
Evaluation data is chosen, in `plan`, from the seeded reference model's own logits (for `fit`,
the model as the reference run leaves it), so that on every draw each known slip of computing a
loss or an accuracy (a 0.5 threshold on logits, (n,) against (n, 1) targets, batch means) gives
numbers of its own, and two loaders made with one seed show whether they share a generator.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import torch
from dlmed import fixtures
from dlmed.wire import Result, TensorData
from torch import nn

from . import Check, CheckFailed, Slips, call, fixture, replay
from .expect import (as_array, as_number, as_numbers, expect_array, expect_honest_evaluation, expect_scalar, per_epoch,
                     tolerant)

SPLIT_NAMES = ("X_train", "X_val", "X_test", "y_train", "y_val", "y_test")


# --- reference code, with the classic slips as switches -------------------------------------
def train_one_epoch(model, loader, loss_fn, optimizer, *, zero_grad=True, reduce="per_sample", train_mode=True,
                    update=True):
    """`reduce`: "per_sample" (right), "batch_means", "sum" (of the batch means) or "last" (batch's
    loss); `update=False`: the gradients are cleared between backward() and step(), so nothing moves."""
    if train_mode:
        model.train()
    total, count, batch_means = 0.0, 0, []
    for xb, yb in loader:
        if zero_grad:
            optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        if not update:
            optimizer.zero_grad()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
        batch_means.append(loss.item())
    return {"per_sample": total / count if count else 0.0, "batch_means": float(np.mean(batch_means)),
            "sum": float(np.sum(batch_means)), "last": batch_means[-1] if batch_means else 0.0}[reduce]


def evaluate(model, loader, loss_fn, *, threshold=0.0, per_sample=True, accuracy="per_sample", sigmoid_first=False):
    """`accuracy`: "per_sample" (right), "batch_means", or predictions of shape (n,) compared with
    (n, 1) targets, which broadcasts to an n x n table: its mean per batch ("broadcast"), its sum
    ("broadcast_sum") or, over the whole loader at once, its mean ("broadcast_all")."""
    model.eval()
    total, correct, count, batch_means, batch_accuracies, predictions, targets = 0.0, 0.0, 0, [], [], [], []
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(torch.sigmoid(logits) if sigmoid_first else logits, yb).item()
            total += loss * len(xb)
            batch_means.append(loss)
            predicted = (logits > threshold).float()
            table = predicted.reshape(-1) == yb  # (n,) against (n, 1): n x n
            hits = {"broadcast": table.float().mean().item() * len(xb), "broadcast_sum": table.sum().item()}.get(
                accuracy, (predicted == yb).sum().item())
            correct += hits
            batch_accuracies.append(hits / len(xb))
            predictions.append(predicted.reshape(-1))
            targets.append(yb)
            count += len(xb)
    if accuracy == "batch_means":
        score = float(np.mean(batch_accuracies))
    elif accuracy == "broadcast_all":
        score = (torch.cat(predictions) == torch.cat(targets)).float().mean().item()
    else:
        score = correct / count
    return {"loss": total / count if per_sample else float(np.mean(batch_means)), "accuracy": score}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3, *, optimizer_class=torch.optim.Adam,
        optimizer_per_epoch=False, evaluate_first=False, validate_on_train=False, default_lr=False, epoch=None,
        evaluation=None):
    """`epoch`, `evaluation`: switches of train_one_epoch's and evaluate's slips, for a fit that is
    right itself but calls a train_one_epoch or an evaluate that is not."""
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
        if not evaluate_first:
            metrics = evaluate(model, train_loader if validate_on_train else val_loader, loss_fn, **evaluation)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return history


# --- evaluation data that tells the slips apart ---------------------------------------------
def _logits(model, X) -> np.ndarray:
    """The model's logits in evaluation mode, computed in float32 as the kernel computes them."""
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32)).double().numpy().ravel()


def _bce(z, t):
    return np.logaddexp(0.0, z) - t * z


def _slip_values(logits, y, batch_size):
    """What evaluate() returns on these logits and labels, rightly and under each known slip."""
    bounds = list(range(0, len(y), batch_size)) + [len(y)]
    batches = [(logits[a:b], y[a:b]) for a, b in zip(bounds, bounds[1:])]

    def table(z, t):  # mean of the n x n comparison of (n,) predictions with (n, 1) targets
        p = np.mean(z > 0)
        return p * np.mean(t) + (1 - p) * (1 - np.mean(t))

    n = len(y)
    accuracies = [
        np.mean((logits > 0) == y),
        np.mean((logits > 0.5) == y),
        np.mean([np.mean((z > 0) == t) for z, t in batches]),
        sum(len(t) * table(z, t) for z, t in batches) / n,
        sum(len(t) ** 2 * table(z, t) for z, t in batches) / n,
        table(logits, y),
    ]
    losses = [
        np.mean(_bce(logits, y)),
        np.mean([np.mean(_bce(z, t)) for z, t in batches]),
        np.mean(_bce(1 / (1 + np.exp(-logits)), y)),
    ]
    return accuracies, losses


def _apart(values, gap):
    values = np.sort(np.asarray(values, dtype=float))
    return bool(np.all(np.diff(values) > gap * np.maximum(1.0, np.abs(values[1:]))))


def _exposing_rows(rng, logits_of, n, d, batch_size, tries=200):
    """Rows and labels on which every known evaluation slip gives its own accuracy and loss, or None
    when this model's logits cannot be placed so (the caller draws another model).

    Rows are picked from a pool by the logit the model gives them: some below 0, some inside
    (0.05, 0.45), where a 0.5 threshold on logits errs, some above 0.55."""
    pool = rng.normal(size=(2000, d)) * rng.choice([0.25, 0.5, 1.0, 2.0, 4.0, 8.0], size=(2000, 1))
    logits = logits_of(pool)
    kinds = [np.flatnonzero(logits < -0.05), np.flatnonzero((logits > 0.05) & (logits < 0.45)), np.flatnonzero(logits > 0.55)]
    for _ in range(tries):
        kind = rng.choice(3, size=n, p=[0.35, 0.3, 0.35])
        counts = np.bincount(kind, minlength=3)
        if counts.min() < 3 or any(c > len(k) for c, k in zip(counts, kinds)):
            continue
        rows = np.empty(n, dtype=int)
        for k in range(3):
            rows[kind == k] = rng.choice(kinds[k], size=counts[k], replace=False)
        # Mostly labels the sign of the logit gets right; the band mostly positive, so a 0.5
        # threshold costs accuracy.
        right = rng.random(n) < 0.8
        y = np.where(kind == 0, 1 - right, right).astype(float)
        accuracies, losses = _slip_values(logits[rows], y, batch_size)
        if abs(accuracies[0] - accuracies[1]) >= 1 / n and _apart(accuracies, 1e-3) and _apart(losses, 1e-3):
            return pool[rows], y
    return None


def _with_seeded_model(rng, make):
    """`make(seed)` with fresh model seeds until it returns something; the grader's global torch
    random state is left as it was."""
    with torch.random.fork_rng(devices=[]):
        for _ in range(100):  # one or two in practice
            seed = int(rng.integers(1 << 30))
            found = make(seed)
            if found is not None:
                return seed, found
    raise RuntimeError("no seeded model gave logits that tell the evaluation slips apart")


class OneByOne(Slips):
    """Slips replayed one at a time, in order, as a judgement reads them: a judgement stops at the
    first that matches, so a recognised slip pays for the replays before it, not for all of them."""

    def known(self, index: int):
        replays = self.__dict__.setdefault("_one_by_one", {})
        for slip, (switches, message) in self.slips.items():
            if slip not in replays:
                replays[slip] = replay(self.calls, {self.name: functools.partial(self.reference, **switches)})
            yield replays[slip][index].value, message


# --- splitting and scaling ------------------------------------------------------------------
def _id_features(rng, n, d):
    """Features whose first column is the row's index, so any split can be traced back."""
    X = rng.normal(size=(n, d))
    X[:, 0] = np.arange(n)
    return X


class SplitData(Check):
    """split_data: 60/20/20, disjoint rows that keep their labels, both splits stratified, the seed used and honoured."""

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
    """standardize: all three splits scaled with the training split's mean and standard deviation."""

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
            (scaled(splits[1].mean(0), splits[1].std(0)), "the scaler was fitted on X_val; fit it on X_train only, then transform the validation and test splits with it"),
            (scaled(splits[2].mean(0), splits[2].std(0)), "the scaler was fitted on X_test; fit it on X_train only, then transform the validation and test splits with it"),
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
    when they are iterated one after the other."""

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


def _one_pass(value, c, repeats):
    """The outputs of the @forward fixture's passes: one per repeat."""
    if not isinstance(value, list) or len(value) != repeats:
        raise CheckFailed(f"{c.describe()}: the record of the model's forward passes is damaged")
    return value


class Mlp(Check):
    """MLP: Linear layers n_features -> hidden_sizes -> 1 with the chosen activation between them, raw
    logits of shape (N, 1) in eval mode, and dropout that acts in training mode."""

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
            if not isinstance(layers, list) or not all(
                isinstance(layer, tuple) and len(layer) == 2 and isinstance(layer[0], TensorData) and layer[0].array.ndim == 2
                and (layer[1] is None or isinstance(layer[1], TensorData)) for layer in layers
            ):
                raise CheckFailed(f"{c.describe()}: the record of the model's Linear layers is damaged")
            ordered = _chain(layers, n_features)
            wanted = [n_features, *hidden, 1]
            if ordered is None or [n_features, *(w.array.shape[0] for w, _ in ordered)] != wanted:
                shapes = [tuple(w.array.shape[::-1]) for w, _ in layers]
                raise CheckFailed(f"{c.describe()}: the Linear layers should go {' -> '.join(map(str, wanted))} "
                                  f"(hidden_sizes={hidden}); their (in, out) sizes are {shapes}")
            X = calls[index + 2].args[1]
            logits = _one_pass(tolerant(outcomes[index + 2], c), c, 1)[0]
            reference = _reference_logits(ordered, X, activation)
            other = "tanh" if activation == "relu" else "relu"
            expect_array(logits, reference, c, what="output in eval mode", rtol=1e-4, atol=1e-5,
                         shape_hint="the model returns one logit per sample: shape (N, 1)", known=[
                (1 / (1 + np.exp(-reference)), "the model ends in a sigmoid; return raw logits, BCEWithLogitsLoss applies the sigmoid itself"),
                (_reference_logits(ordered, X, other), f"activation={activation!r} was not used: the hidden layers apply {other}"),
            ])
            if c.kwargs.get("dropout"):
                first, second = _one_pass(tolerant(outcomes[index + 3], c), c, 2)
                first, second = (as_array(v, c, "output in training mode") for v in (first, second))
                if first.shape == second.shape and np.allclose(first, second):
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
    """train_one_epoch: training mode, gradients cleared before each backward(), one step per
    batch, and the epoch's mean loss per sample (the last batch, of 2, is smaller)."""

    name = "train_one_epoch"
    slips = {
        "no zero_grad": ({"zero_grad": False}, "gradients piled up across batches: call optimizer.zero_grad() before each backward()"),
        "batch means": ({"reduce": "batch_means"}, "that is the mean of the batch losses; the last batch is smaller, so add loss.item() * len(xb) and divide by the number of samples"),
        "sum": ({"reduce": "sum"}, "that is the sum of the batch losses; return their mean per sample: add loss.item() * len(xb) and divide by the number of samples"),
        "last": ({"reduce": "last"}, "that is the last batch's loss; return the mean over the epoch: add loss.item() * len(xb) and divide by the number of samples"),
        "no train()": ({"train_mode": False}, "the model stayed in evaluation mode (dropout off); call model.train() first"),
        "no update": ({"update": False}, "the weights never moved: the gradients were cleared between backward() and step(); "
                                         "the order is optimizer.zero_grad(), loss.backward(), optimizer.step()"),
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
        slips = OneByOne(calls, self.name, train_one_epoch, self.slips)
        # The weights first: they tell the slips apart far better than one loss value can.
        _expect_state(state, reference[7].value, c, slips, 7)
        expect_scalar(as_number(loss, c, "epoch loss"), reference[6].value, c, what="epoch loss", rtol=1e-4, atol=1e-6,
                      known=slips.known(6))


EVALUATION_SLIPS = {
    "half": ({"threshold": 0.5}, "a logit above 0 means probability above 0.5; you compared the logits with 0.5"),
    "broadcast": ({"accuracy": "broadcast"}, "predictions and targets of shapes (n,) and (n, 1) broadcast to an n x n comparison; "
                                             "compare tensors of one shape, (logits > 0).float() == yb, both (n, 1)"),
    "broadcast sum": ({"accuracy": "broadcast_sum"}, "predictions and targets of shapes (n,) and (n, 1) broadcast to an n x n comparison, "
                                                     "and its sum counts n * n pairs; compare tensors of one shape, both (n, 1)"),
    "broadcast all": ({"accuracy": "broadcast_all"}, "predictions and targets of shapes (n,) and (n, 1) broadcast to an n x n comparison; "
                                                     "reshape them to one shape before comparing"),
    "accuracy means": ({"accuracy": "batch_means"}, "that is the mean of the batch accuracies; the last batch is smaller, so count the "
                                                    "correct predictions over all batches and divide by the number of samples"),
    "loss means": ({"per_sample": False}, "that is the mean of the batch losses; weight each batch by its size for the per-sample mean"),
    "sigmoid": ({"sigmoid_first": True}, "the loss was computed on probabilities: BCEWithLogitsLoss applies the sigmoid itself, so pass it the raw logits"),
}


def _eval_data(rng, n, make_model):
    """(seed, (X, y)): a model seed and evaluation rows on which the seeded model's logits tell
    every known slip apart (`make_model(seed)` returns the model as it will be evaluated)."""
    return _with_seeded_model(rng, lambda seed: _exposing_rows(rng, lambda X: _logits(make_model(seed), X), n, 4, 16))


class Evaluate(Check):
    """evaluate: the per-sample mean loss and the accuracy at logit 0 over the whole loader, in
    eval mode, without autograd, on data where a 0.5 threshold, (n,) against (n, 1) comparisons and
    batch means each give other numbers."""

    name = "evaluate"

    def plan(self, rng):
        seed, (X, y) = _eval_data(rng, 50, lambda seed: fixtures.reference_mlp(4, (6,), 0.5, seed=seed))
        return [
            fixture("reference_mlp", 4, (6,), 0.5, seed=seed),
            fixture("loader", X, y, 16),
            fixture("bce_with_logits"),
            fixture("set_mode", Result(0), True),
            fixture("trace_forward", Result(0)),
            call(self.name, Result(0), Result(1), Result(2)),
            fixture("trace", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[5]
        trace = tolerant(outcomes[6], c)
        if not isinstance(trace, list) or not all(isinstance(r, dict) and {"training", "grad_enabled"} <= set(r) for r in trace):
            raise CheckFailed(f"{c.describe()}: the record of the model's forward passes is damaged")
        value = expect_honest_evaluation(tolerant(outcomes[5], c), trace, c, training_effect="dropout active")
        reference = replay(calls, {self.name: evaluate})[5].value
        slips = OneByOne(calls, self.name, evaluate, EVALUATION_SLIPS)
        for key, what, tolerances in (("accuracy", "accuracy", {}), ("loss", "loss", {"rtol": 1e-4, "atol": 1e-6})):
            expect_scalar(as_number(value[key], c, what), reference[key], c, what=what,
                          known=((v[key], m) for v, m in slips.known(5) if isinstance(v, dict)), **tolerances)


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
        X, y = _training_data(rng)
        seed, (Xv, yv) = _eval_data(rng, 20, _trained_reference(X, y, self.epochs, self.lr))
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
        _expect_state(state, reference[5].value, c, slips, 5)


CHECKS = [SplitData(), Standardize(), MakeLoader(), Mlp(), TrainOneEpoch(), Evaluate(), Fit()]
