"""Skip connections: parameters of a ResNet basic block, with a projection when shapes change."""

import torch
from torchvision.models.resnet import BasicBlock

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Parameters of a residual block", lecture="L07 skip connections and ResNets", points=2,
            version=1, band={"channels": (16, 512)})


def generate(rng):
    c_in = int(rng.choice([16, 32, 64, 128, 256]))
    c_out = int(rng.choice([c_in, 2 * c_in]))
    stride = 1 if c_out == c_in else 2
    convs = 9 * c_in * c_out + 9 * c_out * c_out
    norms = 2 * 2 * c_out
    projection = c_in * c_out + 2 * c_out if c_out != c_in else 0
    count = convs + norms + projection
    mistakes = (convs + norms, 9 * c_out * c_out * 2 + norms + projection, convs + projection)
    shortcut = ("the shortcut is a 1x1 convolution (no bias) with batch normalization, because the shape changes"
                if projection else "the shortcut is the identity")
    text = (f"A ResNet basic block (torchvision's `BasicBlock`) maps {c_in} channels to {c_out} with stride {stride}: "
            f"two 3x3 convolutions without bias, each followed by batch normalization; {shortcut}. How many trainable "
            "parameters does the block have?")
    steps = [f"Convolutions (3x3, no bias): $9 \\cdot {c_in} \\cdot {c_out} + 9 \\cdot {c_out} \\cdot {c_out} = "
             f"{9 * c_in * c_out} + {9 * c_out * c_out} = {convs}$.",
             "Two batch normalizations, each with a scale and a shift per channel: "
             f"$2 \\cdot 2 \\cdot {c_out} = {norms}$ (the running mean and variance are buffers, not trainable)."]
    if projection:
        steps.append(f"Projection shortcut: 1x1 convolution ${c_in} \\cdot {c_out} = {c_in * c_out}$ plus its batch "
                     f"normalization $2 \\cdot {c_out} = {2 * c_out}$, together {projection}.")
        steps.append(f"Total: ${convs} + {norms} + {projection} = {count}$.")
    else:
        steps.append(f"The identity shortcut has no parameters. Total: ${convs} + {norms} = {count}$.")
    worked = "\n\n".join(steps)
    return Variant(text, Integer(count, tuple(m for m in mistakes if m != count)),
                   {"c_in": c_in, "c_out": c_out, "stride": stride}, {"channels": c_out}, worked=worked)


def execute(params):
    c_in, c_out, stride = params["c_in"], params["c_out"], params["stride"]
    with torch.device("meta"):  # parameters with shapes but no values: counting needs no initialization
        downsample = None
        if c_in != c_out:
            downsample = torch.nn.Sequential(torch.nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                             torch.nn.BatchNorm2d(c_out))
        block = BasicBlock(c_in, c_out, stride, downsample)
    return sum(p.numel() for p in block.parameters() if p.requires_grad)
