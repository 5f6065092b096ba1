"""Binary cross-entropy of predicted probabilities."""

import math

import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Binary cross-entropy", lecture="L03 loss functions", points=2, version=1,
            band={"samples": (3, 4)})
TOL = 0.005


def generate(rng):
    while True:
        n = int(rng.integers(3, 5))
        y = rng.integers(0, 2, size=n)
        p = rng.integers(1, 20, size=n) / 20
        terms = [-(t * math.log(q) + (1 - t) * math.log(1 - q)) for t, q in zip(y, p)]
        bce = sum(terms) / n
        mistakes = (sum(terms), bce / math.log(2), sum(-math.log(q) for q in p) / n)
        if apart(bce, mistakes, TOL):
            break
    text = (f"A classifier gives the probabilities $p = {matrix(p)}$ of the positive class for labels "
            f"$y = {matrix(y)}$. What is the mean binary cross-entropy (natural logarithm)?")
    each = ", ".join(f"$-\\ln {q:g} = {term:.4f}$" if t else f"$-\\ln(1 - {q:g}) = {term:.4f}$"
                     for t, q, term in zip(y, p, terms))
    worked = ("$\\mathrm{BCE} = -\\frac{1}{n} \\sum_i \\left[y_i \\ln p_i + (1 - y_i) \\ln(1 - p_i)\\right]$: "
              "a sample costs $-\\ln p_i$ when $y_i = 1$ and $-\\ln(1 - p_i)$ when $y_i = 0$.\n\n"
              f"Per sample: {each}.\n\n"
              f"Mean over the {n} samples: ${' + '.join(f'{term:.4f}' for term in terms)} = {sum(terms):.4f}$, "
              f"and ${sum(terms):.4f} / {n} = {bce:.3f}$.")
    return Variant(text, Number(bce, TOL, 3, mistakes), {"y": y.tolist(), "p": p.tolist()}, {"samples": n},
                   worked=worked)


def execute(params):
    y, p = (torch.tensor(params[k], dtype=torch.float64) for k in ("y", "p"))
    return torch.nn.functional.binary_cross_entropy(p, y).item()
