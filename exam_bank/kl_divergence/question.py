"""KL divergence between two discrete distributions."""

import math

import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="KL divergence", lecture="L03 loss functions and information", points=2, version=1,
            band={"outcomes": (3, 3)})
TOL = 0.005


def _distribution(rng):
    a, b = sorted(rng.choice(range(1, 10), size=2, replace=False))
    return [a / 10, (b - a) / 10, (10 - b) / 10]


def generate(rng):
    while True:
        p, q = _distribution(rng), _distribution(rng)
        kl = sum(a * math.log(a / b) for a, b in zip(p, q))
        mistakes = (sum(b * math.log(b / a) for a, b in zip(p, q)), kl / math.log(2))
        if apart(kl, mistakes, TOL) and kl > 4 * TOL:
            break
    text = (f"For the distributions $p = {matrix(p)}$ and $q = {matrix(q)}$ over three outcomes, what is "
            "$D_{KL}(p \\,\\|\\, q)$ in nats?")
    terms = [a * math.log(a / b) for a, b in zip(p, q)]
    each = " + ".join(f"{a:g} \\ln({a:g} / {b:g})" for a, b in zip(p, q))
    worked = ("$D_{KL}(p \\,\\|\\, q) = \\sum_i p_i \\ln(p_i / q_i)$, weighted by $p$ and with the natural "
              "logarithm (nats); swapping $p$ and $q$ gives a different number.\n\n"
              f"$D_{{KL}}(p \\,\\|\\, q) = {each}$\n\n"
              f"$= {' + '.join(f'({v:.4f})' if v < 0 else f'{v:.4f}' for v in terms)} = {kl:.3f}$.")
    return Variant(text, Number(kl, TOL, 3, mistakes), {"p": p, "q": q}, {"outcomes": 3}, worked=worked)


def execute(params):
    p, q = (torch.distributions.Categorical(probs=torch.tensor(params[k], dtype=torch.float64)) for k in ("p", "q"))
    return torch.distributions.kl_divergence(p, q).item()
