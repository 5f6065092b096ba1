"""Hidden checks of 03_kfold_cv.

Folds are judged by their properties (disjoint, complete, stratified, shuffled, reproducible).
Cross-validation is judged by behaviour: the `make_model` it is given records how many models
were made and what data each one saw in training and in evaluation, so a scaler fitted before
the split, or one model reused for every fold, shows without reading the student's code. The
scores are then compared with a replay on the student's own folds.
"""

from __future__ import annotations

import numpy as np
from dlmed.training import accuracy, train_model
from dlmed.wire import Result
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import Check, CheckFailed, call, fixture
from .expect import as_array, as_numbers, expect_array, expect_scalar, tolerant

HIDDEN = (8,)
EPOCHS, LR = 6, 0.05  # enough training that the folds' scores differ




def _grouped_labels(n, positives):
    """Labels grouped by class, like the breast cancer rows: unshuffled folds are visibly skewed."""
    return (np.arange(n) >= n - positives).astype(int)


def _data(rng, n=120, d=5):
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 4, d) + rng.normal(0, 3, d)
    y = _grouped_labels(n, n // 3)
    X[y == 1] += 0.8  # some signal, so accuracies differ from fold to fold
    return X, y


def read_folds(value, c, n):
    """The folds as lists of integer index arrays, after the checks every fold list must pass."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(f, (list, tuple)) and len(f) == 2 for f in value):
        raise CheckFailed(f"{c.describe()} must return a list of (train_idx, test_idx) pairs")
    folds = []
    for train, test in value:
        train, test = (np.asarray(a if isinstance(a, list) else as_array(a, c, "index array")).astype(int).ravel()
                       for a in (train, test))
        folds.append((train, test))
    every = np.concatenate([test for _, test in folds])
    if len(set(every.tolist())) != len(every):
        raise CheckFailed(f"{c.describe()}: test folds overlap; each sample must be tested exactly once")
    if sorted(every.tolist()) != list(range(n)):
        raise CheckFailed(f"{c.describe()}: the test folds leave samples out; together they must cover all {n}")
    for train, test in folds:
        if sorted(train.tolist()) != sorted(set(range(n)) - set(test.tolist())):
            raise CheckFailed(f"{c.describe()}: a fold's training indices must be every index not in its test fold")
    return folds


class FoldIndices(Check):
    name = "fold_indices"
    n, positives = 303, 106

    def plan(self, rng):
        y = _grouped_labels(self.n, self.positives)
        seed = int(rng.integers(1000))
        return [call(self.name, y, n_splits=5, seed=seed), call(self.name, y, n_splits=5, seed=seed),
                call(self.name, y, n_splits=5, seed=seed + 1), call(self.name, y, n_splits=3, seed=seed), call(self.name, y)]

    def judge(self, calls, outcomes):
        all_folds = []
        for c, outcome in zip(calls, outcomes):
            (y,) = c.args
            k = c.kwargs.get("n_splits", 5)
            folds = read_folds(tolerant(outcome, c), c, len(y))
            if len(folds) != k:
                raise CheckFailed(f"{c.describe()} returned {len(folds)} folds, expected n_splits={k}")
            share = y.mean()
            for _, test in folds:
                if abs(y[test].sum() - share * len(test)) > 1.5:
                    raise CheckFailed(f"{c.describe()}: a test fold has {y[test].mean():.1%} positives, the data {share:.1%}; "
                                      "stratify the folds by the labels (StratifiedKFold)")
            unshuffled = [test for _, test in StratifiedKFold(k).split(np.zeros(len(y)), y)]
            if all(np.array_equal(np.sort(test), u) for (_, test), u in zip(folds, unshuffled)):
                raise CheckFailed(f"{c.describe()}: the folds are not shuffled; shuffle (shuffle=True, random_state=seed)")
            all_folds.append([np.sort(test) for _, test in folds])
        if not all(np.array_equal(a, b) for a, b in zip(all_folds[0], all_folds[1])):
            raise CheckFailed(f"{calls[0].describe()} twice gave different folds; pass the seed as random_state")
        if all(np.array_equal(a, b) for a, b in zip(all_folds[0], all_folds[2])):
            raise CheckFailed("fold_indices gave the same folds for two different seeds; the seed must be used")


def reference_cv(X, y, folds, factory_seed, epochs, lr, seed):
    """Cross-validation as asked, on the given folds, with models numbered as the factory's."""
    from dlmed.fixtures import ModelFactory

    make_model = ModelFactory(X.shape[1], HIDDEN, factory_seed)
    scores = []
    for train, test in folds:
        scaler = StandardScaler().fit(X[train])
        model = train_model(make_model(), scaler.transform(X[train]), y[train], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, scaler.transform(X[test]), y[test]))
    return scores


def _cv_plan(rng, fn, extra_kwargs, seeds):
    X, y = _data(rng)
    factory_seed = int(rng.integers(1000))
    calls = [fixture("model_factory", X.shape[1], HIDDEN, factory_seed)]
    calls += [call("fold_indices", y, n_splits=4, seed=s) for s in seeds]
    calls.append(call(fn, X, y, Result(0), n_splits=4, epochs=EPOCHS, lr=LR, **extra_kwargs))
    calls.append(fixture("factory_report", Result(0)))
    return calls


def _check_models(report, X, y, folds, c):
    """Every fold trained a fresh model on its own training part, scaled with that part's statistics."""
    if len(report) != len(folds):
        raise CheckFailed(f"{c.describe()} called make_model() {len(report)} times for {len(folds)} folds; "
                          "make a fresh model for every fold, or later folds start from trained weights")
    for k, ((train, test), seen) in enumerate(zip(folds, report)):
        if "train" not in seen or "eval" not in seen:
            raise CheckFailed(f"{c.describe()}: the model of fold {k + 1} was not both trained and evaluated")
        trained = seen["train"]
        if trained["n"] % len(train):
            raise CheckFailed(f"{c.describe()}: fold {k + 1}'s model trained on batches that are not its {len(train)} training samples")
        mean, std = as_array(trained["mean"], c), as_array(trained["std"], c)
        if np.max(np.abs(mean)) > 1e-4 or np.max(np.abs(std - 1)) > 0.02:
            raise CheckFailed(
                f"{c.describe()}: in fold {k + 1} the training inputs have means up to {np.max(np.abs(mean)):.3g}, "
                "not 0: fit the scaler inside each fold, on that fold's training part only"
            )
        scaler = StandardScaler().fit(X[train])
        expected = scaler.transform(X[test]).mean(0)
        if seen["eval"]["n"] != len(test) or not np.allclose(as_array(seen["eval"]["mean"], c), expected, atol=5e-3):
            raise CheckFailed(f"{c.describe()}: fold {k + 1} was not evaluated on its test part transformed with the training part's scaler")


class CrossValidate(Check):
    name = "cross_validate"

    def plan(self, rng):
        return _cv_plan(rng, self.name, {"seed": 5}, seeds=[5])

    def judge(self, calls, outcomes):
        c, X, y = calls[2], *calls[2].args[:2]
        folds = read_folds(tolerant(outcomes[1], calls[1]), calls[1], len(y))
        scores = tolerant(outcomes[2], c)
        report = tolerant(outcomes[3], c)
        scores = as_numbers(scores, c, "fold accuracies")
        if scores.shape != (len(folds),):
            raise CheckFailed(f"{c.describe()} must return a list of {len(folds)} accuracies, one per fold")
        _check_models(report, X, y, folds, c)
        factory_seed = calls[0].args[2]
        reference = reference_cv(X, y, folds, factory_seed, EPOCHS, LR, 5)
        expect_array(scores, reference, c, what="fold accuracies", rtol=0,
                     atol=0.5 / max(len(test) for _, test in folds))


class SummarizeScores(Check):
    name = "summarize_scores"

    def plan(self, rng):
        return [call(self.name, list(rng.uniform(0.8, 1.0, 5))), call(self.name, rng.uniform(0.6, 0.9, 8))]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            value = tolerant(outcome, c)
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise CheckFailed(f"{c.describe()} must return a pair (mean, std)")
            scores = np.asarray(c.args[0], dtype=float)
            expect_scalar(value[0], scores.mean(), c, what="mean")
            expect_scalar(value[1], scores.std(ddof=1), c, what="standard deviation", known=[
                (scores.std(ddof=0), "that is the population std (ddof=0); a handful of fold scores is a sample: use ddof=1"),
            ])


class BaselineCv(Check):
    name = "baseline_cv"

    def plan(self, rng):
        X, y = _data(rng, n=240)
        seed = int(rng.integers(1000))
        return [call("fold_indices", y, n_splits=4, seed=seed), call(self.name, X, y, n_splits=4, seed=seed)]

    def judge(self, calls, outcomes):
        c, (X, y) = calls[1], calls[1].args
        folds = read_folds(tolerant(outcomes[0], calls[0]), calls[0], len(y))
        value = as_numbers(tolerant(outcomes[1], c), c, "fold accuracies")
        if value.shape != (len(folds),):
            raise CheckFailed(f"{c.describe()} must return one accuracy per fold ({len(folds)})")
        reference = [make_pipeline(StandardScaler(), LogisticRegression()).fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in folds]
        # scikit-learn is deterministic: on the same folds every correct pipeline scores the same.
        expect_array(value, reference, c, what="fold accuracies", rtol=0,
                     atol=0.5 / max(len(te) for _, te in folds),
                     shape_hint="one accuracy per fold, on the folds of fold_indices(y, n_splits, seed)")


class RepeatedCv(Check):
    name = "repeated_cv"
    seeds = [3, 11]

    def plan(self, rng):
        return _cv_plan(rng, self.name, {"seeds": self.seeds}, seeds=self.seeds)

    def judge(self, calls, outcomes):
        c_index = 1 + len(self.seeds)
        c = calls[c_index]
        X, y = c.args[:2]
        all_folds = [read_folds(tolerant(o, fc), fc, len(y)) for fc, o in zip(calls[1:c_index], outcomes[1:c_index])]
        value = as_numbers(tolerant(outcomes[c_index], c), c, "result")
        report = tolerant(outcomes[-1], c)
        if value.shape != (len(self.seeds), 4):
            raise CheckFailed(f"{c.describe()} returned shape {value.shape}, expected (len(seeds), n_splits) = ({len(self.seeds)}, 4)")
        if len(report) != len(self.seeds) * 4:
            raise CheckFailed(f"{c.describe()} made {len(report)} models; each fold of each repeat needs a fresh one")
        factory_seed = calls[0].args[2]
        reference, made = [], 0
        for seed, folds in zip(self.seeds, all_folds):
            # The factory numbers its models, so the replay's factory starts where the run's stood.
            reference.append(reference_cv(X, y, folds, factory_seed + made, EPOCHS, LR, seed))
            made += len(folds)
        expect_array(value, np.array(reference), c, what="scores", rtol=0, atol=0.5 / 30,
                     shape_hint="row i holds cross_validate(..., seed=seeds[i])")


CHECKS = [FoldIndices(), CrossValidate(), SummarizeScores(), BaselineCv(), RepeatedCv()]
