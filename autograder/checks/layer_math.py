"""Hidden checks of 01_layer_math. References come from torch in float64 and from calculus,
recomputed here from each call's own inputs; known mistakes get a message of their own."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from dlmed.wire import Build, Result

from . import Call, Check, CheckFailed, call
from .expect import as_array, expect_array, expect_scalar, returned

EXTREMES = np.array([-1000.0, -50.0, -1.5, -1e-3, 1e-3, 2.0, 50.0, 1000.0])


def t(array, dtype=torch.float64) -> torch.Tensor:
    return torch.as_tensor(np.asarray(array, dtype=np.float64)).to(dtype)


def grad_of(fn, z: np.ndarray) -> np.ndarray:
    """d sum(fn(z)) / dz by autograd: the elementwise derivative of an elementwise fn."""
    zt = t(z).requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(zt).sum(), zt)
    return grad.numpy()


def _inputs(rng) -> list[np.ndarray]:
    return [EXTREMES.copy(), rng.normal(0, 3, size=(3, 5)), rng.normal(0, 3, size=(2, 3, 4))]


class Elementwise(Check):
    """An activation or its derivative, compared on extremes, matrices and 3-D arrays."""

    def __init__(self, name, reference, known=lambda z: ()):
        self.name, self.reference, self.known = name, reference, known

    def plan(self, rng):
        return [call(self.name, z) for z in _inputs(rng)]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            (z,) = c.args
            expect_array(returned(outcome, c), self.reference(z), c, known=self.known(z))


class Softmax(Check):
    name = "softmax"

    def plan(self, rng):
        rows = np.array([[1000.0, 999.0, -1000.0], [-5.0, 0.5, 2.0]])
        return [call("softmax", z) for z in (rows, rng.normal(0, 2, (4, 6)), rng.normal(0, 2, 5), rng.normal(0, 2, (2, 3, 4)))]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            (z,) = c.args
            known = []
            if z.ndim >= 2:
                known.append((torch.softmax(t(z), dim=0).numpy(), "the softmax is over the wrong axis; normalise over the last axis (axis=-1), one distribution per row"))
                known.append((torch.softmax(t(z).flatten(), 0).reshape(z.shape).numpy(), "you normalised over the whole array; each row (last axis) must sum to 1 on its own"))
            expect_array(returned(outcome, c), torch.softmax(t(z), dim=-1).numpy(), c, known=known)


class DenseForward(Check):
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
            known = []
            if W.shape[0] == W.shape[1]:  # only a square W lets the (in, out) mistake run silently
                known.append((act(t(x) @ t(W) + t(b)).numpy(), f"you multiplied by W as if it had shape (in, out); {self.hint}"))
            expect_array(value, expected, c, known=known,
                         shape_hint="a batch of N samples must come back as (N, out), one row per sample")


class Loss(Check):
    """A loss: the mean over all elements. A sum is the classic slip."""

    def __init__(self, name, reference, make_args, hint=""):
        self.name, self.reference, self.make_args, self.hint = name, reference, make_args, hint

    def plan(self, rng):
        return [call(self.name, *args) for args in self.make_args(rng)]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            if outcome.warnings and self.hint:
                raise CheckFailed(f"{c.describe()} emitted {outcome.warnings[0]}; {self.hint}")
            mean, total = self.reference(*c.args)
            expect_scalar(returned(outcome, c), mean, c, what="loss", known=[
                (total, "you summed over the elements; the loss asked for is the mean over all elements")
            ])


def _mse(y_pred, y):
    squared = (t(y_pred) - t(y)) ** 2
    return squared.mean().item(), squared.sum().item()


def _mse_args(rng):
    return [(rng.normal(size=8), rng.normal(size=8)), (rng.normal(size=(6, 3)), rng.normal(size=(6, 3)))]


def _bce(p, y):
    pc = t(p).clamp(1e-12, 1 - 1e-12)
    terms = -(t(y) * pc.log() + (1 - t(y)) * (1 - pc).log())
    return terms.mean().item(), terms.sum().item()


def _bce_args(rng):
    y = rng.integers(0, 2, size=9).astype(float)
    return [(rng.uniform(0.05, 0.95, size=9), y), (np.array([0.0, 1.0, 1.0, 0.0, 0.3]), np.array([0.0, 1.0, 0.0, 1.0, 1.0]))]


def _cross_entropy(logits, labels):
    losses = F.cross_entropy(t(logits), torch.as_tensor(labels), reduction="none")
    return losses.mean().item(), losses.sum().item()


def _ce_args(rng):
    n, k = 7, 4
    large = rng.normal(0, 1, (n, k)) * 1000
    return [(rng.normal(0, 2, (n, k)), rng.integers(0, k, n)), (large, rng.integers(0, k, n))]


class BceWithLogitsGrad(Check):
    name = "bce_with_logits_grad"

    def plan(self, rng):
        return [
            call(self.name, rng.normal(0, 3, size=(6, 1)), rng.integers(0, 2, (6, 1)).astype(float)),
            call(self.name, rng.normal(0, 3, size=9), rng.integers(0, 2, 9).astype(float)),
            call(self.name, np.array([-800.0, 800.0, 3.0]), np.array([1.0, 0.0, 1.0])),
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
            expect_array(returned(outcome, c), expected, c, known=known, what="gradient")


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
    return [(rng.normal(size=(n, 3)), _mlp_params(rng, 3, 5)) for n in (6, 1)]


class MlpForward(Check):
    name = "mlp_forward"

    def plan(self, rng):
        return [call(self.name, X, params) for X, params in _mlp_cases(rng)]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            value = returned(outcome, c)
            if not isinstance(value, tuple) or len(value) != 2:
                raise CheckFailed(f"{c.describe()} must return a pair (logits, cache)")
            expected, _ = _mlp_reference(*c.args)
            expect_array(value[0], expected, c, what="logits", shape_hint="logits are (N, 1): one row per sample")


def expect_grads(value, expected: dict, c: Call, *, rtol=1e-6, known=()) -> None:
    if not isinstance(value, dict) or set(value) != set(expected):
        raise CheckFailed(f"{c.describe()} must return a dict with exactly the keys {sorted(expected)}")
    for key, ref in expected.items():
        expect_array(value[key], ref, c, what=f"gradient {key}", rtol=rtol,
                     known=[(wrong[key], message) for wrong, message in known],
                     shape_hint=f"a gradient has the shape of its parameter {ref.shape}"
                     + ("; sum the upstream gradient over the batch (axis 0)" if key.startswith("b") else ""))


class MlpBackward(Check):
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
            expect_grads(returned(outcome, backward), expected, backward)


class NumericalGradient(Check):
    name = "numerical_gradient"

    def plan(self, rng):
        calls = []
        for shape in ((3, 4), (5,)):
            a, b = rng.normal(size=shape), rng.normal(size=shape)
            calls.append(call(self.name, Build("cubic", {"a": a, "b": b}), rng.normal(size=shape), capture_args=True))
        return calls

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            f_spec, x = c.args
            a, b = f_spec.params["a"], f_spec.params["b"]
            f = lambda v: float(np.sum(a * v**3 + b * v**2))  # noqa: E731
            h = 1e-5
            forward = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                step = np.zeros_like(x)
                step[i] = h
                forward[i] = (f(x + step) - f(x)) / h
            expect_array(returned(outcome, c), 3 * a * x**2 + 2 * b * x, c, what="gradient", atol=1e-7, known=[
                (forward, "that is a forward difference (error of order h); use the central difference (f(x+h) - f(x-h)) / (2h)"),
            ])
            x_after = as_array(outcome.args_after[1], c, "x after the call")
            if not np.array_equal(x_after, x):
                raise CheckFailed(f"{c.describe()} changed x; restore every element after perturbing it, or perturb a copy")


class RelativeError(Check):
    name = "relative_error"

    def plan(self, rng):
        a = rng.normal(size=(3, 4))
        zeros = np.array([0.0, 0.0, 1.0, -2.0])
        return [
            call(self.name, a, a + rng.normal(0, 1e-3, a.shape)),
            call(self.name, zeros, np.array([0.0, 0.0, 1.0 + 1e-6, -2.0])),
            call(self.name, rng.normal(size=5), rng.normal(size=5)),
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
            ])


class AutogradGradients(Check):
    name = "autograd_gradients"

    def plan(self, rng):
        return [call(self.name, X, params, rng.normal(size=(len(X), 1))) for X, params in _mlp_cases(rng)]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            X, params, dlogits = c.args
            _, expected = _mlp_reference(X, params, dlogits)
            _, single = _mlp_reference(X, params, dlogits, dtype=torch.float32)
            expect_grads(returned(outcome, c), expected, c, rtol=1e-10, known=[
                (single, "these match float32 precision only; build the tensors with dtype=torch.float64"),
            ])


def _sigmoid_known(z):
    s = torch.sigmoid(t(z)).numpy()
    return [(s, "that is s(z) itself; the derivative of the sigmoid is s(z) * (1 - s(z))")]


def _tanh_known(z):
    th = np.tanh(z)
    return [(1 - th, "the derivative of tanh is 1 - tanh(z)**2, not 1 - tanh(z)")]


CHECKS = [
    Elementwise("relu", lambda z: torch.relu(t(z)).numpy()),
    Elementwise("sigmoid", lambda z: torch.sigmoid(t(z)).numpy()),
    Elementwise("tanh", lambda z: torch.tanh(t(z)).numpy()),
    Softmax(),
    Elementwise("relu_grad", lambda z: grad_of(torch.relu, z)),
    Elementwise("sigmoid_grad", lambda z: grad_of(torch.sigmoid, z), known=_sigmoid_known),
    Elementwise("tanh_grad", lambda z: grad_of(torch.tanh, z), known=_tanh_known),
    DenseForward(),
    Loss("mse_loss", _mse, _mse_args),
    Loss("bce_loss", _bce, _bce_args, hint="clip p to [1e-12, 1 - 1e-12] before taking logarithms"),
    Loss("cross_entropy_loss", _cross_entropy, _ce_args,
         hint="subtract each row's maximum logit before exponentiating (log-sum-exp), so large logits cannot overflow"),
    BceWithLogitsGrad(),
    MlpForward(),
    MlpBackward(),
    NumericalGradient(),
    RelativeError(),
    AutogradGradients(),
]
