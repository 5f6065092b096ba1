"""Hidden checks of 04's sections 1 and 2: build_transforms and make_datasets.

Requirement rows guarded (assignments/04_transfer_resnet/requirements.toml): transforms-float-tensor,
transforms-shape, transforms-three-channels, transforms-imagenet-normalised, transforms-train-normalised,
transforms-eval-deterministic, transforms-train-random; datasets-returns-pair, datasets-class-indices,
datasets-alphabetical, datasets-split-seeded, datasets-val-fraction, datasets-image-size,
datasets-train-transform, datasets-val-transform, datasets-partition.

Transforms are judged on a smooth lopsided image; datasets on a tiny MedNIST whose grey level names the
file and whose brighter top-left quarter shows a flip or a rotation, so labels, splits and the
transform each image went through can be traced without reading the student's code.
"""

from __future__ import annotations

import functools

import numpy as np
import torchvision
from dlmed.fixtures import image_stats, tiny_level, tiny_pixels
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
        applied = _applied(tolerant(outcomes[4], c_train), TRAIN_PASSES, c_train)
        outputs = [as_array(v, c_train) for v in applied]
        if any(o.shape != (3, size, size) for o in outputs):
            raise CheckFailed(f"{c_train.describe()}: the training transform must also give (3, {size}, {size})")
        if any(getattr(v, "dtype", None) != "torch.float32" for v in applied):
            raise CheckFailed(f"{c_train.describe()}: the training transform's tensors are not float32; ToTensor() gives "
                              "float32")
        if min(_grey_share(o) for o in outputs) < 0.5:
            raise CheckFailed(f"{c_train.describe()}: the training transform's tensors are not normalised with ImageNet's "
                              "mean and std (undoing Normalize(IMAGENET_MEAN, IMAGENET_STD) channel by channel does not "
                              "give back one grey image); normalise in both transforms")
        if all(np.array_equal(outputs[0], o) for o in outputs[1:]):
            raise CheckFailed(f"{c_train.describe()}: {TRAIN_PASSES} passes over one image gave the same tensor; the training transform should augment (flips, small rotations)")


def _grey_share(output: np.ndarray) -> float:
    """The share of pixels whose three channels, with ImageNet's normalisation undone, are one grey level.
    An augmentation moves and interpolates grey pixels but keeps them grey; one that paints some (random
    erasing) leaves most of the image as it was."""
    grey = output * np.array(IMAGENET_STD)[:, None, None] + np.array(IMAGENET_MEAN)[:, None, None]
    return float(np.mean(np.ptp(grey, axis=0) < 0.01))


def _applied(outputs, passes: int, c) -> list:
    """What @apply_transform recorded: one output per pass (a forged record fails, never crashes)."""
    if not isinstance(outputs, list) or len(outputs) != passes:
        raise CheckFailed(f"{c.describe()}: the transform's outputs could not be read; it should map a PIL image to a tensor")
    return outputs


def _grey(normalised: float) -> float:
    return (normalised * IMAGENET_STD[0] + IMAGENET_MEAN[0]) * 255


@functools.lru_cache(maxsize=4)
def _plain_reads(n_per_class: int, size: int) -> dict:
    """(class index, image index) -> image_stats of that tiny-MedNIST file through the evaluation transform."""
    from PIL import Image

    return {(k, i): np.array(image_stats(eval_transform(Image.fromarray(tiny_pixels(k, i, size), mode="L"), size)))
            for k in range(len(CLASSES)) for i in range(n_per_class)}


def _identify(read, n_per_class: int):
    """(class index, image index) of a tiny-MedNIST read, from the median of its first channel (flips,
    rotations and crops leave most pixels at the file's level); None where no file has that level."""
    grey = _grey(read[1])
    distance, k, i = min((abs(grey - tiny_level(k, i)), k, i) for k in range(len(CLASSES)) for i in range(n_per_class))
    return (k, i) if distance < 0.9 else None


def _summary(summary, c) -> dict:
    """What @dataset_summary recorded (a forged record fails, never crashes)."""
    keys = {"length", "labels", "label_batch", "shapes", "reads"}
    if not isinstance(summary, dict) or not keys <= set(summary) or not all(
            isinstance(summary[k], list) for k in keys - {"length", "label_batch"}):
        raise CheckFailed(f"{c.describe()}: the datasets could not be read; each item should be (image tensor, label)")
    return summary


class MakeDatasets(Check):
    """make_datasets: two datasets that hold every image once, val_fraction of them (0.2 and another) for
    validation; labels as class indices in alphabetical class order; the split fixed by the seed and changed by
    another; validation images through the evaluation transform, training images through the random training
    transform, both at image_size."""

    name = "make_datasets"
    n_per_class, size = 5, 16
    passes = 2  # reads of each image, each seeded on its own: a random transform shows in one of them
    label_batches = ("torch.int64", "torch.uint8")  # the target dtypes F.cross_entropy takes as class indices

    def plan(self, rng):
        seed = int(rng.integers(1000))
        calls = [fixture("tiny_mednist", self.n_per_class, self.size)]
        # The last call's fraction is never the default, so a val_fraction left unused shows on every draw.
        for s, fraction in ((seed, 0.2), (seed, 0.2), (seed + 1, 0.2), (seed + 2, float(rng.choice([0.4, 0.6])))):
            made = len(calls)
            calls += [call(self.name, Result(0), seed=s, val_fraction=fraction, image_size=self.size),
                      fixture("dataset_summary", Result(made, 0), self.passes),
                      fixture("dataset_summary", Result(made, 1), self.passes)]
        return calls

    def judge(self, calls, outcomes):
        splits = []
        for made in (1, 4, 7, 10):
            c = calls[made]
            value = tolerant(outcomes[made], c)
            if not isinstance(value, tuple) or len(value) != 2:
                raise CheckFailed(f"{c.describe()} must return (train_ds, val_ds)")
            train, val = (_summary(tolerant(outcomes[made + k], c), c) for k in (1, 2))
            splits.append(self._one_split(c, train, val))
        if splits[0] != splits[1]:
            raise CheckFailed(f"{calls[1].describe()} twice gave different validation sets; seed the split")
        if splits[0] == splits[2]:
            raise CheckFailed("make_datasets gave the same split for two different seeds; the seed must be used")

    def _one_split(self, c, train, val) -> list:
        """The validation set's files, after judging one call's datasets."""
        total, fraction = self.n_per_class * len(CLASSES), c.kwargs["val_fraction"]
        n_val = fraction * total
        if train["length"] + val["length"] != total or abs(val["length"] - n_val) > 1:
            swapped = abs(train["length"] - n_val) <= 1 and train["length"] + val["length"] == total
            raise CheckFailed(f"{c.describe()}: {train['length']} training and {val['length']} validation images; "
                              f"expected all {total}, val_fraction={fraction} of them for validation"
                              + ("; the two datasets come back in the wrong order: return (train_ds, val_ds)"
                                 if swapped else ""))
        wrong = [shape for shape in train["shapes"] + val["shapes"] if shape != [3, self.size, self.size]]
        if wrong:
            raise CheckFailed(f"{c.describe()}: the datasets yield images of shape {tuple(wrong[0])}, expected (3, "
                              f"{self.size}, {self.size}): build both transforms with image_size (if the test of "
                              "build_transforms fails, fix it first)")
        for part, summary in (("train_ds", train), ("val_ds", val)):
            if None in summary["labels"] or summary["label_batch"] not in self.label_batches:
                raise CheckFailed(f"{c.describe()}: {part}'s labels are not class indices (a DataLoader batches them "
                                  f"into {summary['label_batch']}); each label should be the int index of its class, "
                                  "which DataLoader batches into the int64 tensor F.cross_entropy takes")
        plain = _plain_reads(self.n_per_class, self.size)
        found = [_identify(read, self.n_per_class) for read in val["reads"][0]]
        if None in found or len(set(found)) != len(found) or any(
                not np.allclose(read, plain[f], rtol=0, atol=1e-3) for reads in val["reads"] for read, f in zip(reads, found)):
            raise CheckFailed(f"{c.describe()}: validation images do not come out as their files through the evaluation "
                              "transform (read twice, some were flipped, rotated or changed); val_ds must use the "
                              "deterministic evaluation transform, build_transforms(False, image_size) (if the test of build_transforms "
                              "fails, fix it first)")
        self._alphabetical(c, found, val["labels"])
        train_found = [_identify(read, self.n_per_class) for read in train["reads"][0]]
        if None in train_found:  # an augmentation that changes grey levels: the files cannot be told apart
            per_class = np.bincount(train["labels"] + val["labels"], minlength=len(CLASSES))
            if not np.all(per_class == self.n_per_class):
                raise CheckFailed(f"{c.describe()}: every image must be in exactly one of the two datasets")
        else:
            self._alphabetical(c, train_found, train["labels"])
            if sorted(train_found + found) != sorted(plain):
                raise CheckFailed(f"{c.describe()}: some images are in both datasets and others in neither; take both "
                                  "from one permutation of the indices (the first n_val for validation, the rest for "
                                  "training), not from two draws")
            if all(np.allclose(read, plain[f], rtol=0, atol=1e-3) for reads in train["reads"]
                   for read, f in zip(reads, train_found)):
                raise CheckFailed(f"{c.describe()}: every training image came out exactly as the evaluation transform "
                                  f"gives it ({self.passes} reads each, never flipped or rotated); train_ds must use the "
                                  "training transform, build_transforms(True, image_size), so that it is augmented")
        return sorted(found)

    def _alphabetical(self, c, found, labels):
        for (k, _), label in zip(found, labels):
            if label != k:
                raise CheckFailed(f"{c.describe()}: a {CLASSES[k]} image has label {label}, expected {k}; "
                                  f"class indices follow the folders' alphabetical order: {', '.join(CLASSES)}")
