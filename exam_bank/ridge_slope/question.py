"""Regularization: the slope of ridge regression through the origin."""

import numpy as np
from sklearn.linear_model import Ridge

from autograder.exam.question import Meta, Number, Variant, apart, matrix

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
    return Variant(text, Number(slope, TOL, 3, mistakes), {"x": x.tolist(), "y": y.tolist(), "lambda": lam},
                   {"points": 4, "lambda": lam})


def execute(params):
    model = Ridge(alpha=params["lambda"], fit_intercept=False, solver="cholesky")
    return float(model.fit(np.array(params["x"])[:, None], params["y"]).coef_[0])
