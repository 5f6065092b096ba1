"""Backpropagation through a two-layer scalar network."""

import math

import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart

META = Meta(title="A gradient by backpropagation", lecture="L05 backpropagation", points=3, version=1,
            band={"chain_factors": (3, 4)})
TOL = 0.005


def generate(rng):
    while True:
        w1, b1, w2, b2 = (float(v) for v in rng.integers(-4, 5, size=4) / 2)
        x, t = float(rng.integers(-2, 3)), float(rng.integers(-2, 3))
        h = math.tanh(w1 * x + b1)
        y = w2 * h + b2
        wrt = str(rng.choice(["w1", "b1", "w2"]))
        upstream = y - t
        grads = {"w2": upstream * h, "w1": upstream * w2 * (1 - h * h) * x, "b1": upstream * w2 * (1 - h * h)}
        value = grads[wrt]
        mistakes = (upstream * w2 * x, upstream * w2 * (1 - h) * x, value / 2 if value else 1.0)
        if apart(value, mistakes, TOL) and abs(value) > 0.05:
            break
    text = (f"A network computes $h = \\tanh(w_1 x + b_1)$, $y = w_2 h + b_2$ and the loss $L = \\frac12 (y - t)^2$, "
            f"with $w_1 = {w1:g}$, $b_1 = {b1:g}$, $w_2 = {w2:g}$, $b_2 = {b2:g}$, input $x = {x:g}$ and target "
            f"$t = {t:g}$. What is $\\partial L / \\partial {wrt[0]}_{wrt[1]}$?")
    chain = {"w2": ("(y - t)\\, h", f"{upstream:.4f} \\cdot {_bracketed(h)}"),
             "b1": ("(y - t)\\, w_2 \\,(1 - h^2)", f"{upstream:.4f} \\cdot {_bracketed(w2)} \\cdot {1 - h * h:.4f}"),
             "w1": ("(y - t)\\, w_2 \\,(1 - h^2)\\, x",
                    f"{upstream:.4f} \\cdot {_bracketed(w2)} \\cdot {1 - h * h:.4f} \\cdot {_bracketed(x)}")}[wrt]
    worked = (f"Forward: $h = \\tanh({_bracketed(w1)} \\cdot {_bracketed(x)} + {_bracketed(b1)}) = "
              f"\\tanh({w1 * x + b1:g}) = {h:.4f}$, $y = {_bracketed(w2)} \\cdot {_bracketed(h)} + {_bracketed(b2)} "
              f"= {y:.4f}$.\n\n"
              f"Backward: $\\partial L / \\partial y = y - t = {y:.4f} - {_bracketed(t)} = {upstream:.4f}$, and "
              "$\\tanh'(a) = 1 - h^2$.\n\n"
              f"Chain rule: $\\partial L / \\partial {wrt[0]}_{wrt[1]} = {chain[0]} = {chain[1]} = {value:.3f}$.")
    return Variant(text, Number(value, TOL, 3, mistakes),
                   {"w1": w1, "b1": b1, "w2": w2, "b2": b2, "x": x, "t": t, "wrt": wrt},
                   {"chain_factors": {"w2": 3, "b1": 3, "w1": 4}[wrt]}, worked=worked)


def _bracketed(v):
    return f"({v:.4g})" if v < 0 else f"{v:.4g}"


def execute(params):
    p = {k: torch.tensor(params[k], dtype=torch.float64, requires_grad=True) for k in ("w1", "b1", "w2", "b2")}
    y = p["w2"] * torch.tanh(p["w1"] * params["x"] + p["b1"]) + p["b2"]
    (0.5 * (y - params["t"]) ** 2).backward()
    return p[params["wrt"]].grad.item()
