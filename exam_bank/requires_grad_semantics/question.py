"""What requires_grad = False does, and does not do, to a frozen backbone in training mode."""

import functools

import torch

from autograder.checks.exam.question import Meta, Variant, choice

META = Meta(title="What freezing does not freeze", lecture="L07 transfer learning", points=2, version=1,
            band={"options": (4, 4)})
# Each situation: (question, the statement its execution shows to be true, false statements)
SITUATIONS = {
    "batchnorm": (
        "Every parameter of a pretrained CNN backbone with batch normalization gets `requires_grad = False`; "
        "a new head is trained with the model in `model.train()` mode. Which statement is true?",
        "the batch-norm running means and variances of the backbone still change",
        ["nothing in the backbone changes during training", "the backbone's convolution weights still change",
         "the optimizer raises an error because some parameters do not require gradients"],
    ),
    "weight_decay": (
        "A frozen layer (`requires_grad = False`) is still passed to `torch.optim.SGD(..., weight_decay=0.1)`. "
        "After `loss.backward(); optimizer.step()`, which statement is true?",
        "the frozen layer's weights are unchanged, because they have no gradient",
        ["weight decay shrinks the frozen weights anyway", "the frozen weights get a gradient of zero and move",
         "`optimizer.step()` raises an error"],
    ),
    "gradient_flow": (
        "The first layer of a two-layer network is frozen with `requires_grad = False`; the second is trainable. "
        "After `loss.backward()`, which statement is true?",
        "the second layer's weights have a gradient and the first layer's `.grad` is None",
        ["neither layer gets a gradient, because backpropagation stops at the frozen layer",
         "both layers get gradients, but only the second is updated",
         "the first layer's `.grad` is a tensor of zeros"],
    ),
}
# Each situation: why the true statement holds and what the tempting false one gets wrong (worked answers)
WORKED = {
    "batchnorm": (
        "`requires_grad = False` only stops gradients, and so optimizer updates, of *parameters*: the frozen "
        "convolution weights have no gradient and do not move.\n\n"
        "The batch-norm running mean and variance are *buffers*, not parameters: in `train()` mode every forward "
        "pass updates them from the batch (a moving average), with no gradient involved.\n\n"
        "So \"nothing in the backbone changes\" is wrong: the statistics drift towards the new data unless the "
        "backbone is put in `eval()` mode."
    ),
    "weight_decay": (
        "A parameter with `requires_grad = False` gets no gradient: after `loss.backward()` its `.grad` is None.\n\n"
        "`SGD.step()` skips every parameter whose `.grad` is None, and it applies weight decay by adding "
        "$\\lambda w$ to that gradient, so the decay is skipped with it: the frozen weights stay exactly as they "
        "were.\n\n"
        "\"Weight decay shrinks the frozen weights anyway\" would need a decay step separate from the gradient; "
        "SGD has none (and it raises no error for frozen parameters)."
    ),
    "gradient_flow": (
        "The trainable second layer's weight gradient needs only the loss's gradient at its output and its own "
        "input (the first layer's output), so backpropagation reaches it and fills its `.grad`.\n\n"
        "The first layer's weights do not require gradients: autograd computes nothing for them and their "
        "`.grad` stays None, not a tensor of zeros.\n\n"
        "\"Backpropagation stops at the frozen layer\" is wrong for the layer after it: the second layer's "
        "gradient never has to pass through the first one."
    ),
}


def generate(rng):
    situation = str(rng.choice(sorted(SITUATIONS)))
    question, true, false = SITUATIONS[situation]
    return Variant(question, choice(rng, true, false), {"situation": situation}, {"options": 4},
                   worked=WORKED[situation])


def execute(params):
    return _observed(params["situation"])


@functools.lru_cache(maxsize=None)  # the experiment does not depend on the order of the options
def _observed(situation: str) -> str:
    """Runs the situation and returns the statement that held."""
    torch.manual_seed(0)
    question, true, false = SITUATIONS[situation]
    if situation == "batchnorm":
        backbone = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                       torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
        for p in backbone.parameters():
            p.requires_grad = False
        head = torch.nn.Linear(4, 2)
        model = torch.nn.Sequential(backbone, head).train()
        before_stats, before_weight = backbone[1].running_mean.clone(), backbone[0].weight.clone()
        optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
        torch.nn.functional.cross_entropy(model(torch.randn(8, 3, 8, 8) + 1), torch.zeros(8, dtype=torch.long)).backward()
        optimizer.step()
        stats_moved = not torch.equal(before_stats, backbone[1].running_mean)
        weights_moved = not torch.equal(before_weight, backbone[0].weight)
        return true if stats_moved and not weights_moved else false[1]
    if situation == "weight_decay":
        frozen, head = torch.nn.Linear(3, 3), torch.nn.Linear(3, 1)
        frozen.weight.requires_grad = False
        frozen.bias.requires_grad = False
        before = frozen.weight.clone()
        optimizer = torch.optim.SGD([*frozen.parameters(), *head.parameters()], lr=0.1, weight_decay=0.1)
        head(frozen(torch.randn(4, 3))).sum().backward()
        optimizer.step()
        return true if torch.equal(before, frozen.weight) else false[0]
    first, second = torch.nn.Linear(3, 3), torch.nn.Linear(3, 1)
    for p in first.parameters():
        p.requires_grad = False
    second(first(torch.randn(4, 3))).sum().backward()
    return true if first.weight.grad is None and second.weight.grad is not None else false[2]
