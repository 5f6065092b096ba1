"""Autoencoders: parameters of a dense autoencoder with a bottleneck."""

import torch

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Parameters of an autoencoder", lecture="L10 autoencoders", points=1, version=1,
            band={"input": (64, 784)})


def generate(rng):
    d = int(rng.choice([64, 256, 784]))
    h = int(rng.choice([32, 64, 128]))
    z = int(rng.choice([2, 8, 16]))
    part = str(rng.choice(["whole", "encoder"]))
    encoder = d * h + h + h * z + z
    decoder = z * h + h + h * d + d
    value = encoder + decoder if part == "whole" else encoder
    mistakes = (2 * encoder, d * h + h * z + z * h + h * d, encoder if part == "whole" else encoder + decoder)
    wanted = "the whole autoencoder" if part == "whole" else "the encoder alone"
    text = (f"A dense autoencoder maps {d} inputs to {h} hidden units to a {z}-dimensional code, and the decoder "
            f"mirrors it ({z} -> {h} -> {d}); every layer is an `nn.Linear` with bias. How many parameters does "
            f"{wanted} have?")
    return Variant(text, Integer(value, tuple(m for m in mistakes if m != value)),
                   {"d": d, "h": h, "z": z, "part": part}, {"input": d})


def execute(params):
    d, h, z = params["d"], params["h"], params["z"]
    encoder = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Linear(h, z))
    decoder = torch.nn.Sequential(torch.nn.Linear(z, h), torch.nn.ReLU(), torch.nn.Linear(h, d))
    parts = [encoder] if params["part"] == "encoder" else [encoder, decoder]
    return sum(p.numel() for part in parts for p in part.parameters())
