"""Saliency maps: the gradient of a class score with respect to one input."""

import numpy as np
import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="A saliency value", lecture="L11 saliency maps", points=2, version=1,
            band={"hidden": (2, 3)})
TOL = 0.005


def generate(rng):
    while True:
        h = int(rng.integers(2, 4))
        W = rng.integers(-2, 3, size=(h, 2)).astype(float)
        b = rng.integers(-1, 2, size=h).astype(float)
        v = rng.integers(-2, 3, size=h).astype(float)
        x = rng.integers(-2, 3, size=2).astype(float)
        i = int(rng.integers(2))
        active = [(W[k] @ x + b[k]) > 0 for k in range(h)]
        value = abs(sum(v[k] * W[k, i] for k in range(h) if active[k]))
        mistakes = (abs(sum(v[k] * W[k, i] for k in range(h))), abs(x[i] * value))
        if value > 0 and apart(value, mistakes, TOL) and all(abs(W[k] @ x + b[k]) > 0 for k in range(h)):
            break
    text = (f"A network scores a 2-pixel input as $f(x) = v^T \\operatorname{{ReLU}}(W x + b)$ with $W = {matrix(W)}$, "
            f"$b = {matrix(b[:, None])}$, $v = {matrix(v)}$. The saliency of pixel $i$ is "
            f"$|\\partial f / \\partial x_i|$. What is the saliency of pixel {i + 1} at $x = {matrix(x[:, None])}$?")
    return Variant(text, Number(float(value), TOL, 3, mistakes),
                   {"W": W.tolist(), "b": b.tolist(), "v": v.tolist(), "x": x.tolist(), "i": i}, {"hidden": h})


def execute(params):
    W, b, v = (torch.tensor(params[k], dtype=torch.float64) for k in ("W", "b", "v"))
    x = torch.tensor(params["x"], dtype=torch.float64, requires_grad=True)
    (v @ torch.relu(W @ x + b)).backward()
    return float(np.abs(x.grad[params["i"]].item()))
