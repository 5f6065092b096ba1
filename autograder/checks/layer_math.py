"""Hidden checks of 01_layer_math. References come from torch in float64 and from calculus,
recomputed here from each call's own inputs; known mistakes get a message of their own.
Every input that exposes a slip is built into each plan (z = 0 for relu_grad, softmax rows from
-1000 to 1000 that only the row's maximum keeps from overflowing, 2-D logits and targets with
several columns, every class among the labels, a row whose label's probability underflows, hidden
units active for some samples only, x values that x += h; x -= 2h; x += h does not restore, a step
h passed and a gradient of 0 where the step shows, an element below relative_error's floor, float32
arrays for autograd), so no verdict depends on the seed."""

from __future__ import annotations

import itertools

import numpy as np
import torch
import torch.nn.functional as F
from dlmed.wire import Build, Result, TensorData

from . import Call, Check, CheckFailed, call
from .expect import as_array, expect_array, expect_scalar, returned

# 0 is where relu_grad's "1 where z > 0, else 0" is decided; +-1000 where a naive exp overflows.
EXTREMES = np.array([-1000.0, -50.0, -1.5, -1e-3, 0.0, 1e-3, 2.0, 50.0, 1000.0])


def t(array, dtype=torch.float64) -> torch.Tensor:
    return torch.as_tensor(np.asarray(array, dtype=np.float64)).to(dtype)


def grad_of(fn, z: np.ndarray) -> np.ndarray:
    """d sum(fn(z)) / dz by autograd: the elementwise derivative of an elementwise fn."""
    zt = t(z).requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(zt).sum(), zt)
    return grad.numpy()


def _inputs(rng) -> list[np.ndarray]:
    return [EXTREMES.copy(), rng.normal(0, 3, size=(3, 5)), rng.normal(0, 3, size=(2, 3, 4))]


def _warned_but_right(outcome, c: Call, expected: np.ndarray) -> None:
    """Fail on a warning; where the values are right all the same, say why exp still overflowed."""
    if not outcome.warnings or outcome.error:
        return
    value = outcome.value
    if isinstance(value, TensorData):
        value = value.array
    try:
        right = np.shape(value) == expected.shape and np.allclose(
            np.asarray(value, dtype=float), expected, rtol=1e-6, atol=1e-9)
    except (TypeError, ValueError):
        right = False
    if right:
        raise CheckFailed(
            f"{c.describe()}: the values are right, but computing them emitted a warning ({outcome.warnings[0]}): "
            "exp must only ever see values <= 0. 1 / (1 + exp(-z)) alone overflows for very negative z, and "
            "np.where(cond, a, b) evaluates both branches for every element, so apply each formula only to its own "
            "elements (boolean indexing), or exponentiate only -|z|"
        )


class Elementwise(Check):
    """An activation or its derivative: right elementwise for |z| up to 1000 and at z = 0, finite and silent, at any ndim."""

    def __init__(self, name, reference, known=lambda z: ()):
        self.name, self.reference, self.known = name, reference, known

    def plan(self, rng):
        return [call(self.name, z) for z in _inputs(rng)]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            (z,) = c.args
            expected = self.reference(z)
            _warned_but_right(outcome, c, expected)
            expect_array(returned(outcome, c), expected, c, known=self.known(z),
                         shape_hint="it works elementwise, so it returns an array shaped like z (a reduction such as "
                                    "np.max(z, 0) is not elementwise; np.maximum(z, 0) is)")


class Softmax(Check):
    """softmax: one distribution per row over the last axis, for 1-D to 3-D arrays, finite and silent for logits of 1000."""

    name = "softmax"
    hint = ("softmax must accept 1-D, 2-D and 3-D arrays: take the maximum and the sum over axis=-1 with keepdims=True, "
            "so they broadcast against z")

    def plan(self, rng):
        rows = np.array([[1000.0, 999.0, -1000.0], [-5.0, 0.5, 2.0]])
        # Rows from -1000 to 1000, their maximum first in one and last in the other: any shift but the
        # row's maximum (its mean, its first entry) leaves an exponent near 1000.
        wide = np.zeros((2, 4))
        wide[0] = [1000.0, -1000.0, *rng.uniform(-1000, 0, 2)]
        wide[1] = [-1000.0, *rng.uniform(-1000, 0, 2), 1000.0]
        return [call("softmax", z) for z in (rows, wide, rng.normal(0, 2, (4, 6)), rng.normal(0, 2, 5), rng.normal(0, 2, (2, 3, 4)))]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            (z,) = c.args
            if outcome.error and outcome.error.startswith(("ValueError", "AxisError", "IndexError")):
                raise CheckFailed(f"{c.describe()} raised {outcome.error}; {self.hint}")
            if outcome.warnings and np.all(z.max(-1) - z.mean(-1) > 709):
                raise CheckFailed(
                    f"{c.describe()} emitted a warning ({outcome.warnings[0]}) on rows that run from -1000 to 1000: "
                    "subtracting a row's mean (or anything but its maximum) still leaves exponents near 1000, and exp "
                    "overflows above 709; subtract each row's maximum, so that every exponent is <= 0")
            if outcome.warnings and "overflow" not in outcome.warnings[0] and z.ndim >= 2 and np.max(z.max() - z.max(-1)) > 745:
                raise CheckFailed(
                    f"{c.describe()} emitted a warning ({outcome.warnings[0]}): a row whose own maximum lies far below "
                    "the array's largest value underflows to exp(...) = 0 everywhere, and 0 / 0 is NaN; subtract each "
                    "row's own maximum (z.max(axis=-1, keepdims=True)), not the maximum of the whole array")
            expect_array(returned(outcome, c), torch.softmax(t(z), dim=-1).numpy(), c, known=_softmax_slips(z))


def _softmax_slips(z):
    """Lazy: computed only after a mismatch."""
    if z.ndim >= 2:
        yield (torch.softmax(t(z), dim=0).numpy(),
               "the softmax is over the wrong axis; normalise over the last axis (axis=-1), one distribution per row")
        yield (torch.softmax(t(z).flatten(), 0).reshape(z.shape).numpy(),
               "you normalised over the whole array; each row (last axis) must sum to 1 on its own")


class DenseForward(Check):
    """dense_forward: W x + b as (out,) for one sample, X W^T + b as (N, out) for a batch, through each activation."""

    name = "dense_forward"
    hint = "W has shape (out, in): compute W @ x + b for one sample, X @ W.T + b for a batch"

    def plan(self, rng):
        W = np.array([[0, 0.1, -1], [-0.2, 0, 1]])
        calls = [call("dense_forward", np.array([1.0, 2, 3]), W, np.array([0, 1.2]), activation="identity")]
        n_in, n_out, n = 5, 3, 7
        W = rng.normal(size=(n_out, n_in))
        b = rng.normal(size=n_out)
        for activation in ("relu", "sigmoid", "tanh", "identity"):
            calls.append(call("dense_forward", rng.normal(size=n_in), W, b, activation=activation))
            calls.append(call("dense_forward", rng.normal(size=(n, n_in)), W, b, activation=activation))
        calls.append(call("dense_forward", rng.normal(size=(n, n_in)), W, b))  # the default is relu
        square = rng.normal(size=(4, 4))
        calls.append(call("dense_forward", rng.normal(size=(n, 4)), square, rng.normal(size=4), activation="identity"))
        return calls

    def judge(self, calls, outcomes):
        activations = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda z: z}
        for c, outcome in zip(calls, outcomes):
            x, W, b = c.args
            act = activations[c.kwargs.get("activation", "relu")]
            if outcome.error:
                raise CheckFailed(f"{c.describe()} raised {outcome.error}; {self.hint}")
            value = returned(outcome, c)
            expected = act(F.linear(t(x), t(W), t(b))).numpy()
            known = [(act(F.linear(t(x), t(W))).numpy(), "the bias b is missing: the layer computes s(W x + b)")]
            if "activation" not in c.kwargs:
                known.append((F.linear(t(x), t(W), t(b)).numpy(), "called without an activation, the layer must apply "
                              "its default, activation=\"relu\""))
            if W.shape[0] == W.shape[1]:  # only a square W lets the (in, out) mistake run silently
                known.append((act(t(x) @ t(W) + t(b)).numpy(), f"you multiplied by W as if it had shape (in, out); {self.hint}"))
            shape_hint = ("a batch of N samples must come back as (N, out), one row per sample" if np.ndim(x) == 2
                          else "one sample x of shape (in,) must come back as (out,), not as a batch of one")
            expect_array(value, expected, c, known=known, shape_hint=shape_hint)


class Loss(Check):
    """A loss: the mean of its per-element terms over all elements (matrices included), finite and silent on extreme inputs."""

    def __init__(self, name, reference, make_args, hint=lambda warning: "", known=lambda *args: (),
                 mismatch_hint=lambda *args: ""):
        self.name, self.reference, self.make_args = name, reference, make_args
        self.hint, self.known, self.mismatch_hint = hint, known, mismatch_hint

    def plan(self, rng):
        return [call(self.name, *args) for args in self.make_args(rng)]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            if outcome.warnings and not outcome.error and (hint := self.hint(outcome.warnings[0])):
                raise CheckFailed(f"{c.describe()} emitted {outcome.warnings[0]}; {hint}")
            value = returned(outcome, c)
            terms = self.reference(*c.args)
            total = float(terms.sum())
            known = [(total, "you summed over the elements; the loss asked for is the mean over all elements")]
            if terms.ndim >= 2 and len(terms) != terms.size:
                known.append((total / len(terms), f"you divided by len(...) = {len(terms)}, the number of rows; the mean is "
                              f"over all {terms.size} elements: divide by the size, or use np.mean"))
            known = itertools.chain(known, self.known(*c.args))  # lazy: only read after a mismatch
            try:
                expect_scalar(value, float(terms.mean()), c, what="loss", known=known)
            except CheckFailed as failure:
                extra = self.mismatch_hint(*c.args)
                if extra and "wrong loss" in str(failure):
                    raise CheckFailed(f"{failure}; {extra}") from None
                raise


def _mse(y_pred, y):
    return ((t(y_pred) - t(y)) ** 2).numpy()


def _mse_args(rng):
    return [(rng.normal(size=8), rng.normal(size=8)), (rng.normal(size=(6, 3)), rng.normal(size=(6, 3)))]


def _bce(p, y):
    pc = t(p).clamp(1e-12, 1 - 1e-12)
    return (-(t(y) * pc.log() + (1 - t(y)) * (1 - pc).log())).numpy()


def _bce_args(rng):
    y = rng.integers(0, 2, size=9).astype(float)
    rows, cols = rng.integers(3, 6), rng.integers(2, 4)
    return [
        (rng.uniform(0.05, 0.95, size=9), y),
        (np.array([0.0, 1.0, 1.0, 0.0, 0.3]), np.array([0.0, 1.0, 0.0, 1.0, 1.0])),  # confident and wrong: log(0) unclipped
        (rng.uniform(0.05, 0.95, size=(rows, cols)), rng.integers(0, 2, size=(rows, cols)).astype(float)),
    ]


def _bce_mismatch_hint(p, y):
    if np.any((p <= 0) | (p >= 1)):
        return "where p is exactly 0 or 1 the loss is set by the clipping: clip p to [1e-12, 1 - 1e-12], as asked"
    return ""


def _cross_entropy(logits, labels):
    return F.cross_entropy(t(logits), torch.as_tensor(labels), reduction="none").numpy()


def _ce_known(logits, labels):
    log_probs = torch.log_softmax(t(logits), dim=1).numpy()
    yield (-log_probs[:, labels].mean(), "you averaged log_probs[:, labels], every row against every label (an (N, N) table); "
           "pick one entry per row with log_probs[np.arange(N), labels]")


def _ce_hint(warning):
    if "log" in warning and "divide" in warning:
        return ("a probability underflowed to 0 and its log is -inf: compute the log-softmax directly, "
                "z - max z - log(sum(exp(z - max z))), rather than the log of the softmax")
    return "subtract each row's maximum logit before exponentiating (log-sum-exp), so large logits cannot overflow"


def _ce_args(rng):
    n, k = 7, 4
    labels = rng.permutation(n) % k  # every class appears, so log_probs[:, labels] is never one entry per row
    large, large_labels = rng.normal(0, 1, (n, k)) * 1000, rng.permutation(n) % k
    r = rng.integers(n)  # a row where exp(z) overflows and the label's probability underflows to exactly 0
    large[r] = rng.uniform(-100, 100, k)
    large[r, (large_labels[r] + 1) % k] = rng.uniform(1000, 1100)
    return [(rng.normal(0, 2, (n, k)), labels), (large, large_labels)]


class BceWithLogitsGrad(Check):
    """bce_with_logits_grad: (sigmoid(z) - y) / the number of elements, also for 2-D logits with several columns."""

    name = "bce_with_logits_grad"

    def plan(self, rng):
        rows, cols = rng.integers(3, 6), rng.integers(2, 5)
        return [
            call(self.name, rng.normal(0, 3, size=(6, 1)), rng.integers(0, 2, (6, 1)).astype(float)),
            call(self.name, rng.normal(0, 3, size=9), rng.integers(0, 2, 9).astype(float)),
            call(self.name, np.array([-800.0, 800.0, 3.0]), np.array([1.0, 0.0, 1.0])),
            call(self.name, rng.normal(0, 3, size=(rows, cols)), rng.integers(0, 2, (rows, cols)).astype(float)),
        ]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            logits, y = c.args
            expected = grad_of(lambda z: F.binary_cross_entropy_with_logits(z, t(y)), logits)
            size = logits.size
            known = [
                (expected * size, "that is the gradient of the summed loss; the mean divides it by the number of elements"),
                (-expected, "the sign is flipped: the gradient is (sigmoid(logits) - y) / N"),
            ]
            if len(logits) != size:
                known.append((expected * size / len(logits), f"you divided by len(logits) = {len(logits)}, the number of rows; "
                              f"the mean is over all {size} elements: divide by logits.size"))
            _warned_but_right(outcome, c, expected)
            expect_array(returned(outcome, c), expected, c, known=known, what="gradient",
                         shape_hint="the gradient has the shape of the logits")


def _mlp_params(rng, d, h):
    return {"W1": rng.normal(size=(h, d)), "b1": rng.normal(size=h), "W2": rng.normal(size=(1, h)), "b2": rng.normal(size=1)}


def _mlp_reference(X, params, dlogits=None, dtype=torch.float64):
    tensors = {k: t(v, dtype).requires_grad_(True) for k, v in params.items()}
    hidden = torch.relu(t(X, dtype) @ tensors["W1"].T + tensors["b1"])
    logits = hidden @ tensors["W2"].T + tensors["b2"]
    if dlogits is None:
        return logits.detach().double().numpy(), None
    grads = torch.autograd.grad((logits * t(dlogits, dtype)).sum(), list(tensors.values()))
    return logits.detach().double().numpy(), {k: g.double().numpy() for k, g in zip(tensors, grads)}


def _mlp_cases(rng):
    """A batch of 6 and a single sample. b1 puts every hidden unit on for half the batch and off for
    the other half (the single sample: some units on, some off), so a missing ReLU derivative, a dead
    unit or a mean over the batch in place of a sum shows on every draw."""
    cases = []
    for n in (6, 1):
        X, params = rng.normal(size=(n, 3)), _mlp_params(rng, 3, 5)
        z = X @ params["W1"].T
        if n > 1:
            ordered = np.sort(z, axis=0)
            params["b1"] = -(ordered[n // 2 - 1] + ordered[n // 2]) / 2
        else:
            on = rng.permutation([True, True, False, False, bool(rng.integers(2))])
            params["b1"] = -z[0] + np.where(on, 1.0, -1.0) * rng.uniform(0.5, 1.5, size=len(on))
        cases.append((X, params))
    return cases


class MlpForward(Check):
    """mlp_forward: a pair whose first item is the logits ReLU(X W1^T + b1) W2^T + b2, of shape (N, 1)."""

    name = "mlp_forward"

    def plan(self, rng):
        return [call(self.name, X, params) for X, params in _mlp_cases(rng)]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            value = returned(outcome, c)
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise CheckFailed(f"{c.describe()} must return a pair (logits, cache)")
            X, params = c.args
            expected, _ = _mlp_reference(X, params)
            linear = (t(X) @ t(params["W1"]).T + t(params["b1"])) @ t(params["W2"]).T + t(params["b2"])
            expect_array(value[0], expected, c, what="logits", shape_hint="logits are (N, 1): one row per sample",
                         known=[(linear.numpy(), "the hidden layer has no ReLU: h = ReLU(X W1^T + b1)")])


def expect_grads(value, expected: dict, c: Call, *, rtol=1e-6, known=(), numpy_only=False) -> None:
    if not isinstance(value, dict) or set(value) != set(expected):
        raise CheckFailed(f"{c.describe()} must return a dict with exactly the keys {sorted(expected)}")
    for key, ref in expected.items():
        if numpy_only and isinstance(value[key], TensorData):
            raise CheckFailed(f"{c.describe()}: the gradient {key} is a torch tensor; return numpy arrays "
                              "(tensor.grad.numpy(), or .detach().numpy())")
        expect_array(value[key], ref, c, what=f"gradient {key}", rtol=rtol,
                     known=[(wrong[key], message) for wrong, message in known],
                     shape_hint=f"a gradient has the shape of its parameter {ref.shape}"
                     + ("; sum the upstream gradient over the batch (axis 0)" if key.startswith("b") else ""))


def _batch_slips(expected: dict, n: int) -> list:
    """Gradients a backward pass gives when it divides by the batch size, which dlogits already holds."""
    if n == 1:
        return []
    return [
        ({**expected, "b1": expected["b1"] / n, "b2": expected["b2"] / n},
         "you averaged the bias gradient over the batch; dlogits already is the gradient of the loss, so a bias's "
         "gradient sums the upstream gradient over the batch (axis 0)"),
        ({k: v / n for k, v in expected.items()},
         "you divided the gradients by the batch size; dlogits already is the gradient of the loss (a mean loss's 1/N "
         "is in it), so do not divide again"),
    ]


class MlpBackward(Check):
    """mlp_backward: each parameter's gradient by the chain rule through the ReLU, bias gradients summed over the batch."""

    name = "mlp_backward"

    def plan(self, rng):
        calls = []
        for X, params in _mlp_cases(rng):
            start = len(calls)
            calls.append(call("mlp_forward", X, params))
            calls.append(call("mlp_backward", rng.normal(size=(len(X), 1)), Result(start, 1), params))
        return calls

    def judge(self, calls, outcomes):
        for forward, backward, outcome in zip(calls[::2], calls[1::2], outcomes[1::2]):
            X, params = forward.args
            dlogits = backward.args[0]
            _, expected = _mlp_reference(X, params, dlogits)
            expect_grads(returned(outcome, backward), expected, backward, known=_batch_slips(expected, len(X)))


# Values x for which x += h; x -= 2 * h; x += h (h = 1e-5) does not give x back exactly.
UNRESTORABLE = np.array([0.1, 0.2, 0.7, 1.1, 1.3])


class NumericalGradient(Check):
    """numerical_gradient: central differences element by element, for a matrix and a vector, leaving x exactly as it was."""

    name = "numerical_gradient"

    def plan(self, rng):
        """|a| >= 0.5 and an x of 0, where the gradient is 0: the central difference's error a h^2 there
        tells any step of 1e-3 or more from the default 1e-5, and from the h passed in the last call."""
        calls = []
        for shape, h in (((3, 4), None), ((5,), None), ((2, 3), 1e-2)):
            a = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)
            b, x = rng.normal(size=shape), rng.normal(size=shape)
            x.flat[:2] = rng.choice(UNRESTORABLE, 2, replace=False)
            x.flat[2] = 0.0
            step = {} if h is None else {"h": h}
            calls.append(call(self.name, Build("cubic", {"a": a, "b": b}), x, capture_args=True, **step))
        return calls

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            f_spec, x = c.args
            a, b = f_spec.params["a"], f_spec.params["b"]
            f = lambda v: float(np.sum(a * v**3 + b * v**2))  # noqa: E731
            h = c.kwargs.get("h", 1e-5)
            forward = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                step = np.zeros_like(x)
                step[i] = h
                forward[i] = (f(x + step) - f(x)) / h
            exact = 3 * a * x**2 + 2 * b * x
            known = [(forward, "that is a forward difference (error of order h); "
                               "use the central difference (f(x+h) - f(x-h)) / (2h)")]
            if "h" in c.kwargs:
                known.append((exact, f"that is the gradient for a tiny step, not for h={h}: step by the h you are given "
                                     "(its default 1e-5 only when none is passed)"))
            else:
                known += [(exact + a * other**2, f"that is the central difference with h={other:g}; the signature's "
                                                 "default is h=1e-5") for other in (1e-3, 1e-2, 1e-1)]
            exact = exact + a * h**2  # the central difference of a cubic is off by exactly a h^2
            if x.ndim == 2:
                known.append((np.repeat(exact.sum(axis=1, keepdims=True), x.shape[1], axis=1),
                              "you nudged a whole row at once (for a matrix, x[i] with i in range(len(x)) is a row); "
                              "nudge one element at a time, looping over np.ndindex(x.shape)"))
            expect_array(returned(outcome, c), exact, c, what="gradient", atol=1e-7, known=known,
                         shape_hint="the gradient is shaped like x, one partial derivative per element")
            after = outcome.args_after
            if not isinstance(after, list) or len(after) != 2:
                raise CheckFailed(f"{c.describe()}: the record of x after the call is missing or damaged")
            x_after = as_array(after[1], c, "x after the call")
            if not np.array_equal(x_after, x):
                raise CheckFailed(f"{c.describe()} changed x; restore every element after perturbing it, or perturb a copy")


class RelativeError(Check):
    """relative_error: the maximum over elements of |a - b| / max(1e-8, |a| + |b|), silent where both are 0."""

    name = "relative_error"

    def plan(self, rng):
        a = rng.normal(size=(3, 4))
        zeros = np.array([0.0, 0.0, 1.0, -2.0])
        # A first element whose |a| + |b| lies below the floor 1e-8, so the floor sets the maximum.
        tiny = rng.normal(size=4)
        tiny_b = tiny * (1 + rng.uniform(-1e-3, 1e-3, 4))
        tiny[0], tiny_b[0] = rng.uniform(1e-9, 4e-9), -rng.uniform(1e-9, 4e-9)
        return [
            call(self.name, a, a + rng.normal(0, 1e-3, a.shape)),
            call(self.name, zeros, np.array([0.0, 0.0, 1.0 + 1e-6, -2.0])),
            call(self.name, rng.normal(size=5), rng.normal(size=5)),
            call(self.name, tiny, tiny_b),
        ]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            a, b = c.args
            diff = np.abs(a - b)
            total = np.abs(a) + np.abs(b)
            if outcome.warnings:
                raise CheckFailed(f"{c.describe()} emitted {outcome.warnings[0]}; where a and b are both 0 the denominator needs its floor, max(1e-8, |a| + |b|)")
            expect_scalar(returned(outcome, c), np.max(diff / np.maximum(1e-8, total)), c, known=[
                (np.max(diff / np.maximum(1e-8, np.maximum(np.abs(a), np.abs(b)))), "the denominator is |a| + |b|, not max(|a|, |b|)"),
                (np.mean(diff / np.maximum(1e-8, total)), "take the maximum over elements, not the mean"),
                (np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)),
                 "that is the norm-based relative error ||a - b|| / (||a|| + ||b||); the one asked for is elementwise: "
                 "the maximum over i of |a_i - b_i| / max(1e-8, |a_i| + |b_i|)"),
                (np.max(diff) / max(1e-8, np.max(total)),
                 "divide elementwise, then take the maximum: max over i of |a_i - b_i| / max(1e-8, |a_i| + |b_i|), "
                 "not max|a - b| / max(|a| + |b|)"),
                (np.max(diff / total) if np.all(total) else np.nan,
                 "where |a_i| + |b_i| is below 1e-8 the denominator is the floor itself: max(1e-8, |a_i| + |b_i|)"),
            ])


class AutogradGradients(Check):
    """autograd_gradients: the float64 autograd gradients of (logits * dlogits).sum(), as a dict of numpy arrays."""

    name = "autograd_gradients"

    def plan(self, rng):
        calls = [call(self.name, X, params, rng.normal(size=(len(X), 1))) for X, params in _mlp_cases(rng)]
        # float32 arrays in: float64 tensors must be asked for, not inherited from the inputs
        X, params, dlogits = calls[0].args
        single = {k: v.astype(np.float32) for k, v in params.items()}
        return calls + [call(self.name, X.astype(np.float32), single, dlogits.astype(np.float32))]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            X, params, dlogits = c.args
            _, expected = _mlp_reference(X, params, dlogits)
            _, single = _mlp_reference(X, params, dlogits, dtype=torch.float32)
            inputs = ("the arrays given here are float32, and " if X.dtype == np.float32 else "")
            expect_grads(returned(outcome, c), expected, c, rtol=1e-10, known=[
                (single, f"{inputs}these gradients match float32 precision only; build every tensor with "
                         "dtype=torch.float64, whatever the arrays' dtype (torch.from_numpy keeps it)"),
                (_mlp_reference(X, params, np.ones_like(dlogits))[1],
                 "these are the gradients of logits.sum(), as if dlogits were all ones: backpropagate (logits * dlogits).sum()"),
            ], numpy_only=True)


def _relu_grad_known(z):
    return [((np.asarray(z) >= 0).astype(float),
             "at z = 0 the derivative is 0 (1 only where z > 0, else 0): use z > 0, not z >= 0")]


def _sigmoid_slips(z):
    return [(torch.sigmoid(-t(z)).numpy(), "that is sigmoid(-z) = 1 - sigmoid(z): the sign of z is flipped or the two "
                                           "stable branches are swapped; for z >= 0 it is 1 / (1 + exp(-z)), for z < 0 "
                                           "exp(z) / (1 + exp(z))")]


def _sigmoid_known(z):
    s = torch.sigmoid(t(z)).numpy()
    return [(s, "that is s(z) itself; the derivative of the sigmoid is s(z) * (1 - s(z))"),
            (z * (1 - z), "that is z * (1 - z), the formula for the derivative in terms of the output s; sigmoid_grad "
                          "receives the pre-activation z, so compute s = sigmoid(z) first: s * (1 - s)")]


def _tanh_known(z):
    th = np.tanh(z)
    return [(1 - th, "the derivative of tanh is 1 - tanh(z)**2, not 1 - tanh(z)"),
            (1 - z**2, "that is 1 - z**2, the formula for the derivative in terms of the output; tanh_grad receives "
                       "the pre-activation z: 1 - tanh(z)**2")]


CHECKS = [
    Elementwise("relu", lambda z: torch.relu(t(z)).numpy()),
    Elementwise("sigmoid", lambda z: torch.sigmoid(t(z)).numpy(), known=_sigmoid_slips),
    Elementwise("tanh", lambda z: torch.tanh(t(z)).numpy()),
    Softmax(),
    Elementwise("relu_grad", lambda z: grad_of(torch.relu, z), known=_relu_grad_known),
    Elementwise("sigmoid_grad", lambda z: grad_of(torch.sigmoid, z), known=_sigmoid_known),
    Elementwise("tanh_grad", lambda z: grad_of(torch.tanh, z), known=_tanh_known),
    DenseForward(),
    Loss("mse_loss", _mse, _mse_args),
    Loss("bce_loss", _bce, _bce_args, hint=lambda warning: "clip p to [1e-12, 1 - 1e-12] before taking logarithms",
         mismatch_hint=_bce_mismatch_hint),
    Loss("cross_entropy_loss", _cross_entropy, _ce_args, hint=_ce_hint, known=_ce_known),
    BceWithLogitsGrad(),
    MlpForward(),
    MlpBackward(),
    NumericalGradient(),
    RelativeError(),
    AutogradGradients(),
]
