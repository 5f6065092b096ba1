"""word2vec and PMI: pointwise mutual information from co-occurrence counts."""

import math

import numpy as np

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="Pointwise mutual information", lecture="L08 word embeddings", points=2, version=1,
            band={"vocabulary": (3, 3), "largest_count": (5, 20)})
TOL = 0.005


def generate(rng):
    while True:
        counts = rng.integers(1, 21, size=(3, 3))
        i, j = (int(v) for v in rng.integers(3, size=2))
        total = int(counts.sum())
        row, column = int(counts[i].sum()), int(counts[:, j].sum())
        pmi = math.log(counts[i, j] * total / (row * column))
        mistakes = (pmi / math.log(2), math.log(counts[i, j] / (row * column)), math.log(counts[i, j] / row))
        if apart(pmi, mistakes, TOL) and abs(pmi) > 2 * TOL and counts.max() >= 5:
            break
    text = (f"Words (rows) and context words (columns) co-occur with the counts $C = {matrix(counts)}$. "
            f"What is the pointwise mutual information $\\mathrm{{PMI}}(w_{i + 1}, c_{j + 1})$, with probabilities "
            "estimated from these counts and the natural logarithm?")
    cell = int(counts[i, j])
    worked = (f"$\\mathrm{{PMI}}(w, c) = \\ln \\frac{{P(w, c)}}{{P(w)\\,P(c)}}$, each probability a count over the "
              f"total $N = {total}$.\n\n"
              f"$P(w_{i + 1}, c_{j + 1}) = {cell}/{total}$, $P(w_{i + 1}) = {row}/{total}$ (row {i + 1}), "
              f"$P(c_{j + 1}) = {column}/{total}$ (column {j + 1}).\n\n"
              f"$\\mathrm{{PMI}} = \\ln \\frac{{{cell} \\cdot {total}}}{{{row} \\cdot {column}}} = "
              f"\\ln {cell * total / (row * column):.4f} = {pmi:.3f}$")
    return Variant(text, Number(pmi, TOL, 3, mistakes), {"counts": counts.tolist(), "i": i, "j": j},
                   {"vocabulary": 3, "largest_count": int(counts.max())}, worked=worked)


def execute(params):
    # the whole PMI matrix at once, as word2vec's implicit factorization would use it
    C = np.array(params["counts"], dtype=np.float64)
    P = C / C.sum()
    return float(np.log(P / np.outer(P.sum(axis=1), P.sum(axis=0)))[params["i"], params["j"]])
