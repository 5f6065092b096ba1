"""Categorical cross-entropy over a small batch."""

import math

import numpy as np
import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Categorical cross-entropy", lecture="L03 loss functions", points=2, version=1,
            band={"samples": (2, 3), "classes": (3, 3)})
TOL = 0.005


def generate(rng):
    while True:
        n = int(rng.integers(2, 4))
        P = np.array([rng.permutation([a, b, 10 - a - b]) for a, b in rng.integers(1, 5, size=(n, 2))]) / 10
        labels = rng.integers(0, 3, size=n)
        ce = -sum(math.log(P[i, labels[i]]) for i in range(n)) / n
        mistakes = (ce * n, ce / math.log(10), -sum(math.log(P[i].max()) for i in range(n)) / n)
        if apart(ce, mistakes, TOL):
            break
    text = (f"A 3-class network outputs the probabilities (one row per image) $P = {matrix(P)}$; the true "
            f"classes are {', '.join(str(c + 1) for c in labels)}. What is the mean categorical cross-entropy "
            "(natural logarithm)?")
    return Variant(text, Number(ce, TOL, 3, mistakes), {"P": P.tolist(), "labels": labels.tolist()},
                   {"samples": n, "classes": 3})


def execute(params):
    P = torch.tensor(params["P"], dtype=torch.float64)
    return torch.nn.functional.nll_loss(P.log(), torch.tensor(params["labels"])).item()
