"""Hidden checks of 04_transfer_resnet.

Transforms and datasets are judged on a tiny MedNIST of flat grey images whose level names the
file, so labels and splits can be traced without reading the student's code. Models are judged
by parameter reports (shapes, requires_grad, sums), never by shipping 11 million weights; the
training step by replaying it on the same seeded ResNet and comparing fingerprints.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from dlmed.fixtures import tiny_level
from dlmed.mednist import CLASSES
from dlmed.wire import Result
from torch import nn

from . import Check, CheckFailed, Slips, call, fixture, replay
from .expect import as_array, as_number, expect_array, expect_honest_evaluation, expect_scalar, tolerant

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
RESNET18_PARAMS, RESNET18_FC = 11_689_512, 513_000
# Passes of the training transform over one image, of which two must differ. A random flip alone
# (p=0.5) repeats itself on every pass with probability 2^(1-n): one correct solution in eight
# lost the points at four passes, one in 32768 at sixteen.
TRAIN_PASSES = 16




def trainable_count(num_classes: int, freeze_backbone: bool) -> int:
    head = 512 * num_classes + num_classes
    return head if freeze_backbone else RESNET18_PARAMS - RESNET18_FC + head


# --- reference code ---------------------------------------------------------------------------
def eval_transform(image, image_size):
    pipeline = torchvision.transforms.Compose([
        torchvision.transforms.Grayscale(num_output_channels=3),
        torchvision.transforms.Resize((image_size, image_size)),
        torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    return pipeline(image)


def set_train_mode(model, freeze_backbone):
    model.train()
    if freeze_backbone:
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eval()


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False, *, keep_bn=True, per_sample=True):
    if keep_bn:
        set_train_mode(model, freeze_backbone)
    else:
        model.train()
    total, count, means = 0.0, 0, []
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(images)
        count += len(images)
        means.append(loss.item())
    return total / count if per_sample else float(np.mean(means))


def evaluate(model, loader, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images.to(device))
            total += F.cross_entropy(logits, labels.to(device), reduction="sum").item()
            correct += (logits.argmax(1) == labels.to(device)).sum().item()
            count += len(images)
    return {"loss": total / count, "accuracy": correct / count}


# --- transforms and data -----------------------------------------------------------------------
class BuildTransforms(Check):
    name = "build_transforms"

    def plan(self, rng):
        # Smooth, so every resizing method agrees, and lopsided, so flips and crops show.
        yy, xx = np.mgrid[0:40, 0:40]
        pixels = 30 + 150 * xx / 40 + 40 * np.sin(yy / 6 + rng.uniform(0, 6))
        size = int(rng.choice([24, 32]))
        return [
            fixture("pil_image", pixels),
            call(self.name, False, image_size=size),
            fixture("apply_transform", Result(1), Result(0), repeats=2),
            call(self.name, True, image_size=size),
            fixture("apply_transform", Result(3), Result(0), repeats=TRAIN_PASSES),
        ]

    def judge(self, calls, outcomes):
        c_eval, c_train = calls[1], calls[3]
        tolerant(outcomes[1], c_eval)
        tolerant(outcomes[3], c_train)
        size = c_eval.kwargs["image_size"]
        from PIL import Image

        image = Image.fromarray(calls[0].args[0].astype(np.uint8), mode="L")
        expected = eval_transform(image, size).numpy()
        first, second = tolerant(outcomes[2], c_eval)
        a, b = as_array(first, c_eval), as_array(second, c_eval)
        if a.shape != (3, size, size):
            raise CheckFailed(f"{c_eval.describe()}: images become shape {a.shape}; a ResNet wants (3, {size}, {size}): "
                              "grey to three channels (Grayscale(num_output_channels=3)) and Resize((size, size))")
        if first.dtype != "torch.float32":
            raise CheckFailed(f"{c_eval.describe()}: the tensor is {first.dtype}; ToTensor() gives float32")
        if not np.array_equal(a, b):
            raise CheckFailed(f"{c_eval.describe()}: the evaluation transform gave two different tensors for one image; "
                              "random augmentation belongs only in the training transform")
        unnormalized = (expected * np.array(IMAGENET_STD)[:, None, None]) + np.array(IMAGENET_MEAN)[:, None, None]
        expect_array(a, expected, c_eval, what="transformed image", rtol=0, atol=0.03, known=[
            (unnormalized, "the values are not normalised: add Normalize with ImageNet's mean and std"),
            ((unnormalized - 0.5) / 0.5, "normalised with 0.5 and 0.5; the pretrained weights expect ImageNet's mean and std"),
        ])
        outputs = [as_array(v, c_train) for v in tolerant(outcomes[4], c_train)]
        if any(o.shape != (3, size, size) for o in outputs):
            raise CheckFailed(f"{c_train.describe()}: the training transform must also give (3, {size}, {size})")
        if all(np.array_equal(outputs[0], o) for o in outputs[1:]):
            raise CheckFailed(f"{c_train.describe()}: {TRAIN_PASSES} passes over one image gave the same tensor; the training transform should augment (flips, small rotations)")


def _identify(level_ch0: float, n_per_class: int):
    """(class index, image index) of a tiny-MedNIST image from its normalised first channel."""
    grey = (level_ch0 * IMAGENET_STD[0] + IMAGENET_MEAN[0]) * 255
    candidates = [(abs(grey - tiny_level(k, i)), k, i) for k in range(len(CLASSES)) for i in range(n_per_class)]
    distance, k, i = min(candidates)
    return (k, i) if distance < 1.6 else None


class MakeDatasets(Check):
    name = "make_datasets"
    n_per_class, size = 5, 16

    def plan(self, rng):
        seed = int(rng.integers(1000))
        calls = [fixture("tiny_mednist", self.n_per_class, self.size)]
        for s in (seed, seed, seed + 1):
            made = len(calls)
            calls += [call(self.name, Result(0), seed=s, val_fraction=0.2, image_size=self.size),
                      fixture("dataset_summary", Result(made, 0)), fixture("dataset_summary", Result(made, 1))]
        return calls

    def judge(self, calls, outcomes):
        total = self.n_per_class * len(CLASSES)
        splits = []
        for made in (1, 4, 7):
            c = calls[made]
            value = tolerant(outcomes[made], c)
            if not isinstance(value, tuple) or len(value) != 2:
                raise CheckFailed(f"{c.describe()} must return (train_ds, val_ds)")
            train, val = tolerant(outcomes[made + 1], c), tolerant(outcomes[made + 2], c)
            if train["length"] + val["length"] != total or abs(val["length"] - 0.2 * total) > 1:
                raise CheckFailed(f"{c.describe()}: {train['length']} training and {val['length']} validation images; "
                                  f"expected all {total}, val_fraction=0.2 of them for validation")
            if any(shape != [3, self.size, self.size] for shape in train["shapes"] + val["shapes"]):
                raise CheckFailed(f"{c.describe()}: the datasets should yield tensors of shape (3, image_size, image_size)")
            found = [_identify(level, self.n_per_class) for level in val["levels"]]
            # An augmented image can land on a neighbour's grey level: a duplicate means the same.
            if None in found or len(set(found)) != len(found):
                raise CheckFailed(f"{c.describe()}: validation images do not match their files; "
                                  "the validation set must use the deterministic evaluation transform")
            for (k, _), label in zip(found, val["labels"]):
                if label != k:
                    raise CheckFailed(f"{c.describe()}: a {CLASSES[k]} image has label {label}, expected {k}; "
                                      f"class indices follow the folders' alphabetical order: {', '.join(CLASSES)}")
            per_class = np.bincount(train["labels"] + val["labels"], minlength=len(CLASSES))
            if not np.all(per_class == self.n_per_class):
                raise CheckFailed(f"{c.describe()}: every image must be in exactly one of the two datasets")
            splits.append(sorted(found))
        if splits[0] != splits[1]:
            raise CheckFailed(f"{calls[1].describe()} twice gave different validation sets; seed the split")
        if splits[0] == splits[2]:
            raise CheckFailed("make_datasets gave the same split for two different seeds; the seed must be used")


# --- models ------------------------------------------------------------------------------------
class BuildModel(Check):
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
        ]

    def judge(self, calls, outcomes):
        for index in (1, 3, 6):
            c = calls[index]
            tolerant(outcomes[index], c)
            report = tolerant(outcomes[index + 1], c)
            num_classes, freeze = c.args
            fc = report.get("fc.weight")
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
            if count != trainable_count(num_classes, freeze):
                raise CheckFailed(f"{c.describe()}: {count:,} trainable parameters, expected {trainable_count(num_classes, freeze):,}")
        loaded, saved = tolerant(outcomes[7], calls[6]), tolerant(outcomes[9], calls[8])
        backbone = [name for name in saved if not name.startswith("fc.")]
        if not all(np.isclose(loaded[name][2], saved[name][2], rtol=1e-6, atol=1e-6) for name in backbone):
            raise CheckFailed(f"{calls[6].describe()}: the backbone does not hold the weights from weights_path; "
                              "load them with model.load_state_dict(torch.load(weights_path)) before replacing fc")


class CountTrainable(Check):
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
    name = "make_optimizer"

    def plan(self, rng):
        lr = float(rng.choice([1e-3, 3e-4, 1e-2]))
        return [fixture("reference_resnet", 3, True, 0), call(self.name, Result(0), lr=lr),
                fixture("optimizer_report", Result(1), Result(0))]

    def judge(self, calls, outcomes):
        c = calls[1]
        tolerant(outcomes[1], c)
        report = tolerant(outcomes[2], c)
        if report["type"] != "Adam":
            raise CheckFailed(f"{c.describe()} made a {report['type']}; use torch.optim.Adam")
        if any(lr != c.kwargs["lr"] for lr in report["lr"]):
            raise CheckFailed(f"{c.describe()}: the optimizer's learning rate is {report['lr']}, expected {c.kwargs['lr']}")
        if sorted(report["params"]) != ["fc.bias", "fc.weight"]:
            raise CheckFailed(f"{c.describe()}: the optimizer holds {len(report['params'])} tensors; give it only the trainable ones "
                              "(p for p in model.parameters() if p.requires_grad)")


class SetTrainMode(Check):
    name = "set_train_mode"

    # Judged by what the modes do to a forward pass, not by the flags: ResNet-18 has no dropout, so
    # only its BatchNorm layers behave differently in training mode. A frozen backbone that is all
    # eval() with only the head in train() trains exactly as asked.
    def plan(self, rng):
        seed = int(rng.integers(1000))
        return [fixture("reference_resnet", 3, True, seed), fixture("set_mode", Result(0), False),
                call(self.name, Result(0), True), fixture("batchnorm_moves", Result(0), seed=seed),
                fixture("set_mode", Result(0), False), call(self.name, Result(0), False),
                fixture("batchnorm_moves", Result(0), seed=seed)]

    def judge(self, calls, outcomes):
        for index, freeze in ((2, True), (5, False)):
            c = calls[index]
            tolerant(outcomes[index], c)
            moved = tolerant(outcomes[index + 1], c)
            if freeze and any(moved):
                raise CheckFailed(f"{c.describe()}: with a frozen backbone its BatchNorm layers must stay in eval mode: "
                                  "a forward pass moved their running statistics; call .eval() on each BatchNorm "
                                  "module after model.train()")
            if not freeze and not all(moved):
                raise CheckFailed(f"{c.describe()}: when the backbone trains, its BatchNorm layers train too (a forward "
                                  "pass left their running statistics where they were): call model.train()")


def _training_plan(rng, freeze: bool, fn_call):
    seed = int(rng.integers(1000))
    return [
        fixture("reference_resnet", 3, freeze, seed),
        fixture("image_loader", 6, 16, 3, seed, 4),  # small: the judge replays this epoch
        fixture("optimizer", Result(0), "sgd", 0.05),
        fixture("set_mode", Result(0), False),
        fixture("seed", seed),
        fn_call,
        fixture("fingerprint", Result(0)),
    ]


def _flat(entry):
    return np.array(entry[:2] + entry[2])


def _expect_fingerprint(student, reference, c, slips, index):
    for name, ref in reference.items():
        expect_array(_flat(student[name]), _flat(ref), c, what=f"state {name} after the epoch", rtol=1e-3, atol=1e-5,
                     known=((_flat(w[name]), message) for w, message in slips.known(index)))


class TrainOneEpoch(Check):
    name = "train_one_epoch"
    slips = {
        "bn": ({"keep_bn": False}, "the frozen backbone's BatchNorm running statistics moved; keep its BatchNorm layers in eval mode (set_train_mode)"),
        "means": ({"per_sample": False}, "that is the mean of the batch losses; weight each batch by its size"),
    }

    def plan(self, rng):
        frozen = _training_plan(rng, True, call(self.name, Result(0), Result(1), Result(2), "cpu", freeze_backbone=True))
        unfrozen = _training_plan(rng, False, call(self.name, Result(0), Result(1), Result(2), "cpu", freeze_backbone=False))
        return frozen + [_shift(c, 7) for c in unfrozen]

    def judge(self, calls, outcomes):
        reference = replay(calls, {self.name: train_one_epoch})
        slips = Slips(calls, self.name, train_one_epoch, self.slips)
        for index in (5, 12):
            c = calls[index]
            loss, state = tolerant(outcomes[index], c), tolerant(outcomes[index + 1], c)
            _expect_fingerprint(state, reference[index + 1].value, c, slips, index + 1)
            expect_scalar(loss, reference[index].value, c, what="epoch loss", rtol=1e-4, atol=1e-6, known=slips.known(index))


def _shift(c, offset):
    """The same call with its references to earlier calls moved by `offset` (plans glued together)."""
    def moved(value):
        return Result(value.index + offset, value.key) if isinstance(value, Result) else value

    return type(c)(c.fn, tuple(moved(a) for a in c.args), {k: moved(v) for k, v in c.kwargs.items()}, c.capture_args)


class Evaluate(Check):
    name = "evaluate"

    def plan(self, rng):
        seed = int(rng.integers(1000))
        return [
            fixture("reference_resnet", 3, True, seed),
            fixture("image_loader", 10, 32, 3, seed, 4),
            fixture("set_mode", Result(0), True),
            fixture("trace_forward", Result(0)),
            call(self.name, Result(0), Result(1), "cpu"),
            fixture("trace", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[4]
        value = expect_honest_evaluation(tolerant(outcomes[4], c), tolerant(outcomes[5], c), c,
                                         training_effect="BatchNorm uses batch statistics")
        reference = replay(calls, {self.name: evaluate})[4].value
        expect_scalar(value["accuracy"], reference["accuracy"], c, what="accuracy")
        expect_scalar(value["loss"], reference["loss"], c, what="loss", rtol=1e-4, atol=1e-6)


class RunExperiment(Check):
    name = "run_experiment"

    def plan(self, rng):
        seed = int(rng.integers(1000))
        return [
            fixture("image_datasets", 8, 6, 32, len(CLASSES), seed),
            call(self.name, True, Result(0, 0), Result(0, 1), 2, 0.01, 4, seed, "cpu"),
        ]

    def judge(self, calls, outcomes):
        c = calls[1]
        value = tolerant(outcomes[1], c)
        keys = {"history", "val_accuracy", "seconds_per_epoch", "trainable"}
        if not isinstance(value, dict) or not keys <= set(value):
            raise CheckFailed(f"{c.describe()} must return a dict with {', '.join(sorted(keys))}")
        if as_number(value["trainable"], c, "'trainable' count") != trainable_count(len(CLASSES), True):
            raise CheckFailed(f"{c.describe()}: 'trainable' is {value['trainable']}, expected {trainable_count(len(CLASSES), True)} "
                              f"for a frozen ResNet-18 with a head for MedNIST's {len(CLASSES)} classes")
        history = value["history"]
        if not isinstance(history, dict) or not all(isinstance(v, (list, tuple)) and len(v) == 2 for v in history.values()):
            raise CheckFailed(f"{c.describe()}: 'history' should map each metric to a list with one entry per epoch (2)")
        accuracy = as_number(value["val_accuracy"], c, "'val_accuracy'")
        if not 0 <= accuracy <= 1:
            raise CheckFailed(f"{c.describe()}: 'val_accuracy' should be a fraction, got {accuracy!r}")
        if as_number(value["seconds_per_epoch"], c, "'seconds_per_epoch'") <= 0:
            raise CheckFailed(f"{c.describe()}: 'seconds_per_epoch' should be the measured time of one epoch")


CHECKS = [BuildTransforms(), MakeDatasets(), BuildModel(), CountTrainable(), MakeOptimizer(), SetTrainMode(),
          TrainOneEpoch(), Evaluate(), RunExperiment()]
