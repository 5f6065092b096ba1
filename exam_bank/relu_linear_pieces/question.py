"""Neural networks as function approximators: a one-hidden-layer ReLU network is piecewise linear."""

import numpy as np
import torch

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Linear pieces of a ReLU network", lecture="L01 neural networks as function approximation",
            points=1, version=1, band={"hidden": (3, 12)})


def generate(rng):
    hidden = int(rng.integers(3, 13))
    pieces = hidden + 1  # each unit adds one kink, where its pre-activation crosses zero
    kinks = sorted(float(v) for v in rng.choice(np.arange(-9, 10), size=hidden, replace=False) / 2)
    text = (f"A network with one scalar input, one hidden layer of {hidden} ReLU units and a linear output has "
            f"its units' kinks at distinct inputs (here $x = {', '.join(f'{k:g}' for k in kinks)}$) and no output "
            "weight equal to zero. Into how many linear pieces do the kinks cut the function on the real line?")
    worked = (f"Each ReLU unit $\\max(0, w x + b)$ bends the function once, where $w x + b = 0$: {hidden} units give "
              f"{hidden} distinct kinks, and with no output weight zero each is a real change of slope.\n\n"
              f"The {hidden} kinks cut the real line into {hidden} + 1 intervals (the outer two unbounded), and the "
              f"function is linear on each: ${hidden} + 1 = {pieces}$ pieces.\n\n"
              f"Counting the kinks ({hidden}) instead of the pieces between and beyond them is the usual slip.")
    return Variant(text, Integer(pieces, (hidden, 2 * hidden, 2 ** hidden)), {"kinks": kinks}, {"hidden": hidden},
                   worked=worked)


def execute(params):
    """Builds such a network and counts its linear pieces from its slopes on a fine grid."""
    kinks = torch.tensor(params["kinks"], dtype=torch.float64)
    generator = torch.Generator().manual_seed(0)
    w = torch.rand(len(kinks), generator=generator, dtype=torch.float64) + 0.5
    v = (torch.rand(len(kinks), generator=generator, dtype=torch.float64) + 0.5) * torch.where(
        torch.arange(len(kinks)) % 2 == 0, 1.0, -1.0).double()
    x = torch.linspace(-10.005, 10.005, 2002, dtype=torch.float64)  # steps of 0.01; no kink on a grid point
    y = torch.relu(w * (x[:, None] - kinks)) @ v
    slopes = torch.diff(y) / torch.diff(x)
    changes = torch.abs(torch.diff(slopes)) > 1e-6
    # a kink between grid points shows as two adjacent slope changes: count runs, not points
    runs = int(changes[0]) + int(torch.sum(changes[1:] & ~changes[:-1]))
    return runs + 1
