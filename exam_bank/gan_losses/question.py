"""GANs: the discriminator's loss and the non-saturating generator loss."""

import math

import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart, matrix

META = Meta(title="GAN losses", lecture="L10 generative adversarial networks", points=2, version=1,
            band={"batch": (2, 3)})
TOL = 0.005


def generate(rng):
    while True:
        n = int(rng.integers(2, 4))
        real = rng.integers(2, 19, size=n) / 20
        fake = rng.integers(1, 18, size=n) / 20
        which = str(rng.choice(["discriminator", "generator"]))
        d_loss = -sum(math.log(r) for r in real) / n - sum(math.log(1 - f) for f in fake) / n
        g_loss = -sum(math.log(f) for f in fake) / n
        saturating = sum(math.log(1 - f) for f in fake) / n
        value = d_loss if which == "discriminator" else g_loss
        mistakes = (d_loss / 2, g_loss if which == "discriminator" else d_loss, saturating)
        if apart(value, mistakes, TOL):
            break
    wanted = ("the discriminator's loss: binary cross-entropy on the real images (label 1) plus binary "
              "cross-entropy on the generated ones (label 0), each averaged over its batch"
              if which == "discriminator" else
              "the generator's non-saturating loss, $-\\frac1n \\sum_i \\log D(G(z_i))$")
    text = (f"A discriminator outputs $D(x) = {matrix(real)}$ on a batch of real images and $D(G(z)) = {matrix(fake)}$ "
            f"on a batch of generated ones. What is {wanted} (natural logarithm)?")
    logs = {"real": " + ".join(f"\\ln {r:g}" for r in real), "fake": " + ".join(f"\\ln {f:g}" for f in fake),
            "one_minus": " + ".join(f"\\ln {1 - f:g}" for f in fake)}
    if which == "discriminator":
        on_real, on_fake = -sum(math.log(r) for r in real) / n, -sum(math.log(1 - f) for f in fake) / n
        worked = (f"$L_D = -\\frac1n \\sum_i \\ln D(x_i) - \\frac1n \\sum_i \\ln(1 - D(G(z_i)))$ with $n = {n}$.\n\n"
                  f"Real images (label 1): $-({logs['real']})/{n} = {on_real:.4f}$.\n\n"
                  f"Generated images (label 0): $-({logs['one_minus']})/{n} = {on_fake:.4f}$.\n\n"
                  f"$L_D = {on_real:.4f} + {on_fake:.4f} = {value:.3f}$")
    else:
        worked = ("The non-saturating generator loss is binary cross-entropy on the generated images with label 1: "
                  "$L_G = -\\frac1n \\sum_i \\ln D(G(z_i))$, not the saturating $\\frac1n \\sum_i \\ln(1 - D(G(z_i)))$."
                  f"\n\n$L_G = -({logs['fake']})/{n} = {value:.3f}$")
    return Variant(text, Number(value, TOL, 3, mistakes), {"real": real.tolist(), "fake": fake.tolist(), "which": which},
                   {"batch": n}, worked=worked)


def execute(params):
    real, fake = (torch.tensor(params[k], dtype=torch.float64) for k in ("real", "fake"))
    bce = torch.nn.functional.binary_cross_entropy
    if params["which"] == "discriminator":
        return (bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))).item()
    return bce(fake, torch.ones_like(fake)).item()
