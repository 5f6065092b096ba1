"""Regularization: the slope of ridge regression through the origin."""

import numpy as np
from sklearn.linear_model import Ridge

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Ridge regression slope", lecture="L04 bias, variance and regularization", points=2,
            version=1, band={"points": (4, 4), "lambda": (1, 10)})
TOL = 0.005


def generate(rng):
    while True:
        x = rng.integers(-3, 4, size=4).astype(float)
        y = rng.integers(-5, 6, size=4).astype(float)
        lam = float(rng.integers(1, 11))
        sxy, sxx = float(x @ y), float(x @ x)
        slope = sxy / (sxx + lam)
        mistakes = (sxy / sxx if sxx else 0.0, sxy / (sxx + lam / 4), sxy / (sxx - lam) if sxx != lam else 0.0)
        if sxx > 0 and apart(slope, mistakes, TOL) and abs(slope) > 2 * TOL:
            break
    text = (f"Ridge regression without intercept, minimising $\\sum_i (y_i - w x_i)^2 + \\lambda w^2$ with "
            f"$\\lambda = {lam:g}$, is fitted to $x = {matrix(x)}$, $y = {matrix(y)}$. What is $w$?")
    products = " + ".join(f"{_bracketed(a)} \\cdot {_bracketed(b)}" for a, b in zip(x, y))
    worked = ("Setting the derivative in $w$ to zero, $-2 \\sum_i x_i (y_i - w x_i) + 2 \\lambda w = 0$, gives "
              "$w = \\sum_i x_i y_i / (\\sum_i x_i^2 + \\lambda)$.\n\n"
              f"$\\sum_i x_i y_i = {products} = {sxy:g}$.\n\n"
              f"$\\sum_i x_i^2 = {' + '.join(f'{_bracketed(a)}^2' for a in x)} = {sxx:g}$.\n\n"
              f"$w = {sxy:g} / ({sxx:g} + {lam:g}) = {sxy:g} / {sxx + lam:g} = {slope:.3f}$.")
    return Variant(text, Number(slope, TOL, 3, mistakes), {"x": x.tolist(), "y": y.tolist(), "lambda": lam},
                   {"points": 4, "lambda": lam}, worked=worked)


def _bracketed(v):
    return f"({v:g})" if v < 0 else f"{v:g}"


def execute(params):
    model = Ridge(alpha=params["lambda"], fit_intercept=False, solver="cholesky")
    return float(model.fit(np.array(params["x"])[:, None], params["y"]).coef_[0])
