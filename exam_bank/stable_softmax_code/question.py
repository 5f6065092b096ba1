"""Softmax as code: a numerically stable implementation, called on inputs that overflow a naive one,
and on a matrix whose second row lies 1000 below its first (a shift by the matrix's global maximum
underflows that row to 0/0: only each row's own maximum works)."""

import math

import torch

from autograder.checks.exam.question import Code, Meta, Variant

META = Meta(title="A stable softmax", lecture="L02 activation functions", points=3, version=4,
            band={"largest_logit": (750, 1000)})
REFERENCE = '''def {name}(z):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
'''

# For synthetic cohorts (autograder.exam.cohort): the classic overflow, and another correct way.
MISTAKE = '''def {name}(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum(axis=-1, keepdims=True)
'''
ALTERNATIVE = '''from scipy.special import logsumexp


def {name}(z):
    z = np.asarray(z, dtype=float)
    return np.exp(z - logsumexp(z, axis=-1, keepdims=True))
'''


def _cases(big: int) -> tuple[tuple, ...]:
    """Last, rows 1000 apart: e^(z - global max) is 0 in all of the second row (0/0), and a naive
    softmax overflows the first, while each row's own softmax is [1, e^-1] / (1 + e^-1)."""
    return (([1.0, 2.0, 3.0],), ([float(big), float(big)],), ([float(big), 0.0, -float(big)],),
            ([[0.0, 0.0], [0.0, math.log(3)]],),
            ([[float(big), float(big - 1)], [float(big - 1000), float(big - 1001)]],))


def _expected(big: int) -> tuple:
    """By hand: e^(z - max) over its sum; e^-big is 0 to any tolerance that matters."""
    third = 1 + math.exp(-1) + math.exp(-2)
    pair = [1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))]
    return ([math.exp(-2) / third, math.exp(-1) / third, 1 / third], [0.5, 0.5], [1.0, 0.0, 0.0],
            [[0.5, 0.5], [0.25, 0.75]], [pair, pair])


def generate(rng):
    name = str(rng.choice(["softmax", "stable_softmax", "class_probabilities"]))
    big = int(rng.integers(750, 1001))  # beyond 709, exp overflows in float64: a naive softmax fails
    text = (f"Write `{name}(z)`: the softmax of a vector, or of every row of a matrix, of logits (`z` is a NumPy "
            "array; return one of the same shape). It must not "
            f"overflow for logits as large as {big}.")
    worked = ("Softmax does not change when the same constant $m$ is subtracted from every logit: "
              "$\\frac{e^{z_i - m}}{\\sum_j e^{z_j - m}} = \\frac{e^{-m} e^{z_i}}{e^{-m} \\sum_j e^{z_j}}$.\n\n"
              "Take $m = \\max_j z_j$, per row (`axis=-1, keepdims=True`): every exponent is then at most 0, the "
              "largest term is $e^0 = 1$, so nothing overflows and the sum is at least 1. The matrix's one global "
              "maximum would not do: a row 1000 below it has every $e^{z_i - m}$ underflow to 0, and 0/0 is nan.\n\n"
              "The largest float64 is about $1.8 \\cdot 10^{308} = e^{709.78}$: `np.exp` of anything above about 709 "
              f"is `inf`, so a naive softmax of $[{big}, {big}]$ computes inf/inf = nan; the stable one gives "
              f"$[0.5, 0.5]$, and for $[{big}, 0, -{big}]$ gives $[1, 0, 0]$ ($e^{{-{big}}}$ underflows harmlessly "
              "to 0).")
    return Variant(text, Code(name, REFERENCE.format(name=name), _cases(big), _expected(big)),
                   {"name": name, "big": big}, {"largest_logit": big}, worked=worked)


def execute(params):
    """torch's own softmax, in float64, on the same cases."""
    return [torch.softmax(torch.tensor(args[0], dtype=torch.float64), dim=-1).numpy() for args in _cases(params["big"])]
