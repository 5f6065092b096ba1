"""LIME: the slope of the locally weighted linear surrogate."""

import math

import numpy as np
from sklearn.linear_model import LinearRegression

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="A LIME surrogate", lecture="L12 PDP, ICE, ALE and LIME", points=3, version=1,
            band={"samples": (4, 5)})
TOL = 0.005


def generate(rng):
    while True:
        n = int(rng.integers(4, 6))
        z = np.sort(rng.choice(np.arange(-3, 4), size=n, replace=False)).astype(float)
        f = rng.integers(-5, 6, size=n).astype(float)
        width = float(rng.choice([1.0, 2.0]))
        weights = [math.exp(-(d * d) / (width * width)) for d in z]
        total = sum(weights)
        mz = sum(w * v for w, v in zip(weights, z)) / total
        mf = sum(w * v for w, v in zip(weights, f)) / total
        slope = (sum(w * (a - mz) * (b - mf) for w, a, b in zip(weights, z, f))
                 / sum(w * (a - mz) ** 2 for w, a in zip(weights, z)))
        plain = np.polyfit(z, f, 1)[0]
        mistakes = (float(plain), (f[-1] - f[0]) / (z[-1] - z[0]))
        if apart(slope, mistakes, TOL) and abs(slope) > 2 * TOL:
            break
    text = (f"LIME explains a prediction at $x = 0$ with perturbed inputs $z = {matrix(z)}$ whose model outputs are "
            f"$f(z) = {matrix(f)}$, weighted by the kernel $\\pi(z) = \\exp(-z^2 / {width * width:g})$. What is the "
            "slope of the weighted least-squares line (with intercept) through these points?")
    numerator = sum(w * (a - mz) * (b - mf) for w, a, b in zip(weights, z, f))
    denominator = sum(w * (a - mz) ** 2 for w, a in zip(weights, z))
    worked = (f"Weights $\\pi(z) = \\exp(-z^2 / {width * width:g})$: "
              f"$({', '.join(f'{w:.4f}' for w in weights)})$, total ${total:.4f}$.\n\n"
              f"Weighted means: $\\bar z = \\sum \\pi z / \\sum \\pi = {mz:.4f}$, $\\bar f = {mf:.4f}$.\n\n"
              "Weighted least squares slope: "
              "$\\beta = \\sum \\pi (z - \\bar z)(f - \\bar f) \\,/\\, \\sum \\pi (z - \\bar z)^2$.\n\n"
              f"$\\beta = {numerator:.4f} / {denominator:.4f} = {slope:.3f}$")
    return Variant(text, Number(float(slope), TOL, 3, mistakes), {"z": z.tolist(), "f": f.tolist(), "width": width},
                   {"samples": n}, worked=worked)


def execute(params):
    z, f = np.array(params["z"]), np.array(params["f"])
    weights = np.exp(-(z ** 2) / params["width"] ** 2)
    return float(LinearRegression().fit(z[:, None], f, sample_weight=weights).coef_[0])
