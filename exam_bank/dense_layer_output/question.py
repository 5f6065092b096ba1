"""Dense layer: x' = s(W x + b), one output component."""

import numpy as np
import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Output of a dense layer", lecture="L02 dense layers", points=2, version=1,
            band={"multiply_adds": (3, 4), "largest_entry": (1, 3)})
TOL = 0.005
ACTIVATIONS = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh}


def generate(rng):
    while True:
        n_in = int(rng.integers(3, 5))
        W = rng.integers(-2, 3, size=(2, n_in)).astype(float)
        x = rng.integers(-2, 3, size=n_in).astype(float)
        b = rng.integers(-2, 3, size=2).astype(float)
        i = int(rng.integers(2))
        name = str(rng.choice(sorted(ACTIVATIONS)))
        pre = sum(W[i, j] * x[j] for j in range(n_in)) + b[i]
        value = ACTIVATIONS[name](pre)
        mistakes = (ACTIVATIONS[name](pre - b[i]), pre, ACTIVATIONS[name](sum(W[j, i] * x[j] for j in range(2)) + b[i]))
        if apart(value, mistakes, TOL) and abs(pre) <= 3:
            break
    text = (f"A dense layer computes $x' = s(W x + b)$ with $s$ = {name}, $W = {matrix(W)}$, "
            f"$x = {matrix(x[:, None])}$ and $b = {matrix(b[:, None])}$. What is $x'_{i + 1}$?")
    params = {"W": W.tolist(), "x": x.tolist(), "b": b.tolist(), "i": i, "activation": name}
    products = " + ".join(f"{_bracketed(W[i, j])} \\cdot {_bracketed(x[j])}" for j in range(n_in))
    s, formula = {"sigmoid": ("\\sigma", "1 / (1 + e^{-a})"),
                  "tanh": ("\\tanh", "(e^a - e^{-a}) / (e^a + e^{-a})")}[name]
    worked = (f"Component {i + 1} uses row {i + 1} of $W$ and entry {i + 1} of $b$: "
              f"$a_{i + 1} = \\sum_j W_{{{i + 1}j}} x_j + b_{i + 1}$.\n\n"
              f"$a_{i + 1} = {products} + {_bracketed(b[i])} = {pre:g}$.\n\n"
              f"Then the {name}, ${s}(a) = {formula}$: $x'_{i + 1} = {s}({pre:g}) = {value:.3f}$.")
    return Variant(text, Number(float(value), TOL, 3, mistakes), params,
                   {"multiply_adds": n_in, "largest_entry": float(max(np.abs(W).max(), np.abs(x).max()))},
                   worked=worked)


def _bracketed(v):
    return f"({v:g})" if v < 0 else f"{v:g}"


def execute(params):
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}[params["activation"]]
    t = {k: torch.tensor(params[k], dtype=torch.float64) for k in ("W", "x", "b")}
    return f(torch.nn.functional.linear(t["x"], t["W"], t["b"]))[params["i"]].item()
