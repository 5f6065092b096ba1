"""Hidden checks of 04's section 4: set_train_mode, train_one_epoch and evaluate.

Requirement rows guarded (assignments/04_transfer_resnet/requirements.toml): train-mode-frozen-batchnorm,
train-mode-training; train-epoch-cross-entropy, train-epoch-mean-loss, train-epoch-frozen-stays,
train-epoch-device; evaluate-returns-dict, evaluate-eval-mode, evaluate-loss, evaluate-accuracy,
evaluate-device.

Device placement is judged on the CPU through a stand-in for a GPU (dlmed.fixtures.DeviceWatch): the
model is put on it, the batches start on the host, and an operation that meets both sides fails as it
would on a GPU. The training step is judged by replaying it on the same seeded ResNet and comparing fingerprints.
evaluate() gets logits the plan designed (through a model that is the identity in evaluation
mode), so a softmax over the batch axis or a mean of batch means gives numbers of its own on every
draw.
"""

from __future__ import annotations

import functools

import numpy as np
import torch.nn.functional as F
from dlmed.wire import Result
from scipy.special import logsumexp
from torch import nn

from .. import Check, CheckFailed, Slips, call, fixture, replay
from ..expect import expect_array, expect_honest_evaluation, expect_scalar, tolerant


def set_train_mode(model, freeze_backbone):
    model.train()
    if freeze_backbone:
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eval()


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False, *, keep_bn=True, loss_of="samples",
                    zero_grad=True):
    """The reference epoch; with a slip switched on where asked. `loss_of`: "samples" (the mean loss per
    sample), "batches" (the mean of the batch means) or "both" (the two, as a pair)."""
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
    losses = {"samples": total / count, "batches": float(np.mean(means))}
    return (losses["samples"], losses["batches"]) if loss_of == "both" else losses[loss_of]


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


def expect_on_device(report, c) -> None:
    """A @device_report of `c`'s run, on the stand-in for a GPU: fail where a GPU would raise, or where the
    work stayed on the CPU."""
    if not isinstance(report, dict) or not all(isinstance(report.get(k), list) for k in ("mixed", "on_host", "to_numpy")):
        raise CheckFailed(f"{c.describe()}: where its tensors lived could not be read")
    gpu = "device (a stand-in for a GPU here)"
    if report["mixed"]:
        operation, kind = report["mixed"][0]
        hint = ("the model's parameters stayed on the CPU while the data went to device: move the model, model.to(device)"
                if kind == "parameters" else
                "a batch (its images or its labels) stayed on the CPU while the model is on device: move both with "
                ".to(device) as they come out of the loader")
        raise CheckFailed(f"{c.describe()}: {operation} met tensors on {gpu} and on the CPU, which on a GPU raises "
                          f"'Expected all tensors to be on the same device'; {hint}")
    if report["to_numpy"]:
        raise CheckFailed(f"{c.describe()}: a tensor on {gpu} was turned into numpy ({report['to_numpy'][0]}), which on a "
                          "GPU raises; take numbers out with .item(), or move the tensor with .cpu() first")
    if report["on_host"]:
        raise CheckFailed(f"{c.describe()}: the model ran on the CPU ({report['on_host'][0]}), whatever {gpu} says: "
                          "move the model with model.to(device) and each batch with .to(device)")


def _training_plan(rng, freeze: bool, fn_call):
    seed = int(rng.integers(1000))
    # Batches of 4 and 3 images of 40 x 40, the smallest whose last ResNet stage still sees 2 x 2: at 16 x 16
    # its BatchNorm layers normalised two values each, and the unfrozen epoch amplified float32's rounding
    # into weights 1e10 large, which no other correct way of computing the loss could match.
    return [
        fixture("reference_resnet", 3, freeze, seed),
        fixture("image_loader", 7, 40, 3, seed, 4),
        fixture("optimizer", Result(0), "sgd", 0.02),
        fixture("set_mode", Result(0), False),
        fixture("seed", seed),
        fixture("watch_device", Result(1), on_device=[Result(0)]),  # the model on device, the batches not yet
        fn_call,
        fixture("device_report"),
        fixture("fingerprint", Result(0)),
    ]


def _flat(entry):
    return np.array(entry[:2] + entry[2])


# (rtol, atol, share of the entry's norm allowed its sum) for a frozen and for an unfrozen epoch. The sum of a
# tensor cancels, so it is compared on the scale of the tensor's norm. Through an unfrozen ResNet's
# BatchNorm layers a loss computed another correct way (in float64, say) moves the first layers' updates
# by a few per cent; the slips move them by far more than the wider tolerance.
FINGERPRINT_TOLERANCE = {True: (1e-3, 1e-4, 1e-2), False: (1e-2, 1e-3, 5e-2)}


def _expect_fingerprint(student, reference, c, slips, index, freeze):
    rtol, atol, norm_share = FINGERPRINT_TOLERANCE[freeze]
    for name, ref in reference.items():
        expected = _flat(ref)
        tolerance = np.full(len(expected), atol)
        tolerance[0] += norm_share * np.sqrt(max(expected[1], 0.0))
        expect_array(_flat(student[name]), expected, c, what=f"state {name} after the epoch", rtol=rtol,
                     atol=tolerance, known=((_flat(w[name]), message) for w, message in slips.known(index)))


class TrainOneEpoch(Check):
    """train_one_epoch: one epoch of cross-entropy steps that leaves the model (weights and BatchNorm statistics) as
    the reference does, frozen and unfrozen, and returns the mean loss per sample."""

    name = "train_one_epoch"
    runs = (6, 15)  # the calls of train_one_epoch: frozen, unfrozen
    slips = {
        "bn": ({"keep_bn": False}, "the frozen backbone's BatchNorm running statistics moved; keep its BatchNorm layers in eval mode (set_train_mode)"),
        "means": ({"loss_of": "batches"}, "that is the mean of the batch losses; weight each batch by its size"),
        "zero_grad": ({"zero_grad": False}, "the gradients of earlier batches were added to each step's: call "
                      "optimizer.zero_grad() before each loss.backward()"),
    }

    def plan(self, rng):
        for _ in range(20):  # a draw whose two batch losses come out close is drawn again
            frozen = _training_plan(rng, True, call(self.name, Result(0), Result(1), Result(2), Result(5),
                                                    freeze_backbone=True))
            unfrozen = _training_plan(rng, False, call(self.name, Result(0), Result(1), Result(2), Result(5),
                                                       freeze_backbone=False))
            calls = frozen + [_shift(c, len(frozen)) for c in unfrozen]
            losses = replay(calls, {self.name: functools.partial(train_one_epoch, loss_of="both")})
            # the mean of the batch means must stand 10 tolerances apart from the per-sample mean
            if all(abs(samples - batches) > 1e-3 * samples for samples, batches in (losses[i].value for i in self.runs)):
                break
        return calls

    def judge(self, calls, outcomes):
        reference = replay(calls, {self.name: train_one_epoch})
        slips = Slips(calls, self.name, train_one_epoch, self.slips)
        for index in self.runs:
            c = calls[index]
            loss, state = tolerant(outcomes[index], c), tolerant(outcomes[index + 2], c)
            expect_on_device(tolerant(outcomes[index + 1], c), c)
            _expect_fingerprint(state, reference[index + 2].value, c, slips, index + 2, c.kwargs["freeze_backbone"])
            expect_scalar(loss, reference[index].value, c, what="epoch loss", rtol=1e-4, atol=1e-6, known=slips.known(index))


def _shift(c, offset):
    """The same call with its references to earlier calls moved by `offset` (plans glued together)."""
    def moved(value):
        if isinstance(value, (list, tuple)):
            return type(value)(moved(v) for v in value)
        return Result(value.index + offset, value.key) if isinstance(value, Result) else value

    return type(c)(c.fn, tuple(moved(a) for a in c.args), {k: moved(v) for k, v in c.kwargs.items()}, c.capture_args)


def _metrics(logits, labels, batch, *, loss_axis=1, prediction_axis=1):
    """(per-sample mean cross-entropy, mean of the batch means, accuracy, mean of the batch accuracies) of
    logits taken batch by batch, with the softmax of the loss and of the predictions over the axis given."""
    losses, means, hits, rates = [], [], [], []
    for start in range(0, len(logits), batch):
        z, y = logits[start:start + batch], labels[start:start + batch]
        rows = np.arange(len(y))
        nll = -(z - logsumexp(z, loss_axis, keepdims=True))[rows, y]
        predicted = (z - logsumexp(z, prediction_axis, keepdims=True)).argmax(1)
        losses += list(nll)
        means.append(nll.mean())
        hits += list(predicted == y)
        rates.append(np.mean(predicted == y))
    return float(np.mean(losses)), float(np.mean(means)), float(np.mean(hits)), float(np.mean(rates))


def _designed_logits(rng, n, batch, classes):
    """Logits and labels on which a softmax over the batch axis changes the loss and the accuracy, the
    mean of the batch means (the last batch is smaller) changes the loss and the accuracy, the share of
    wrong predictions is not the accuracy, and no prediction is a near tie."""
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
        loss, means, accuracy, rates = _metrics(z, labels, batch)
        loss0 = _metrics(z, labels, batch, loss_axis=0)[0]
        accuracy0 = _metrics(z, labels, batch, prediction_axis=0)[2]
        margins = []
        for start in range(0, n, batch):
            for axis in (0, 1):
                s = np.sort(z[start:start + batch] - logsumexp(z[start:start + batch], axis, keepdims=True), axis=1)
                margins.append((s[:, -1] - s[:, -2]).min())
        # With batches of 4, 4 and 2, the batch accuracies' mean is the accuracy only where the first two
        # batches hold four times the hits of the last: those draws are drawn again.
        if (0 < accuracy < 1 and abs(accuracy - 0.5) > 0.05 and abs(accuracy - rates) > 0.01
                and abs(accuracy - accuracy0) > 0.05 and abs(loss - loss0) > 0.05 * loss
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
            fixture("watch_device", Result(1), on_device=[Result(0)]),
            call(self.name, Result(0), Result(1), Result(4)),
            fixture("device_report"),
            fixture("trace", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[5]
        value = expect_honest_evaluation(tolerant(outcomes[5], c), tolerant(outcomes[7], c), c,
                                         training_effect="BatchNorm uses batch statistics")
        expect_on_device(tolerant(outcomes[6], c), c)
        logits, labels, batch = calls[1].args
        logits, labels = np.asarray(logits, dtype=float), np.asarray(labels)
        loss, means, accuracy, rates = _metrics(logits, labels, batch)
        loss0 = _metrics(logits, labels, batch, loss_axis=0)[0]
        accuracy0 = _metrics(logits, labels, batch, prediction_axis=0)[2]
        batch_axis = ("the softmax runs over the batch axis (dim=0), so each image's probabilities depend on the "
                      "other images in its batch; take it over the classes (dim=1), as F.cross_entropy and "
                      "logits.argmax(dim=1) do")
        expect_scalar(value["accuracy"], accuracy, c, what="accuracy", rtol=0, atol=1e-6, known=[
            (accuracy0, "the predictions are wrong: " + batch_axis),
            (accuracy * len(labels), "that is the number of correct predictions; divide it by the number of images"),
            (rates, "that is the mean of the batch accuracies, and the last batch is smaller; count the correct "
                    "predictions over all batches and divide by the number of images"),
        ])
        expect_scalar(value["loss"], loss, c, what="loss", rtol=1e-4, atol=1e-6, known=[
            (loss0, "the loss is wrong: " + batch_axis),
            (means, "that is the mean of the batch losses, and the last batch is smaller; weight each batch by its "
                    "size (sum the per-image losses and divide by the number of images)"),
            (loss * len(labels), "that is the summed loss; divide it by the number of images"),
        ])
