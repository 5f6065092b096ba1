"""Activation functions and their derivatives at a point."""

import math

import torch

from autograder.checks.exam.question import Meta, Number, Variant, apart

META = Meta(title="Derivative of an activation", lecture="L02 activation functions", points=2, version=1,
            band={"abs_z": (0.5, 2.5)})
TOL = 0.005


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


# name -> (value, derivative from the closed form, a wrong derivative students write)
FUNCTIONS = {
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z)), lambda z: _sigmoid(z)),
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2, lambda z: 1 - math.tanh(z)),
    "softplus": (lambda z: math.log1p(math.exp(z)), _sigmoid, lambda z: math.log1p(math.exp(z))),
    "elu": (lambda z: z if z > 0 else math.exp(z) - 1, lambda z: 1.0 if z > 0 else math.exp(z),
            lambda z: 1.0 if z > 0 else math.exp(z) - 1),
}


def generate(rng):
    while True:
        name = str(rng.choice(sorted(FUNCTIONS)))
        z = float(rng.choice([-2.5, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 2.5]))
        f, df, wrong = FUNCTIONS[name]
        value = df(z)
        mistakes = (f(z), wrong(z))
        if apart(value, mistakes, TOL):
            break
    text = f"What is the derivative of the {name} activation, $s'(z)$, at $z = {z:g}$?"
    return Variant(text, Number(value, TOL, 3, mistakes), {"name": name, "z": z}, {"abs_z": abs(z)},
                   worked=_worked(name, z, value))


def _worked(name, z, value):
    s = _sigmoid(z)
    if name == "sigmoid":
        steps = ["$s(z) = \\sigma(z) = 1 / (1 + e^{-z})$, so $s'(z) = \\sigma(z)\\,(1 - \\sigma(z))$ "
                 "(not $\\sigma(z)$ itself).",
                 f"$\\sigma({z:g}) = 1 / (1 + e^{{{-z:g}}}) = {s:.4f}$.",
                 f"$s'({z:g}) = {s:.4f} \\cdot (1 - {s:.4f}) = {value:.3f}$."]
    elif name == "tanh":
        steps = ["$s(z) = \\tanh z$, so $s'(z) = 1 - \\tanh^2 z$ (the tanh is squared).",
                 f"$\\tanh({z:g}) = {math.tanh(z):.4f}$.",
                 f"$s'({z:g}) = 1 - ({math.tanh(z):.4f})^2 = {value:.3f}$."]
    elif name == "softplus":
        steps = ["$s(z) = \\ln(1 + e^z)$, so $s'(z) = e^z / (1 + e^z) = \\sigma(z)$, the sigmoid.",
                 f"$s'({z:g}) = 1 / (1 + e^{{{-z:g}}}) = {value:.3f}$."]
    elif z > 0:
        steps = ["ELU ($\\alpha = 1$): $s(z) = z$ for $z > 0$ and $e^z - 1$ otherwise, so $s'(z) = 1$ for $z > 0$.",
                 f"At $z = {z:g} > 0$: $s'({z:g}) = {value:.3f}$."]
    else:
        steps = ["ELU ($\\alpha = 1$): $s(z) = z$ for $z > 0$ and $e^z - 1$ otherwise, so $s'(z) = e^z$ "
                 "for $z \\le 0$ (the $-1$ drops out).",
                 f"At $z = {z:g}$: $s'({z:g}) = e^{{{z:g}}} = {value:.3f}$."]
    return "\n\n".join(steps)


def execute(params):
    z = torch.tensor(params["z"], dtype=torch.float64, requires_grad=True)
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "softplus": torch.nn.functional.softplus,
         "elu": torch.nn.functional.elu}[params["name"]]
    f(z).backward()
    return z.grad.item()
