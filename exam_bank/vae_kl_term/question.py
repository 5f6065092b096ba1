"""VAEs: the KL term of the ELBO for a diagonal Gaussian posterior."""

import math

import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="The KL term of a VAE", lecture="L10 variational autoencoders", points=2, version=1,
            band={"latent": (2, 3)})
TOL = 0.005


def generate(rng):
    while True:
        k = int(rng.integers(2, 4))
        mu = rng.integers(-4, 5, size=k) / 2
        sigma = rng.choice([0.5, 1.0, 1.5, 2.0], size=k)
        kl = 0.5 * sum(s * s + m * m - 1 - math.log(s * s) for m, s in zip(mu, sigma))
        mistakes = (2 * kl, 0.5 * sum(s + m * m - 1 - math.log(s) for m, s in zip(mu, sigma)),
                    0.5 * sum(s * s + m * m - 1 for m, s in zip(mu, sigma)))
        if apart(kl, mistakes, TOL) and kl > 4 * TOL:
            break
    text = (f"The encoder of a VAE gives $q(z \\mid x) = \\mathcal N(\\mu, \\operatorname{{diag}}(\\sigma^2))$ with "
            f"$\\mu = {matrix(mu)}$ and $\\sigma = {matrix(sigma)}$; the prior is $\\mathcal N(0, I)$. What is "
            "$D_{KL}(q(z \\mid x) \\,\\|\\, p(z))$ in nats?")
    terms = [0.5 * (s * s + m * m - 1 - math.log(s * s)) for m, s in zip(mu, sigma)]
    lines = ["$D_{KL} = \\frac12 \\sum_j (\\sigma_j^2 + \\mu_j^2 - 1 - \\ln \\sigma_j^2)$, a term per dimension:\n"]
    lines += [f"- dimension {j + 1}: $\\frac12 ({s * s:g} + {m * m:g} - 1 - \\ln {s * s:g}) = {t:.4f}$"
              for j, (m, s, t) in enumerate(zip(mu, sigma, terms))]
    lines.append(f"\n$D_{{KL}} = {' + '.join(f'{t:.4f}' for t in terms)} = {kl:.3f}$ nats")
    return Variant(text, Number(kl, TOL, 3, mistakes), {"mu": mu.tolist(), "sigma": sigma.tolist()}, {"latent": k},
                   worked="\n".join(lines))


def execute(params):
    mu, sigma = (torch.tensor(params[k], dtype=torch.float64) for k in ("mu", "sigma"))
    q = torch.distributions.Normal(mu, sigma)
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(sigma))
    return torch.distributions.kl_divergence(q, p).sum().item()
