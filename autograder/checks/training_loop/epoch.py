"""Hidden checks of 02's section 5: train_one_epoch and evaluate, judged by replays of the same
calls with reference code on the same seeded model and data; evaluate's rows are chosen so every
known slip gives numbers of its own.

Requirement rows it guards (assignments/02_training_loop/requirements.toml):
epoch-training-mode, epoch-zero-grad, epoch-step-per-batch, epoch-mean-loss-per-sample,
epoch-weighted-batches, evaluate-returns-dict, evaluate-whole-loader, evaluate-accuracy,
evaluate-eval-mode, evaluate-no-grad, evaluate-threshold, evaluate-loss-on-logits.
"""

from __future__ import annotations

from dlmed import fixtures
from dlmed.wire import Result, TensorData

from .. import Check, CheckFailed, call, fixture, replay
from ..expect import as_array, as_number, expect_array, expect_honest_evaluation, expect_scalar, tolerant
from .exposing import eval_data
from .reference import OneByOne, evaluate, train_one_epoch


def training_data(rng, n=50, d=4):
    X = rng.normal(size=(n, d))
    return X, (X @ rng.normal(size=d) > 0).astype(float)


def expect_state(student, reference, c, slips=None, index=None):
    if not isinstance(student, dict) or set(student) != set(reference):
        raise CheckFailed(f"{c.describe()}: the model's parameters changed shape or names")
    for key, ref in reference.items():
        known = ((as_array(wrong[key], c), message) for wrong, message in slips.known(index)) if slips else ()
        expect_array(student[key], as_array(ref, c), c, what=f"weights {key} after the call", rtol=1e-4, atol=1e-6,
                     known=known)


class TrainOneEpoch(Check):
    """train_one_epoch: training mode, gradients cleared before each backward(), one step per
    batch, and the epoch's mean loss per sample (the last batch, of 2, is smaller)."""

    name = "train_one_epoch"
    slips = {
        "no zero_grad": ({"zero_grad": False}, "gradients piled up across batches: call optimizer.zero_grad() before each backward()"),
        "batch means": ({"reduce": "batch_means"}, "that is the mean of the batch losses; the last batch is smaller, so add loss.item() * len(xb) and divide by the number of samples"),
        "sum": ({"reduce": "sum"}, "that is the sum of the batch losses; return their mean per sample: add loss.item() * len(xb) and divide by the number of samples"),
        "last": ({"reduce": "last"}, "that is the last batch's loss; return the mean over the epoch: add loss.item() * len(xb) and divide by the number of samples"),
        "no train()": ({"train_mode": False}, "the model stayed in evaluation mode (dropout off); call model.train() first"),
        "no update": ({"update": False}, "the weights never moved: the gradients were cleared between backward() and step(); "
                                         "the order is optimizer.zero_grad(), loss.backward(), optimizer.step()"),
        "step once": ({"step_once": True}, "the weights moved once, after the loop: the batches' gradients were added up and one "
                                           "step taken; take optimizer.step() for every batch, after its backward()"),
    }

    def plan(self, rng):
        X, y = training_data(rng)
        seed = int(rng.integers(1 << 30))
        return [
            fixture("reference_mlp", 4, (6,), 0.3, seed=seed),
            fixture("loader", X, y, 16),
            fixture("bce_with_logits"),
            fixture("optimizer", Result(0), "sgd", 0.5),
            fixture("set_mode", Result(0), False),
            fixture("seed", seed + 1),
            call(self.name, Result(0), Result(1), Result(2), Result(3)),
            fixture("state", Result(0)),
        ]

    def judge(self, calls, outcomes):
        c = calls[6]
        loss, state = tolerant(outcomes[6], c), tolerant(outcomes[7], c)
        if isinstance(loss, TensorData) and loss.requires_grad:
            raise CheckFailed(f"{c.describe()} returned a tensor that still carries autograd's graph, and with it every "
                              "batch's graph of the epoch; add up loss.item(), a plain number, instead")
        reference = replay(calls, {self.name: train_one_epoch})
        slips = OneByOne(calls, self.name, train_one_epoch, self.slips)
        # The weights first: they tell the slips apart far better than one loss value can.
        expect_state(state, reference[7].value, c, slips, 7)
        expect_scalar(as_number(loss, c, "epoch loss"), reference[6].value, c, what="epoch loss", rtol=1e-4, atol=1e-6,
                      known=slips.known(6))


EVALUATION_SLIPS = {
    "half": ({"threshold": 0.5}, "a logit above 0 means probability above 0.5; you compared the logits with 0.5"),
    "broadcast": ({"accuracy": "broadcast"}, "predictions and targets of shapes (n,) and (n, 1) broadcast to an n x n comparison; "
                                             "compare tensors of one shape, (logits > 0).float() == yb, both (n, 1)"),
    "broadcast sum": ({"accuracy": "broadcast_sum"}, "predictions and targets of shapes (n,) and (n, 1) broadcast to an n x n comparison, "
                                                     "and its sum counts n * n pairs; compare tensors of one shape, both (n, 1)"),
    "broadcast all": ({"accuracy": "broadcast_all"}, "predictions and targets of shapes (n,) and (n, 1) broadcast to an n x n comparison; "
                                                     "reshape them to one shape before comparing"),
    "accuracy means": ({"accuracy": "batch_means"}, "that is the mean of the batch accuracies; the last batch is smaller, so count the "
                                                    "correct predictions over all batches and divide by the number of samples"),
    "loss means": ({"per_sample": False}, "that is the mean of the batch losses; weight each batch by its size for the per-sample mean"),
    "sigmoid": ({"sigmoid_first": True}, "the loss was computed on probabilities: BCEWithLogitsLoss applies the sigmoid itself, so pass it the raw logits"),
    "first batch": ({"only_batch": 0}, "these are the first batch's numbers (a return inside the loop over batches?); "
                                       "return after the loop, over the whole loader"),
    "last batch": ({"only_batch": -1}, "these are the last batch's numbers; add up every batch's loss and correct "
                                       "predictions and divide by the number of samples"),
}


def _designed_logits(rng, n=12, zeros=3):
    """Logits for the @logit_model (its output in eval mode is its input), some exactly 0 with label 0:
    class 1 for a logit >= 0 gets those wrong."""
    logits = rng.choice([-1.0, 1.0], n) * rng.uniform(0.1, 3.0, n)
    labels = rng.integers(0, 2, n).astype(float)
    at_zero = rng.choice(n, zeros, replace=False)
    logits[at_zero], labels[at_zero] = 0.0, 0.0
    return logits.reshape(-1, 1), labels


class Evaluate(Check):
    """evaluate: the per-sample mean loss and the accuracy at logit 0 over the whole loader, in
    eval mode, without autograd, on data where a 0.5 threshold, (n,) against (n, 1) comparisons and
    batch means each give other numbers; and on logits designed to include exact zeros, which are
    class 0 (the prompt's logit > 0)."""

    name = "evaluate"
    at_zero = {"inclusive": ({"inclusive": True}, "a logit of exactly 0 is a probability of exactly 0.5, which is class 0: "
                                                  "predict class 1 when the logit is > 0, not >= 0")}

    def plan(self, rng):
        seed, (X, y) = eval_data(rng, 50, lambda seed: fixtures.reference_mlp(4, (6,), 0.5, seed=seed))
        logits, labels = _designed_logits(rng)
        return [
            fixture("reference_mlp", 4, (6,), 0.5, seed=seed),
            fixture("loader", X, y, 16),
            fixture("bce_with_logits"),
            fixture("set_mode", Result(0), True),
            fixture("trace_forward", Result(0)),
            call(self.name, Result(0), Result(1), Result(2)),
            fixture("trace", Result(0)),
            # Already in eval mode: its BatchNorm is no layer of an MLP, which evaluate need not know.
            fixture("logit_model", 1),
            fixture("loader", logits, labels, 5),
            fixture("set_mode", Result(7), False),
            fixture("trace_forward", Result(7)),
            call(self.name, Result(7), Result(8), Result(2)),
            fixture("trace", Result(7)),
        ]

    def _honest(self, c, outcome, trace_outcome, training_effect):
        trace = tolerant(trace_outcome, c)
        if not isinstance(trace, list) or not all(isinstance(r, dict) and {"training", "grad_enabled"} <= set(r) for r in trace):
            raise CheckFailed(f"{c.describe()}: the record of the model's forward passes is damaged")
        return expect_honest_evaluation(tolerant(outcome, c), trace, c, training_effect=training_effect)

    def judge(self, calls, outcomes):
        reference = replay(calls, {self.name: evaluate})
        for index, slips, effect in ((5, EVALUATION_SLIPS, "dropout active"), (11, self.at_zero, "batch norm normalising each batch")):
            c = calls[index]
            value = self._honest(c, outcomes[index], outcomes[index + 1], effect)
            known = OneByOne(calls, self.name, evaluate, slips)
            for key, what, tolerances in (("accuracy", "accuracy", {}), ("loss", "loss", {"rtol": 1e-4, "atol": 1e-6})):
                expect_scalar(as_number(value[key], c, what), reference[index].value[key], c, what=what,
                              known=((v[key], m) for v, m in known.known(index) if isinstance(v, dict)), **tolerances)
