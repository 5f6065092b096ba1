"""Convolution output shape from kernel, stride, padding and dilation."""

import torch

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Convolution output size", lecture="L06 convolutional networks", points=1, version=1,
            band={"input": (28, 224), "kernel": (1, 7)})


def generate(rng):
    while True:
        size = int(rng.choice([28, 32, 64, 96, 128, 224]))
        kernel = int(rng.choice([1, 3, 5, 7]))
        stride = int(rng.choice([1, 2, 3]))
        padding = int(rng.integers(0, kernel // 2 + 2))
        dilation = int(rng.choice([1, 1, 2]))
        span = dilation * (kernel - 1) + 1
        out = (size + 2 * padding - span) // stride + 1
        mistakes = ((size + 2 * padding - kernel) // stride + 1, (size + padding - span) // stride + 1,
                    -(-(size + 2 * padding - span) // stride) + 1)
        if len({out, *mistakes}) > 1:
            break
    text = (f"`torch.nn.Conv2d(3, 16, kernel_size={kernel}, stride={stride}, padding={padding}, dilation={dilation})` "
            f"is applied to a batch of $3 \\times {size} \\times {size}$ images. What is the height of its output?")
    worked = (f"The dilated kernel spans $d\\,(k - 1) + 1 = {dilation} \\cdot {kernel - 1} + 1 = {span}$ input rows, "
              f"and the padding adds {padding} row{'' if padding == 1 else 's'} on each side.\n\n"
              "$H_{out} = \\lfloor (H + 2p - d\\,(k - 1) - 1) / s \\rfloor + 1"
              f" = \\lfloor ({size} + 2 \\cdot {padding} - {span}) / {stride} \\rfloor + 1$\n\n"
              f"$= \\lfloor {size + 2 * padding - span} / {stride} \\rfloor + 1 = "
              f"{(size + 2 * padding - span) // stride} + 1 = {out}$ (rounded down: a window must fit entirely).")
    return Variant(text, Integer(out, tuple(m for m in mistakes if m != out)),
                   {"size": size, "kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation},
                   {"input": size, "kernel": kernel}, worked=worked)


def execute(params):
    # on the meta device torch works out shapes without computing a single value
    with torch.device("meta"):
        conv = torch.nn.Conv2d(3, 16, params["kernel"], params["stride"], params["padding"], params["dilation"])
        return conv(torch.zeros(1, 3, params["size"], params["size"])).shape[2]
