"""Hidden checks of 04's section 3: build_model, count_trainable and make_optimizer.

Requirement rows guarded (assignments/04_transfer_resnet/requirements.toml): model-resnet18,
model-head-num-classes, model-weights-loaded, model-weights-optional, model-freeze-backbone,
model-head-trainable, model-unfrozen-trains-all; count-trainable; optimizer-adam, optimizer-trainable-only,
optimizer-lr.

Models are judged by parameter reports (shapes, requires_grad, sums), never by shipping 11 million
weights.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
import torchvision
from dlmed.mednist import CLASSES
from dlmed.wire import Result

from .. import Check, CheckFailed, call, fixture
from ..expect import as_number, expect_scalar, tolerant

RESNET18_PARAMS, RESNET18_FC = 11_689_512, 513_000


@functools.lru_cache(maxsize=1)
def _resnet18_shapes() -> dict:
    """Parameter name -> shape of torchvision's resnet18 (with its ImageNet head)."""
    with torch.device("meta"):
        model = torchvision.models.resnet18(weights=None)
    return {name: list(parameter.shape) for name, parameter in model.named_parameters()}


def trainable_count(num_classes: int, freeze_backbone: bool) -> int:
    head = 512 * num_classes + num_classes
    return head if freeze_backbone else RESNET18_PARAMS - RESNET18_FC + head


class BuildModel(Check):
    """build_model: resnet18 with a new fc of num_classes outputs, the backbone (and only it) frozen when asked,
    and the backbone's weights loaded from weights_path when given, frozen or not."""

    name = "build_model"

    def plan(self, rng):
        classes = int(rng.integers(2, 7))
        seed = int(rng.integers(1000))
        return [
            fixture("seed", seed),
            call(self.name, classes, True), fixture("param_report", Result(1)),
            call(self.name, classes + 1, False), fixture("param_report", Result(3)),
            fixture("resnet_weights_file", seed),
            call(self.name, classes, True, weights_path=Result(5)), fixture("param_report", Result(6)),
            fixture("reference_resnet", 1000, False, seed), fixture("param_report", Result(8)),
            call(self.name, classes + 1, False, weights_path=Result(5)), fixture("param_report", Result(10)),
        ]

    def judge(self, calls, outcomes):
        backbone = {name: shape for name, shape in _resnet18_shapes().items() if not name.startswith("fc.")}
        saved = tolerant(outcomes[9], calls[8])
        for index in (1, 3, 6, 10):
            c = calls[index]
            tolerant(outcomes[index], c)
            report = tolerant(outcomes[index + 1], c)
            num_classes, freeze = c.args
            if not isinstance(report, dict) or {name: entry[0] for name, entry in report.items()
                                                if not name.startswith("fc.")} != backbone:
                raise CheckFailed(f"{c.describe()}: the model is not a ResNet-18 (its layers' names or shapes differ); "
                                  "build it with torchvision's models.resnet18(weights=None)")
            fc = report.get("fc.weight")
            if fc is not None and fc[0] == [len(CLASSES), 512] != [num_classes, 512]:
                raise CheckFailed(f"{c.describe()}: the new head has len(CLASSES) = {len(CLASSES)} outputs; build it "
                                  f"with the num_classes argument: nn.Linear(512, num_classes), here {num_classes}")
            if fc is None or fc[0] != [num_classes, 512]:
                raise CheckFailed(f"{c.describe()}: replace model.fc with nn.Linear(512, {num_classes}); found fc.weight of shape {fc and fc[0]}")
            trainable = {name for name, (_, grad, _) in report.items() if grad}
            count = sum(int(np.prod(shape)) for name, (shape, grad, _) in report.items() if grad)
            if freeze and trainable == set(report):
                raise CheckFailed(f"{c.describe()}: nothing is frozen. model.requires_grad = False only sets a Python attribute; "
                                  "set requires_grad = False on every parameter (for p in model.parameters())")
            if freeze and not trainable:
                raise CheckFailed(f"{c.describe()}: the new head is frozen too; freeze the backbone first, then replace fc")
            if freeze and trainable != {"fc.weight", "fc.bias"}:
                raise CheckFailed(f"{c.describe()}: with a frozen backbone only fc.weight and fc.bias train; trainable: {sorted(trainable)[:4]}")
            if not freeze and trainable != set(report):
                raise CheckFailed(f"{c.describe()}: with freeze_backbone=False every parameter trains, but "
                                  f"{len(report) - len(trainable)} of {len(report)} tensors have requires_grad=False; "
                                  "freeze only when freeze_backbone is true")
            if count != trainable_count(num_classes, freeze):
                raise CheckFailed(f"{c.describe()}: {count:,} trainable parameters, expected {trainable_count(num_classes, freeze):,}")
            if "weights_path" in c.kwargs and not all(
                    np.isclose(report[name][2], saved[name][2], rtol=1e-6, atol=1e-6) for name in backbone):
                raise CheckFailed(f"{c.describe()}: the backbone does not hold the weights from weights_path; load them "
                                  "with model.load_state_dict(torch.load(weights_path)) before replacing fc")


class CountTrainable(Check):
    """count_trainable: the number of parameters with requires_grad, on a frozen and an unfrozen ResNet."""

    name = "count_trainable"

    def plan(self, rng):
        classes = int(rng.integers(2, 9))
        return [fixture("reference_resnet", classes, True, 0), call(self.name, Result(0)),
                fixture("reference_resnet", classes, False, 0), call(self.name, Result(2))]

    def judge(self, calls, outcomes):
        for index in (1, 3):
            num_classes, freeze = calls[index - 1].args[:2]
            expect_scalar(tolerant(outcomes[index], calls[index]), trainable_count(num_classes, freeze), calls[index],
                          what="count", known=[
                (RESNET18_PARAMS - RESNET18_FC + 512 * num_classes + num_classes, "you counted every parameter; count only those with requires_grad"),
            ])




class MakeOptimizer(Check):
    """make_optimizer: Adam at the given learning rate (1e-3 by default) over exactly the parameters with
    requires_grad, on a ResNet where some backbone layers train, so neither all parameters nor fc alone fit."""

    name = "make_optimizer"
    # Besides the head, a block of the backbone trains: an optimizer over model.fc alone (which
    # passes on a frozen backbone) leaves it out, one over every parameter takes in the frozen rest.
    partly = ("layer4.", "layer4.1.", "layer3.1.", "layer2.")

    def plan(self, rng):
        lr = float(rng.choice([3e-4, 2e-3, 1e-2]))  # never the default: an ignored lr shows on every draw
        trainable = [str(rng.choice(self.partly)), "fc."]
        return [fixture("partly_frozen_resnet", 3, trainable, 0),
                call(self.name, Result(0), lr=lr), fixture("optimizer_report", Result(1), Result(0)),
                call(self.name, Result(0)), fixture("optimizer_report", Result(3), Result(0))]

    def judge(self, calls, outcomes):
        prefixes = tuple(calls[0].args[1])
        expected = sorted(name for name in _resnet18_shapes() if name.startswith(prefixes))
        for index, lr in ((1, calls[1].kwargs["lr"]), (3, 1e-3)):
            c = calls[index]
            tolerant(outcomes[index], c)
            report = tolerant(outcomes[index + 1], c)
            if report["type"] != "Adam":
                raise CheckFailed(f"{c.describe()} made a {report['type']}; use torch.optim.Adam")
            rates = [as_number(rate, c, "learning rate") for rate in report["lr"]]
            if not rates or any(not np.isclose(rate, lr, rtol=1e-9, atol=0) for rate in rates):
                default = "" if index == 1 else " (the default, lr=1e-3)"
                raise CheckFailed(f"{c.describe()}: the optimizer's learning rate is {rates}, expected {lr}{default}; "
                                  "pass lr on to torch.optim.Adam")
            held = report["params"]
            if len(set(held)) != len(held):
                raise CheckFailed(f"{c.describe()}: the optimizer holds some tensors twice; "
                                  "give each trainable parameter once")
            if sorted(held) == expected:
                continue
            if sorted(held) == ["fc.bias", "fc.weight"]:
                raise CheckFailed(f"{c.describe()}: the optimizer holds only model.fc's parameters, but here "
                                  f"{prefixes[0]}* trains too; in the unfrozen run the backbone would never be stepped. "
                                  "Give Adam every parameter with requires_grad "
                                  "(p for p in model.parameters() if p.requires_grad)")
            if sorted(held) == sorted(_resnet18_shapes()):
                raise CheckFailed(f"{c.describe()}: the optimizer holds all {len(held)} tensors, frozen ones included; "
                                  "give it only the trainable ones (p for p in model.parameters() if p.requires_grad)")
            raise CheckFailed(f"{c.describe()}: the optimizer holds {len(held)} tensors, expected the {len(expected)} with "
                              "requires_grad (p for p in model.parameters() if p.requires_grad)")
