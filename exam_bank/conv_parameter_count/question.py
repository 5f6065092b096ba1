"""Parameter count of a convolution layer."""

import torch

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Parameters of a convolution", lecture="L06 convolutional networks", points=1, version=1,
            band={"kernel": (1, 7), "channels": (1, 256)})


def generate(rng):
    c_in = int(rng.choice([1, 3, 16, 32, 64]))
    c_out = int(rng.choice([8, 16, 32, 64, 128, 256]))
    kernel = int(rng.choice([1, 3, 5, 7]))
    bias = bool(rng.integers(2))
    count = c_out * c_in * kernel * kernel + (c_out if bias else 0)
    mistakes = (c_out * kernel * kernel + (c_out if bias else 0), c_out * c_in * kernel * kernel + (0 if bias else c_out))
    text = (f"How many trainable parameters does `torch.nn.Conv2d({c_in}, {c_out}, kernel_size={kernel}, "
            f"bias={bias})` have?")
    weights = c_out * c_in * kernel * kernel
    worked = (f"Each of the {c_out} filters has a ${kernel} \\times {kernel}$ kernel over all {c_in} input channels: "
              f"$C_{{out}} \\cdot C_{{in}} \\cdot k^2 = {c_out} \\cdot {c_in} \\cdot {kernel}^2 = {weights}$ "
              "weights.\n\n"
              + (f"`bias=True` adds one bias per filter: ${weights} + {c_out} = {count}$."
                 if bias else f"`bias=False` adds no biases: {count} parameters."))
    return Variant(text, Integer(count, tuple(m for m in mistakes if m != count)),
                   {"c_in": c_in, "c_out": c_out, "kernel": kernel, "bias": bias},
                   {"kernel": kernel, "channels": max(c_in, c_out)}, worked=worked)


def execute(params):
    layer = torch.nn.Conv2d(params["c_in"], params["c_out"], params["kernel"], bias=params["bias"])
    return sum(p.numel() for p in layer.parameters())
