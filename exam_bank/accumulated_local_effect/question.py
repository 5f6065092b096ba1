"""ALE: the local effect of one feature in one bin, from the model rather than extrapolated data."""

import numpy as np

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Accumulated local effects", lecture="L12 PDP, ICE, ALE and LIME", points=2, version=1,
            band={"in_bin": (2, 4)})
TOL = 0.005


def generate(rng):
    while True:
        a, b = (float(v) for v in rng.integers(-3, 4, size=2))
        lower, upper = sorted(float(v) for v in rng.choice(np.arange(-2, 3), size=2, replace=False))
        n = int(rng.integers(2, 5))
        x1 = rng.uniform(lower, upper, size=n).round(1).clip(lower, upper)
        x2 = rng.integers(-3, 4, size=n).astype(float)
        # f = a x1 + b x1 x2: the difference across the bin is (upper - lower)(a + b x2) for each instance
        effect = (upper - lower) * (a + b * x2.mean())
        mistakes = ((upper - lower) * a, effect / n, (upper - lower) * (a + b * x2.sum()))
        if b != 0 and apart(effect, mistakes, TOL):
            break
    text = (f"A model predicts $f(x_1, x_2) = {a:g} x_1 + {b:g} x_1 x_2$. The instances whose $x_1$ falls in the ALE bin "
            f"$[{lower:g}, {upper:g}]$ are (columns $x_1, x_2$) ${matrix(np.column_stack([x1, x2]))}$. What is the "
            "bin's uncentred local effect, the mean over these instances of "
            f"$f({upper:g}, x_2) - f({lower:g}, x_2)$?")
    return Variant(text, Number(float(effect), TOL, 3, mistakes),
                   {"ab": [a, b], "bin": [lower, upper], "x1": x1.tolist(), "x2": x2.tolist()}, {"in_bin": n})


def execute(params):
    # evaluate the model at the bin's edges for each instance, as an ALE implementation does
    a, b = params["ab"]
    lower, upper = params["bin"]
    x2 = np.array(params["x2"])
    f = lambda x1, x2: a * x1 + b * x1 * x2  # noqa: E731
    return float(np.mean(f(np.full_like(x2, upper), x2) - f(np.full_like(x2, lower), x2)))
