"""Hidden checks of 04's sections 1 and 2: build_transforms and make_datasets.

Transforms and datasets are judged on a tiny MedNIST of flat grey images whose level names the
file, so labels and splits can be traced without reading the student's code.
"""

from __future__ import annotations

import numpy as np
import torchvision
from dlmed.fixtures import tiny_level
from dlmed.mednist import CLASSES
from dlmed.wire import Result

from .. import Check, CheckFailed, call, fixture
from ..expect import as_array, expect_array, tolerant

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
# Passes of the training transform over one image, of which two must differ. A random flip alone
# (p=0.5) repeats itself on every pass with probability 2^(1-n): one correct solution in eight
# lost the points at four passes, one in 32768 at sixteen.
TRAIN_PASSES = 16


def eval_transform(image, image_size):
    pipeline = torchvision.transforms.Compose([
        torchvision.transforms.Grayscale(num_output_channels=3),
        torchvision.transforms.Resize((image_size, image_size)),
        torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    return pipeline(image)


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
