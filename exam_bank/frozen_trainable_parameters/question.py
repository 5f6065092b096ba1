"""Transfer learning: trainable parameters once the backbone is frozen and the head replaced."""

import torch

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="Trainable parameters after freezing", lecture="L07 transfer learning", points=2, version=1,
            band={"layers": (3, 3)})


def generate(rng):
    sizes = [int(v) for v in rng.choice([32, 64, 128, 256, 512], size=3)]
    classes = int(rng.integers(2, 11))
    frozen = int(rng.integers(1, 3))  # the first `frozen` layers of the backbone
    layers = [(sizes[0], sizes[1]), (sizes[1], sizes[2])]
    trainable = sum(a * b + b for a, b in layers[frozen:]) + sizes[2] * classes + classes
    total = sum(a * b + b for a, b in layers) + sizes[2] * classes + classes
    mistakes = (total, sizes[2] * classes, trainable - classes)
    freeze = "the first linear layer" if frozen == 1 else "both linear layers"
    text = (f"A backbone `nn.Sequential(nn.Linear({sizes[0]}, {sizes[1]}), nn.ReLU(), nn.Linear({sizes[1]}, "
            f"{sizes[2]}), nn.ReLU())` is pretrained. You set `requires_grad = False` on the parameters of {freeze} "
            f"and add a new head `nn.Linear({sizes[2]}, {classes})`. How many parameters will the optimizer update?")
    c, k = sizes[2], classes
    steps = ["`nn.Linear(m, n)` has $m \\cdot n$ weights and $n$ biases; the ReLUs have none, and the optimizer "
             "updates only the parameters that still require gradients."]
    if frozen == 1:
        middle = sizes[1] * c + c
        steps += [f"Trainable: the second backbone layer, ${sizes[1]} \\cdot {c} + {c} = {middle}$, and the new head, "
                  f"${c} \\cdot {k} + {k} = {c * k + k}$.",
                  f"Together ${middle} + {c * k + k} = {trainable}$ (of {total} parameters in the model)."]
    else:
        steps.append(f"Trainable: only the new head, ${c} \\cdot {k} + {k} = {trainable}$ "
                     f"(of {total} parameters in the model).")
    return Variant(text, Integer(trainable, tuple(m for m in mistakes if m != trainable)),
                   {"sizes": sizes, "classes": classes, "frozen": frozen}, {"layers": 3}, worked="\n\n".join(steps))


def execute(params):
    a, b, c = params["sizes"]
    backbone = torch.nn.Sequential(torch.nn.Linear(a, b), torch.nn.ReLU(), torch.nn.Linear(b, c), torch.nn.ReLU())
    for layer in [m for m in backbone if isinstance(m, torch.nn.Linear)][: params["frozen"]]:
        for p in layer.parameters():
            p.requires_grad = False
    model = torch.nn.Sequential(backbone, torch.nn.Linear(c, params["classes"]))
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
