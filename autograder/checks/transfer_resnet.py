"""Hidden checks of 04_transfer_resnet.

Transforms and datasets are judged on a tiny MedNIST of flat grey images whose level names the
file, so labels and splits can be traced without reading the student's code. Models are judged
by parameter reports (shapes, requires_grad, sums), never by shipping 11 million weights; the
training step by replaying it on the same seeded ResNet and comparing fingerprints.
evaluate() gets logits the plan designed (through a model that is the identity in evaluation
mode), so a softmax over the batch axis or a mean of batch means gives numbers of its own on every
draw. run_experiment() trains on datasets that log which index is read when: the log tells the
shuffling, the evaluation set and the reproducibility, and a replay on the run's own order tells
what was trained; the validation labels of each pass are chosen from the reference run's own
predictions, so the final epoch's accuracy is never the best one.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping

import numpy as np
from scipy.special import logsumexp
import torch
import torch.nn.functional as F
import torchvision
from dlmed.fixtures import logged_datasets, tiny_level
from dlmed.mednist import CLASSES
from dlmed.reproducibility import seed_everything
from dlmed.wire import Result
from torch import nn

from . import Check, CheckFailed, Slips, call, fixture, replay
from .expect import as_array, as_number, as_numbers, expect_array, per_epoch, expect_honest_evaluation, expect_scalar, tolerant

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


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False, *, keep_bn=True, per_sample=True,
                    zero_grad=True):
    if keep_bn:
        set_train_mode(model, freeze_backbone)
    else:
        model.train()
    total, count, means = 0.0, 0, []
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        if zero_grad:
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
    """build_transforms: (3, size, size) float32 tensors normalised with ImageNet's per-channel mean and std, the
    evaluation transform deterministic and the training transform random."""

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
        first, second = _applied(tolerant(outcomes[2], c_eval), 2, c_eval)
        a, b = as_array(first, c_eval), as_array(second, c_eval)
        if a.shape != (3, size, size):
            raise CheckFailed(f"{c_eval.describe()}: images become shape {a.shape}; a ResNet wants (3, {size}, {size}): "
                              "grey to three channels (Grayscale(num_output_channels=3)) and Resize((size, size))")
        if getattr(first, "dtype", None) != "torch.float32":
            raise CheckFailed(f"{c_eval.describe()}: the tensor is {first.dtype}; ToTensor() gives float32")
        if not np.array_equal(a, b):
            raise CheckFailed(f"{c_eval.describe()}: the evaluation transform gave two different tensors for one image; "
                              "random augmentation belongs only in the training transform")
        unnormalized = (expected * np.array(IMAGENET_STD)[:, None, None]) + np.array(IMAGENET_MEAN)[:, None, None]
        expect_array(a, expected, c_eval, what="transformed image", rtol=0, atol=0.03, known=[
            (unnormalized, "the values are not normalised: add Normalize with ImageNet's mean and std"),
            ((unnormalized - 0.5) / 0.5, "normalised with 0.5 and 0.5; the pretrained weights expect ImageNet's mean and std"),
            ((unnormalized - IMAGENET_MEAN[0]) / IMAGENET_STD[0], "every channel is normalised with the red channel's "
             "mean and std; Normalize(IMAGENET_MEAN, IMAGENET_STD) takes one mean and one std per channel (R, G, B)"),
            ((unnormalized - np.array(IMAGENET_STD)[:, None, None]) / np.array(IMAGENET_MEAN)[:, None, None],
             "the mean and the std are swapped; Normalize takes the mean first: Normalize(IMAGENET_MEAN, IMAGENET_STD)"),
        ])
        outputs = [as_array(v, c_train) for v in _applied(tolerant(outcomes[4], c_train), TRAIN_PASSES, c_train)]
        if any(o.shape != (3, size, size) for o in outputs):
            raise CheckFailed(f"{c_train.describe()}: the training transform must also give (3, {size}, {size})")
        if all(np.array_equal(outputs[0], o) for o in outputs[1:]):
            raise CheckFailed(f"{c_train.describe()}: {TRAIN_PASSES} passes over one image gave the same tensor; the training transform should augment (flips, small rotations)")


def _applied(outputs, passes: int, c) -> list:
    """What @apply_transform recorded: one output per pass (a forged record fails, never crashes)."""
    if not isinstance(outputs, list) or len(outputs) != passes:
        raise CheckFailed(f"{c.describe()}: the transform's outputs could not be read; it should map a PIL image to a tensor")
    return outputs


def _identify(level_ch0: float, n_per_class: int):
    """(class index, image index) of a tiny-MedNIST image from its normalised first channel."""
    grey = (level_ch0 * IMAGENET_STD[0] + IMAGENET_MEAN[0]) * 255
    candidates = [(abs(grey - tiny_level(k, i)), k, i) for k in range(len(CLASSES)) for i in range(n_per_class)]
    distance, k, i = min(candidates)
    return (k, i) if distance < 1.6 else None


class MakeDatasets(Check):
    """make_datasets: every image in exactly one of two datasets, val_fraction of them (0.2 and another) for
    validation, labels in alphabetical class order, the split fixed by the seed, and validation images through the
    evaluation transform."""

    name = "make_datasets"
    n_per_class, size = 5, 16

    def plan(self, rng):
        seed = int(rng.integers(1000))
        calls = [fixture("tiny_mednist", self.n_per_class, self.size)]
        # The last call's fraction is never the default, so a val_fraction left unused shows on every draw.
        for s, fraction in ((seed, 0.2), (seed, 0.2), (seed + 1, 0.2), (seed + 2, float(rng.choice([0.4, 0.6])))):
            made = len(calls)
            calls += [call(self.name, Result(0), seed=s, val_fraction=fraction, image_size=self.size),
                      fixture("dataset_summary", Result(made, 0)), fixture("dataset_summary", Result(made, 1))]
        return calls

    def judge(self, calls, outcomes):
        total = self.n_per_class * len(CLASSES)
        splits = []
        for made in (1, 4, 7, 10):
            c = calls[made]
            fraction = c.kwargs["val_fraction"]
            value = tolerant(outcomes[made], c)
            if not isinstance(value, tuple) or len(value) != 2:
                raise CheckFailed(f"{c.describe()} must return (train_ds, val_ds)")
            train, val = tolerant(outcomes[made + 1], c), tolerant(outcomes[made + 2], c)
            if train["length"] + val["length"] != total or abs(val["length"] - fraction * total) > 1:
                raise CheckFailed(f"{c.describe()}: {train['length']} training and {val['length']} validation images; "
                                  f"expected all {total}, val_fraction={fraction} of them for validation")
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
    """build_model: resnet18 with a new fc of num_classes outputs, the backbone (and only it) frozen when asked,
    and the backbone's weights loaded from weights_path when given."""

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
            if count != trainable_count(num_classes, freeze):
                raise CheckFailed(f"{c.describe()}: {count:,} trainable parameters, expected {trainable_count(num_classes, freeze):,}")
        loaded, saved = tolerant(outcomes[7], calls[6]), tolerant(outcomes[9], calls[8])
        backbone = [name for name in saved if not name.startswith("fc.")]
        if not all(np.isclose(loaded[name][2], saved[name][2], rtol=1e-6, atol=1e-6) for name in backbone):
            raise CheckFailed(f"{calls[6].describe()}: the backbone does not hold the weights from weights_path; "
                              "load them with model.load_state_dict(torch.load(weights_path)) before replacing fc")


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


@functools.lru_cache(maxsize=1)
def _resnet18_names() -> tuple:
    with torch.device("meta"):
        model = torchvision.models.resnet18(weights=None)
    return tuple(name for name, _ in model.named_parameters())


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
        expected = sorted(name for name in _resnet18_names() if name.startswith(prefixes))
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
            if sorted(held) == sorted(_resnet18_names()):
                raise CheckFailed(f"{c.describe()}: the optimizer holds all {len(held)} tensors, frozen ones included; "
                                  "give it only the trainable ones (p for p in model.parameters() if p.requires_grad)")
            raise CheckFailed(f"{c.describe()}: the optimizer holds {len(held)} tensors, expected the {len(expected)} with "
                              "requires_grad (p for p in model.parameters() if p.requires_grad)")


class SetTrainMode(Check):
    """set_train_mode: a forward pass moves no BatchNorm statistics when the backbone is frozen, and moves every
    layer's when it is not."""

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
    """train_one_epoch: one epoch of cross-entropy steps that leaves the model (weights and BatchNorm statistics) as
    the reference does, frozen and unfrozen, and returns the mean loss per sample."""

    name = "train_one_epoch"
    slips = {
        "bn": ({"keep_bn": False}, "the frozen backbone's BatchNorm running statistics moved; keep its BatchNorm layers in eval mode (set_train_mode)"),
        "means": ({"per_sample": False}, "that is the mean of the batch losses; weight each batch by its size"),
        "zero_grad": ({"zero_grad": False}, "the gradients of earlier batches were added to each step's: call "
                      "optimizer.zero_grad() before each loss.backward()"),
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


def _metrics(logits, labels, batch, *, loss_axis=1, prediction_axis=1):
    """(per-sample mean cross-entropy, mean of the batch means, accuracy) of logits taken batch by
    batch, with the softmax of the loss and of the predictions over the axis given."""
    losses, means, hits = [], [], []
    for start in range(0, len(logits), batch):
        z, y = logits[start:start + batch], labels[start:start + batch]
        rows = np.arange(len(y))
        nll = -(z - logsumexp(z, loss_axis, keepdims=True))[rows, y]
        predicted = (z - logsumexp(z, prediction_axis, keepdims=True)).argmax(1)
        losses += list(nll)
        means.append(nll.mean())
        hits += list(predicted == y)
    return float(np.mean(losses)), float(np.mean(means)), float(np.mean(hits))


def _designed_logits(rng, n, batch, classes):
    """Logits and labels on which a softmax over the batch axis changes the loss and the accuracy, the
    mean of the batch means (the last batch is smaller) changes the loss, and no prediction is a near tie."""
    for _ in range(1000):
        logits = rng.normal(0, 1.5, size=(n, classes)).astype(np.float32)
        labels = rng.integers(0, classes, size=n)
        for start in range(0, n, batch):  # in each batch, one image whose class is dominated by another image
            r, other = start + rng.choice(min(batch, n - start), size=2, replace=False)
            a, b = rng.choice(classes, size=2, replace=False)
            logits[r] = np.minimum(logits[r], 1.0)
            logits[r, a], logits[r, b], logits[other, a] = 3.0, 2.5, float(rng.uniform(6, 8))
            labels[r] = a
        z = logits.astype(float)
        loss, means, accuracy = _metrics(z, labels, batch)
        loss0, _, _ = _metrics(z, labels, batch, loss_axis=0)
        _, _, accuracy0 = _metrics(z, labels, batch, prediction_axis=0)
        margins = []
        for start in range(0, n, batch):
            for axis in (0, 1):
                s = np.sort(z[start:start + batch] - logsumexp(z[start:start + batch], axis, keepdims=True), axis=1)
                margins.append((s[:, -1] - s[:, -2]).min())
        if (0 < accuracy < 1 and abs(accuracy - accuracy0) > 0.05 and abs(loss - loss0) > 0.05 * loss
                and abs(loss - means) > 1e-3 * loss and min(margins) > 0.05):
            return logits, labels
    raise RuntimeError("no evaluation batch found")  # never reached: the first draws qualify


class Evaluate(Check):
    """evaluate: the per-sample mean cross-entropy and the accuracy of the argmax over the class axis, over
    batches of which the last is smaller, in evaluation mode and without autograd."""

    name = "evaluate"
    n, batch = 10, 4  # batches of 4, 4 and 2

    def plan(self, rng):
        classes = int(rng.integers(3, 6))
        logits, labels = _designed_logits(rng, self.n, self.batch, classes)
        return [
            fixture("logit_model", classes),  # the identity in evaluation mode: the logits are the inputs
            fixture("logit_loader", logits, labels, self.batch),
            fixture("set_mode", Result(0), True),
            fixture("trace_forward", Result(0)),
            call(self.name, Result(0), Result(1), "cpu"),
            fixture("trace", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[4]
        value = expect_honest_evaluation(tolerant(outcomes[4], c), tolerant(outcomes[5], c), c,
                                         training_effect="BatchNorm uses batch statistics")
        logits, labels, batch = calls[1].args
        logits, labels = np.asarray(logits, dtype=float), np.asarray(labels)
        loss, means, accuracy = _metrics(logits, labels, batch)
        loss0, _, _ = _metrics(logits, labels, batch, loss_axis=0)
        _, _, accuracy0 = _metrics(logits, labels, batch, prediction_axis=0)
        batch_axis = ("the softmax runs over the batch axis (dim=0), so each image's probabilities depend on the "
                      "other images in its batch; take it over the classes (dim=1), as F.cross_entropy and "
                      "logits.argmax(dim=1) do")
        expect_scalar(value["accuracy"], accuracy, c, what="accuracy", rtol=0, atol=1e-6, known=[
            (accuracy0, "the predictions are wrong: " + batch_axis),
            (accuracy * len(labels), "that is the number of correct predictions; divide it by the number of images"),
        ])
        expect_scalar(value["loss"], loss, c, what="loss", rtol=1e-4, atol=1e-6, known=[
            (loss0, "the loss is wrong: " + batch_axis),
            (means, "that is the mean of the batch losses, and the last batch is smaller; weight each batch by its "
                    "size (sum the per-image losses and divide by the number of images)"),
            (loss * len(labels), "that is the summed loss; divide it by the number of images"),
        ])


# --- the experiment ------------------------------------------------------------------------------
N_TRAIN, N_VAL, SIZE, EPOCHS, BATCH = 12, 6, 16, 2, 12  # one Adam step an epoch: the judge replays both runs


def _loader_order(seed: int) -> tuple:
    """The order of the training images, epoch by epoch, that DataLoader(shuffle=True) gives with a
    generator seeded with `seed` (the reference run's; a correct run may shuffle another way)."""
    loader = torch.utils.data.DataLoader(range(N_TRAIN), batch_size=BATCH, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    return tuple(tuple(int(i) for b in loader for i in b) for _ in range(EPOCHS))


@functools.lru_cache(maxsize=32)
def _experiment(freeze: bool, data_seed: int, lr: float, seed: int, orders: tuple, slip: str = "") -> dict:
    """The reference run on the images of logged_datasets(..., data_seed), training on the batches of
    `orders` (one tuple of indices per epoch): its training losses and the validation logits after
    each epoch (the validation labels do not change the run). `slip`: "fc_only" (Adam over model.fc
    alone) or "no_freeze" (train_one_epoch not told the backbone is frozen). Plans and judges share
    it, so a run the plan already made costs the judge nothing."""
    train, val = logged_datasets(N_TRAIN, N_VAL, SIZE, len(CLASSES), data_seed, [[0] * N_VAL])
    state = random.getstate(), np.random.get_state(), torch.random.get_rng_state()
    try:
        seed_everything(seed)
        model = torchvision.models.resnet18(weights=None)
        if freeze:
            for parameter in model.parameters():
                parameter.requires_grad = False
        model.fc = nn.Linear(model.fc.in_features, len(CLASSES))
        params = model.fc.parameters() if slip == "fc_only" else [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.Adam(params, lr=lr)
        losses, logits = [], []
        for order in orders:
            batches = [list(order[i:i + BATCH]) for i in range(0, len(order), BATCH)]
            loader = [(train.images[b], train.labels[0][b]) for b in batches]
            losses.append(train_one_epoch(model, loader, optimizer, "cpu", freeze and slip != "no_freeze"))
            model.eval()
            with torch.no_grad():
                logits.append(torch.cat([model(val.images[i:i + BATCH]) for i in range(0, N_VAL, BATCH)]).double().numpy())
    finally:  # the grader's own random state stays as it was
        random.setstate(state[0])
        np.random.set_state(state[1])
        torch.random.set_rng_state(state[2])
    return {"train_loss": tuple(losses), "logits": tuple(logits)}


def _val_labels(predictions, rng) -> list:
    """Labels for each evaluation pass: the first agrees with the reference model's predictions but for
    one image, the last with none but one, so its accuracy (1/6) is below the first's (5/6)."""
    first, last = (np.asarray(p).copy() for p in predictions)
    k = len(CLASSES)
    wrong = int(rng.integers(N_VAL))
    first[wrong] = (first[wrong] + rng.integers(1, k)) % k
    right = int(rng.integers(N_VAL))
    last = np.where(np.arange(N_VAL) == right, last, (last + rng.integers(1, k, size=N_VAL)) % k)
    return [first.tolist(), last.tolist()]


def _margin(logits) -> float:
    """How far the closest prediction is from a tie: the smallest gap between a row's two top logits."""
    top = np.sort(logits, axis=1)
    return float((top[:, -1] - top[:, -2]).min())


def _history_metrics(logits, labels):
    """Per epoch: mean cross-entropy and accuracy of the validation logits against that pass's labels."""
    losses, accuracies = [], []
    for z, y in zip(logits, labels):
        y = np.asarray(y)
        log_p = z - logsumexp(z, 1, keepdims=True)
        losses.append(float(-log_p[np.arange(len(y)), y].mean()))
        accuracies.append(float((z.argmax(1) == y).mean()))
    return losses, accuracies


class RunExperiment(Check):
    """run_experiment: a seeded, reproducible run that trains what build_model and make_optimizer make trainable
    (the whole network when unfrozen), on batches reshuffled each epoch, evaluates on val_ds after every epoch,
    and returns the history, the final epoch's accuracy and the trainable count."""

    name = "run_experiment"
    keys = ("history", "val_accuracy", "seconds_per_epoch", "trainable")
    metrics = ("train_loss", "val_loss", "val_accuracy")

    def plan(self, rng):
        for _ in range(50):  # a draw where a validation prediction is a near tie is drawn again
            seed, data_seed = (int(v) for v in rng.integers(1000, size=2))
            lr = float(rng.choice([2e-3, 3e-3]))  # never the default, so an lr not passed on shows
            reference = _experiment(False, data_seed, lr, seed, _loader_order(seed))
            frozen = _experiment(True, data_seed, lr, seed, _loader_order(seed))  # the judge's, made ahead
            if min(_margin(z) for z in reference["logits"] + frozen["logits"]) > 1e-3:
                break
        labels = _val_labels([z.argmax(1) for z in reference["logits"]], rng)
        args = (Result(0, 0), Result(0, 1), EPOCHS, lr, BATCH, seed, "cpu")
        return [
            fixture("logged_datasets", N_TRAIN, N_VAL, SIZE, len(CLASSES), data_seed, labels),
            call(self.name, False, *args), fixture("access_log", Result(0)),
            call(self.name, True, *args), fixture("access_log", Result(0)),
        ]

    def judge(self, calls, outcomes):
        runs = []
        for index in (1, 3):
            c = calls[index]
            value = tolerant(outcomes[index], c)
            orders = self._orders(tolerant(outcomes[index + 1], c), c)
            runs.append((c, orders, self._results(value, c)))
        if runs[0][1] != runs[1][1]:
            raise CheckFailed(f"{runs[1][0].describe()} after {runs[0][0].describe()}: two runs with the same seed "
                              "trained on batches in different orders, so the experiment cannot be reproduced; shuffle "
                              "with a generator seeded with seed: DataLoader(train_ds, batch_size, shuffle=True, "
                              "generator=torch.Generator().manual_seed(seed))")
        data_seed, labels = calls[0].args[4], calls[0].args[5]
        for c, orders, result in runs:
            self._against_reference(c, orders, result, data_seed, labels)

    def _orders(self, log, c) -> tuple:
        reads, evaluated = log["train"], log["val"]
        if not evaluated:
            raise CheckFailed(f"{c.describe()} never read val_ds: it evaluated on the training data (or not at all); "
                              "evaluate on a DataLoader over val_ds after each epoch")
        if len(evaluated) != EPOCHS * N_VAL or sorted(evaluated) != sorted(list(range(N_VAL)) * EPOCHS):
            raise CheckFailed(f"{c.describe()}: val_ds was read {len(evaluated)} times for {EPOCHS} epochs of "
                              f"{N_VAL} images; evaluate every validation image once after each epoch")
        if len(reads) != EPOCHS * N_TRAIN:
            raise CheckFailed(f"{c.describe()}: train_ds was read {len(reads)} times in {EPOCHS} epochs of "
                              f"{N_TRAIN} images; train on every image once per epoch, and evaluate on val_ds only")
        orders = tuple(tuple(reads[e * N_TRAIN:(e + 1) * N_TRAIN]) for e in range(EPOCHS))
        if any(sorted(order) != list(range(N_TRAIN)) for order in orders):
            raise CheckFailed(f"{c.describe()}: an epoch did not go through every training image exactly once")
        if all(order == tuple(range(N_TRAIN)) for order in orders):
            raise CheckFailed(f"{c.describe()}: the training batches came in the dataset's own order; shuffle them, "
                              "with a generator seeded with seed (DataLoader(train_ds, batch_size, shuffle=True, "
                              "generator=torch.Generator().manual_seed(seed)))")
        if len(set(orders)) == 1:
            raise CheckFailed(f"{c.describe()}: every epoch saw the training images in the same order (a new loader "
                              "with a freshly seeded generator each epoch?); make the DataLoader once, before the epoch "
                              "loop, so each epoch is shuffled anew")
        return orders

    def _results(self, value, c) -> dict:
        if not isinstance(value, Mapping) or not set(self.keys) <= set(value):
            raise CheckFailed(f"{c.describe()} must return a dict with {', '.join(self.keys)}")
        freeze = c.args[0]
        expected = trainable_count(len(CLASSES), freeze)
        if as_number(value["trainable"], c, "'trainable' count") != expected:
            kind = "frozen" if freeze else "unfrozen"
            raise CheckFailed(f"{c.describe()}: 'trainable' is {value['trainable']}, expected {expected:,} for a {kind} "
                              f"ResNet-18 with a head for MedNIST's {len(CLASSES)} classes "
                              "(count_trainable of the model built)")
        history = value["history"]
        if not isinstance(history, Mapping) or not set(self.metrics) <= set(history):
            raise CheckFailed(f"{c.describe()}: 'history' should be a dict of the lists {', '.join(self.metrics)}")
        series = per_epoch(history, self.metrics, EPOCHS, c)
        accuracy = as_number(value["val_accuracy"], c, "'val_accuracy'")
        if not 0 <= accuracy <= 1:
            raise CheckFailed(f"{c.describe()}: 'val_accuracy' should be a fraction, got {accuracy!r}")
        seconds = as_number(value["seconds_per_epoch"], c, "'seconds_per_epoch'")
        if not np.isfinite(seconds) or seconds <= 0:
            raise CheckFailed(f"{c.describe()}: 'seconds_per_epoch' should be the measured time of one epoch")
        return {**series, "final": accuracy}

    def _against_reference(self, c, orders, result, data_seed, labels):
        freeze, lr, seed = c.args[0], c.args[4], c.args[6]
        reference = _experiment(freeze, data_seed, lr, seed, orders)
        slip = "no_freeze" if freeze else "fc_only"
        messages = {
            "fc_only": "the unfrozen run trained only the head (an optimizer over model.fc's parameters?): make_optimizer "
                       "must give Adam every trainable parameter, so that fine-tuning trains the backbone too",
            "no_freeze": "the frozen run's BatchNorm statistics moved: pass freeze_backbone on to train_one_epoch, "
                         "so that set_train_mode keeps the frozen backbone's BatchNorm layers in eval mode",
        }

        def known(key):
            slipped = _experiment(freeze, data_seed, lr, seed, orders, slip)
            yield (np.array(slipped["train_loss"]) if key == "train_loss"
                   else np.array(_history_metrics(slipped["logits"], labels)[key == "val_accuracy"])), messages[slip]

        val_loss, val_accuracy = _history_metrics(reference["logits"], labels)
        hint = ("; check that run_experiment calls seed_everything(seed) before build_model(len(CLASSES), freeze_backbone, "
                "weights_path), trains with make_optimizer(model, lr) and train_one_epoch(..., freeze_backbone), and "
                "evaluates with evaluate(model, val_loader, device) (if the tests of those fail, fix them first)")
        for key, expected, tolerance in (("train_loss", reference["train_loss"], 1e-3), ("val_loss", val_loss, 1e-3),
                                         ("val_accuracy", val_accuracy, 0)):
            try:  # an accuracy kept in float32 is 1e-8 off
                expect_array(result[key], np.array(expected), c, what=f"history[{key!r}]", rtol=tolerance, atol=1e-6,
                             known=known(key))
            except CheckFailed as failure:
                if any(message in str(failure) for message in messages.values()):
                    raise
                raise CheckFailed(str(failure) + hint) from None
        final = result["final"]
        if not np.isclose(final, val_accuracy[-1], rtol=0, atol=1e-6):
            if np.isclose(final, max(val_accuracy), rtol=0, atol=1e-6):
                raise CheckFailed(f"{c.describe()}: 'val_accuracy' is {final:.4g}, the best epoch's; report the final "
                                  f"epoch's ({val_accuracy[-1]:.4g}), the model the run ends with")
            raise CheckFailed(f"{c.describe()}: 'val_accuracy' is {final:.4g}, expected the final epoch's, "
                              f"{val_accuracy[-1]:.4g} (history['val_accuracy'][-1])")


CHECKS = [BuildTransforms(), MakeDatasets(), BuildModel(), CountTrainable(), MakeOptimizer(), SetTrainMode(),
          TrainOneEpoch(), Evaluate(), RunExperiment()]
