"""Bias-variance decomposition of the expected squared error at one input."""

import numpy as np

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Bias and variance at a point", lecture="L04 bias, variance and regularization", points=2,
            version=1, band={"models": (4, 5)})
TOL = 0.005


def generate(rng):
    while True:
        m = int(rng.integers(4, 6))
        truth = float(rng.integers(-2, 3))
        predictions = truth + rng.integers(-6, 9, size=m) / 4
        mean = sum(predictions) / m
        bias2 = (mean - truth) ** 2
        variance = sum((p - mean) ** 2 for p in predictions) / m
        ask = str(rng.choice(["bias", "variance", "error"]))
        value = {"bias": bias2, "variance": variance, "error": bias2 + variance}[ask]
        mistakes = (abs(mean - truth), variance * m / (m - 1), bias2 + variance if ask != "error" else variance)
        if apart(value, mistakes, TOL) and value > 2 * TOL:
            break
    wanted = {"bias": "the squared bias", "variance": "the variance (dividing by the number of models)",
              "error": "the expected squared error, $E[(\\hat f(x_0) - f(x_0))^2]$"}[ask]
    text = (f"The same network, trained on {m} independent training sets, predicts "
            f"$\\hat f(x_0) = {matrix(predictions)}$ at an input whose true value is $f(x_0) = {truth:g}$ "
            f"(no noise). What is {wanted} of the prediction at $x_0$?")
    return Variant(text, Number(value, TOL, 3, mistakes),
                   {"predictions": predictions.tolist(), "truth": truth, "ask": ask}, {"models": m})


def execute(params):
    # the error directly, bias and variance through numpy: the decomposition must agree with it
    p, truth = np.array(params["predictions"]), params["truth"]
    return {"bias": (p.mean() - truth) ** 2, "variance": np.var(p),
            "error": np.mean((p - truth) ** 2)}[params["ask"]]
