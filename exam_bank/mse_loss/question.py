"""Mean squared error of a batch of predictions."""

import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Mean squared error", lecture="L03 loss functions", points=1, version=1,
            band={"samples": (4, 5), "largest_error": (0.5, 3)})
TOL = 0.005


def generate(rng):
    while True:
        n = int(rng.integers(4, 6))
        y = rng.integers(-10, 11, size=n) / 5
        y_hat = y + rng.integers(-10, 11, size=n) / 5
        errors = [float(a - b) for a, b in zip(y_hat, y)]
        mse = sum(e * e for e in errors) / n
        mistakes = (sum(e * e for e in errors), mse ** 0.5, sum(abs(e) for e in errors) / n)
        if apart(mse, mistakes, TOL) and max(map(abs, errors)) >= 0.5:
            break
    text = (f"A regression network predicts $\\hat y = {matrix(y_hat)}$ for targets $y = {matrix(y)}$. "
            "What is the mean squared error?")
    return Variant(text, Number(mse, TOL, 3, mistakes), {"y": y.tolist(), "y_hat": y_hat.tolist()},
                   {"samples": n, "largest_error": max(map(abs, errors))})


def execute(params):
    y, y_hat = (torch.tensor(params[k], dtype=torch.float64) for k in ("y", "y_hat"))
    return torch.nn.functional.mse_loss(y_hat, y).item()
