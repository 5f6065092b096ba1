"""Activation functions and their derivatives at a point."""

import math

import torch

from autograder.exam.question import Meta, Number, Variant, apart

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
    return Variant(text, Number(value, TOL, 3, mistakes), {"name": name, "z": z}, {"abs_z": abs(z)})


def execute(params):
    z = torch.tensor(params["z"], dtype=torch.float64, requires_grad=True)
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "softplus": torch.nn.functional.softplus,
         "elu": torch.nn.functional.elu}[params["name"]]
    f(z).backward()
    return z.grad.item()
