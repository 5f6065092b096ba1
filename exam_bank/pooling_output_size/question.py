"""Pooling output shape, and how pooling changes the number of activations."""

import torch

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Pooling output size", lecture="L06 convolutional networks", points=1, version=1,
            band={"input": (7, 112), "kernel": (2, 3)})


def generate(rng):
    while True:
        size = int(rng.choice([7, 14, 15, 28, 31, 56, 112]))
        kernel = int(rng.choice([2, 3]))
        stride = int(rng.choice([1, 2, kernel]))
        padding = int(rng.integers(0, kernel // 2 + 1))
        channels = int(rng.choice([16, 32, 64]))
        side = (size + 2 * padding - kernel) // stride + 1
        ask = str(rng.choice(["side", "activations"]))
        value = side if ask == "side" else channels * side * side
        wrong_side = -(-(size + 2 * padding - kernel) // stride) + 1
        mistakes = (wrong_side, size // kernel) if ask == "side" else (channels * wrong_side ** 2, side * side)
        if value not in mistakes or ask == "activations":
            break
    wanted = "the height of its output" if ask == "side" else "the number of values in its output for one image"
    text = (f"`torch.nn.MaxPool2d(kernel_size={kernel}, stride={stride}, padding={padding})` is applied to "
            f"feature maps of shape ${channels} \\times {size} \\times {size}$. What is {wanted}?")
    return Variant(text, Integer(value, tuple(m for m in mistakes if m != value)),
                   {"size": size, "kernel": kernel, "stride": stride, "padding": padding, "channels": channels,
                    "ask": ask}, {"input": size, "kernel": kernel})


def execute(params):
    pool = torch.nn.MaxPool2d(params["kernel"], params["stride"], params["padding"])
    out = pool(torch.zeros(1, params["channels"], params["size"], params["size"], device="meta"))  # shapes only
    return out.shape[2] if params["ask"] == "side" else out[0].numel()
