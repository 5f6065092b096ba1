"""PDP and ICE of a known model at one feature value."""

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.inspection import partial_dependence

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Partial dependence and ICE", lecture="L12 PDP, ICE, ALE and LIME", points=2, version=1,
            band={"instances": (3, 4)})
TOL = 0.005


def _model(a, b, c):
    return lambda x1, x2: a * x1 + b * x1 * x2 + c * x2 * x2


class _Known(RegressorMixin, BaseEstimator):
    """A fitted regressor wrapping the question's formula, so scikit-learn computes PDP and ICE."""

    def __init__(self, a=0.0, b=0.0, c=0.0):
        self.a, self.b, self.c = a, b, c

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        return _model(self.a, self.b, self.c)(X[:, 0], X[:, 1])


def generate(rng):
    while True:
        a, b, c = (float(v) for v in rng.integers(-3, 4, size=3))
        n = int(rng.integers(3, 5))
        X = rng.integers(-3, 4, size=(n, 2)).astype(float)
        at = float(rng.integers(-2, 3))
        kind = str(rng.choice(["pdp", "ice"]))
        row = int(rng.integers(n))
        f = _model(a, b, c)
        pdp = sum(f(at, X[i, 1]) for i in range(n)) / n
        ice = f(at, X[row, 1])
        value = pdp if kind == "pdp" else ice
        mistakes = (f(at, X[:, 1].mean()), ice if kind == "pdp" else pdp, sum(f(X[i, 0], X[i, 1]) for i in range(n)) / n)
        if b != 0 and apart(value, mistakes, TOL):
            break
    wanted = (f"the partial dependence of the prediction on $x_1$ at $x_1 = {at:g}$" if kind == "pdp"
              else f"the ICE curve of instance {row + 1} at $x_1 = {at:g}$")
    text = (f"A model predicts $f(x_1, x_2) = {a:g} x_1 + {b:g} x_1 x_2 + {c:g} x_2^2$. The data set has the instances "
            f"(rows, columns $x_1, x_2$) $X = {matrix(X)}$. What is {wanted}?")
    return Variant(text, Number(float(value), TOL, 3, mistakes),
                   {"abc": [a, b, c], "X": X.tolist(), "at": at, "kind": kind, "row": row}, {"instances": n},
                   worked=_worked(a, b, c, X, at, kind, row, float(value)))


def _g(v) -> str:
    return f"{v + 0.0:g}"  # + 0.0: zero shown as 0, never -0


def _worked(a, b, c, X, at, kind, row, value):
    f = _model(a, b, c)
    fixed = (f"With $x_1 = {_g(at)}$: $f({_g(at)}, x_2) = {_g(a * at)} + ({_g(b * at)}) x_2 + ({_g(c)}) x_2^2$; "
             "each instance's own $x_1$ is replaced, only its $x_2$ is used.")
    if kind == "ice":
        x2 = X[row, 1]
        return (f"The ICE curve of instance {row + 1} is its prediction as $x_1$ varies, its $x_2 = {_g(x2)}$ kept.\n\n"
                f"{fixed}\n\n$f({_g(at)}, {_g(x2)}) = {_g(a * at)} + ({_g(b * at)}) \\cdot ({_g(x2)}) "
                f"+ ({_g(c)}) \\cdot ({_g(x2)})^2 = {value:.3f}$")
    values = [f(at, x2) for x2 in X[:, 1]]
    return (f"The partial dependence at $x_1 = {_g(at)}$ is the average over the instances of the prediction with "
            f"$x_1 = {_g(at)}$ (the mean of the ICE curves there).\n\n{fixed}\n\n"
            f"For $x_2 = {', '.join(_g(v) for v in X[:, 1])}$: $f = {', '.join(_g(v) for v in values)}$.\n\n"
            f"Mean: $({' + '.join(f'({_g(v)})' if v < 0 else _g(v) for v in values)}) / {len(values)} = {value:.3f}$")


def execute(params):
    model = _Known(*params["abc"]).fit(None)
    X = np.array(params["X"])
    kind = "average" if params["kind"] == "pdp" else "individual"
    found = partial_dependence(model, X, [0], custom_values={0: [params["at"]]}, kind=kind, method="brute")
    return float(found["average"][0, 0] if kind == "average" else found["individual"][0, params["row"], 0])
