"""Hidden check of 02's section 4: MLP, judged by its Linear layers' chain and sizes, its output in
evaluation mode against a float64 forward pass through those layers, and its outputs in training
mode against every output that dropout after each hidden layer's activation can give.

Requirement rows it guards (assignments/02_training_loop/requirements.toml):
mlp-hidden-layers, mlp-default-sizes, mlp-activation, mlp-default-activation,
mlp-dropout-after-each-hidden-layer, mlp-dropout-rate, mlp-default-dropout,
mlp-dropout-off-in-eval, mlp-final-linear-last, mlp-one-logit, mlp-no-sigmoid.
"""

from __future__ import annotations

import itertools

import numpy as np
from dlmed.wire import Result, TensorData

from .. import Check, CheckFailed, call, fixture
from ..expect import as_array, expect_array, tolerant

ACTIVATIONS = {"relu": lambda h: np.maximum(h, 0.0), "tanh": np.tanh}
TOLERANCES = {"rtol": 1e-4, "atol": 1e-5}  # float32 in the kernel against float64 here


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


def _forward(ordered, X, activation, masks=None, p=0.0, mask_first=False, dropped=None):
    """Logits of the Linear chain in float64, shape (N, 1), or (K, N, 1) under K dropout masks:
    `masks[k]` holds a 0/1 per hidden unit, all layers' units in a row, each kept one scaled by
    1 / (1 - p) after the layer's activation (before it, with `mask_first`), in the hidden layers
    numbered in `dropped` (all of them by default)."""
    h = np.asarray(X, dtype=float)[None]
    masks = np.ones((1, 0)) if masks is None else masks
    start = 0
    for i, (w, b) in enumerate(ordered):
        h = h @ w.array.astype(float).T + (0.0 if b is None else b.array.astype(float))
        if i < len(ordered) - 1:
            width = h.shape[-1]
            keep = 1.0
            if masks.shape[1] and (dropped is None or i in dropped):
                keep = masks[:, None, start:start + width] / (1 - p)
            start += width
            h = ACTIVATIONS[activation](h * keep) if mask_first else ACTIVATIONS[activation](h) * keep
    return h if masks.shape[1] else h[0]


def _all_masks(widths):
    return np.array(list(itertools.product((0.0, 1.0), repeat=sum(widths))))


def _explained(outputs, candidates):
    """(n, K) booleans: which candidate outputs match each observed output."""
    outputs = np.asarray(outputs, dtype=float).reshape(-1)
    candidates = candidates.reshape(len(candidates), -1)
    tiled = np.concatenate([candidates] * (len(outputs) // candidates.shape[1]), axis=1)
    return (np.abs(tiled - outputs) <= TOLERANCES["atol"] + TOLERANCES["rtol"] * np.abs(tiled)).T


def _one_pass(value, c, repeats):
    """The outputs of the @forward fixture's passes: one per repeat."""
    if not isinstance(value, list) or len(value) != repeats:
        raise CheckFailed(f"{c.describe()}: the record of the model's forward passes is damaged")
    return value


class Mlp(Check):
    """MLP: Linear layers n_features -> hidden_sizes -> 1 with the chosen activation between them, raw
    logits of shape (N, 1) in eval mode, and in training mode dropout(p) after every hidden layer's
    activation (nowhere else), tried on a model of two tanh hidden layers, where each placement of
    dropout gives outputs of its own."""

    name = "MLP"
    models = [
        ((5,), {"hidden_sizes": (7, 4), "activation": "tanh", "dropout": 0.0}),
        ((6,), {}),
        ((5,), {"hidden_sizes": (3,), "activation": "relu", "dropout": 0.5}),
        # tanh is never 0, so every dropped unit changes the logit; p = 0.25 tells p from 1 - p.
        ((4,), {"hidden_sizes": (4, 3), "activation": "tanh", "dropout": 0.25}),
    ]
    rows = 32

    def plan(self, rng):
        calls = [fixture("seed", 0)]
        for args, kwargs in self.models:
            made = len(calls)
            X = rng.normal(size=(self.rows, args[0]))
            calls += [call("MLP", *args, **kwargs), fixture("linear_layers", Result(made)), fixture("forward", Result(made), X),
                      fixture("forward", Result(made), X, train=True, repeats=2)]
        return calls

    def judge(self, calls, outcomes):
        for index, (c, outcome) in enumerate(zip(calls, outcomes)):
            if c.fn == "MLP":
                tolerant(outcome, c)
                self._judge_model(c, calls[index + 2].args[1], *(tolerant(o, c) for o in outcomes[index + 1:index + 4]))

    def _judge_model(self, c, X, layers, evaluated, trained):
        n_features = c.args[0]
        hidden = tuple(c.kwargs.get("hidden_sizes", (32, 16)))
        activation = c.kwargs.get("activation", "relu")
        p = c.kwargs.get("dropout", 0.0)
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
        reference = _forward(ordered, X, activation)
        logits = as_array(_one_pass(evaluated, c, 1)[0], c, "output in eval mode")
        masks = _all_masks(hidden) if p else None
        if p and logits.shape == reference.shape and not np.allclose(logits, reference, **TOLERANCES) \
                and _explained(logits, _forward(ordered, X, activation, masks, p)).any(axis=1).all():
            raise CheckFailed(f"{c.describe()}: in evaluation mode the output still has dropout's zeros in it; dropout must "
                              "switch off in eval mode: nn.Dropout does, F.dropout only with training=self.training")
        other = "tanh" if activation == "relu" else "relu"
        expect_array(logits, reference, c, what="output in eval mode", **TOLERANCES,
                     shape_hint="the model returns one logit per sample: shape (N, 1)", known=[
            (1 / (1 + np.exp(-reference)), "the model ends in a sigmoid; return raw logits, BCEWithLogitsLoss applies the sigmoid itself"),
            (_forward(ordered, X, other), f"activation={activation!r} was not used: the hidden layers apply {other}"),
            (ACTIVATIONS[activation](reference), f"the {activation} is applied to the output too; the final Linear's logit "
                                                 "is the output, with no activation after it"),
        ])
        first, second = (as_array(v, c, "output in training mode") for v in _one_pass(trained, c, 2))
        if first.shape != reference.shape or second.shape != reference.shape:
            raise CheckFailed(f"{c.describe()}: in training mode the output has shape {first.shape}, expected {reference.shape}")
        if not p:
            if not all(np.allclose(o, reference, **TOLERANCES) for o in (first, second)):
                raise CheckFailed(f"{c.describe()}: in training mode the output differs from evaluation mode though "
                                  f"dropout={p}; pass dropout on, nn.Dropout(dropout), so dropout=0.0 (the default) drops nothing")
            return
        if np.allclose(first, second):
            raise CheckFailed(f"{c.describe()}: in training mode two forward passes gave the same output; dropout={p} needs nn.Dropout layers")
        self._judge_dropout(c, ordered, X, activation, p, masks, np.concatenate([first, second]))

    def _judge_dropout(self, c, ordered, X, activation, p, masks, outputs):
        """Training-mode outputs against every output dropout(p) after each hidden activation gives."""

        def explained(**how):
            return _explained(outputs, _forward(ordered, X, activation, masks, **how)).any(axis=1).all()

        if explained(p=p):
            return
        logits = np.concatenate([_forward(ordered, X, activation)] * 2)
        on_logit = np.isclose(outputs, 0, atol=1e-6) | np.isclose(outputs, logits / (1 - p), **TOLERANCES)
        if on_logit.all():
            raise CheckFailed(f"{c.describe()}: in training mode every output is 0 or the logit scaled by 1 / (1 - p): "
                              "dropout acts on the output; it belongs after each hidden layer's activation, "
                              "and the final Linear's logit goes out as it is")
        if explained(p=1 - p):
            raise CheckFailed(f"{c.describe()}: in training mode the units are dropped with probability {1 - p:g}, "
                              f"not dropout={p:g}: nn.Dropout(p) takes the probability of dropping a unit")
        if explained(p=p, mask_first=True):
            raise CheckFailed(f"{c.describe()}: in training mode dropout acts before the {activation}; each hidden layer "
                              "is Linear, then the activation, then nn.Dropout(dropout)")
        hidden = len(ordered) - 1
        for dropped in itertools.chain.from_iterable(itertools.combinations(range(hidden), k) for k in range(1, hidden)):
            if explained(p=p, dropped=dropped):
                raise CheckFailed(f"{c.describe()}: in training mode dropout acts after hidden layer "
                                  f"{' and '.join(str(i + 1) for i in dropped)} of {hidden} only; every hidden layer's "
                                  "activation is followed by nn.Dropout(dropout)")
        raise CheckFailed(f"{c.describe()}: in training mode the outputs are not what nn.Dropout({p:g}) after each hidden "
                          "layer's activation gives (and nowhere else); each hidden layer is Linear, activation, Dropout")
