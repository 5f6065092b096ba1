"""Supervised learning as conditional probability: a classifier's logits -> p(y = k | x)."""

import numpy as np
import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Class probability from logits", lecture="L01 neural networks and supervised learning",
            points=2, version=1, band={"classes": (3, 4), "largest_logit": (1, 3)})
TOL = 0.005


def generate(rng):
    while True:
        n = int(rng.integers(3, 5))
        z = rng.integers(-3, 4, size=n).astype(float)
        k = int(rng.integers(n))
        exps = [np.exp(v) for v in z]
        p = exps[k] / sum(exps)
        mistakes = (1 / (1 + np.exp(-z[k])), exps[k] / sum(np.exp(z[i]) for i in range(n) if i != k))
        if apart(p, mistakes, TOL) and np.abs(z).max() >= 1:
            break
    text = (f"A classifier maps an image $x$ to the logits $z = {matrix(z)}$ over {n} classes and models "
            f"$p(y \\mid x)$ with a softmax. What is $p(y = {k + 1} \\mid x)$ (class {k + 1} is entry {k + 1})?")
    total = sum(exps)
    worked = (f"Softmax: $p(y = {k + 1} \\mid x) = e^{{z_{k + 1}}} / \\sum_j e^{{z_j}}$, the denominator over all "
              f"{n} classes (class {k + 1} included).\n\n"
              f"Numerator: $e^{{{z[k]:g}}} = {exps[k]:.4f}$.\n\n"
              f"Denominator: ${' + '.join(f'e^{{{v:g}}}' for v in z)} = {' + '.join(f'{e:.4f}' for e in exps)} "
              f"= {total:.4f}$.\n\n"
              f"$p(y = {k + 1} \\mid x) = {exps[k]:.4f} / {total:.4f} = {p:.3f}$.")
    return Variant(text, Number(float(p), TOL, 3, mistakes), {"z": z.tolist(), "k": k},
                   {"classes": n, "largest_logit": float(np.abs(z).max())}, worked=worked)


def execute(params):
    return torch.softmax(torch.tensor(params["z"], dtype=torch.float64), dim=0)[params["k"]].item()
