"""Hidden check of 02's section 4: MLP, judged by its Linear layers' chain and sizes, its output in
evaluation mode against a float64 forward pass through those layers, and dropout in training mode."""

from __future__ import annotations

import numpy as np
import torch
from dlmed.wire import Result, TensorData

from .. import Check, CheckFailed, call, fixture
from ..expect import as_array, expect_array, tolerant

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

