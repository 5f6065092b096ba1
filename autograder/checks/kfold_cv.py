"""Hidden checks of 03_kfold_cv.

Folds are judged by their properties (disjoint, complete, stratified, shuffled, reproducible).
Cross-validation is judged by behaviour: the `make_model` it is given records how many models
were made and what data each one saw in training and in evaluation, so a scaler fitted before
the split, or one model reused for every fold, shows without reading the student's code. The
scores are then compared with a replay on the student's own folds, and the weights each fold's
model ended with (fingerprints) with the replay's, so epochs, lr and seed must all be passed on.
The baseline is also run on data whose test folds each lie far out in a column of their own
(`dlmed.fixtures.spike_folds`), so a scaler that saw all of X scores visibly differently.
"""

from __future__ import annotations

import warnings

import numpy as np
from dlmed import wire
from dlmed.fixtures import fingerprint, spike_folds
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


def _spiky_data(rng, y, d=5):
    """Columns 0..d-2 carry the label, the last is noise: stretched by fold (spike_folds), every
    test fold is told apart by a column that only a scaler fitted on its training part keeps usable."""
    signal = np.r_[np.ones(d - 1), 0.0] * 2.5 * (2 * y[:, None] - 1)
    return (rng.normal(size=(len(y), d)) + signal) * rng.uniform(0.5, 4, d) + rng.normal(0, 3, d)


def _index_array(value, c) -> np.ndarray:
    """One fold's indices as an integer array, or a failure saying what they were instead."""
    if isinstance(value, wire.TensorData):
        value = value.array
    if isinstance(value, wire.Unsupported):
        raise CheckFailed(f"{c.describe()}: a fold holds a {value.type_name}; return integer index arrays")
    if not isinstance(value, (list, tuple, np.ndarray, np.generic)):
        raise CheckFailed(f"{c.describe()}: a fold holds a {type(value).__name__}; return integer index arrays")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise CheckFailed(f"{c.describe()}: a fold's indices are not a flat array of integers") from None
    if array.dtype.kind == "b":
        raise CheckFailed(f"{c.describe()} returned boolean masks; return integer index arrays "
                          "(np.flatnonzero(mask)), as StratifiedKFold.split does")
    if array.size and array.dtype.kind not in "iu":
        raise CheckFailed(f"{c.describe()}: a fold's indices have dtype {array.dtype}; return integer index arrays")
    return array.astype(int).ravel()


def read_folds(value, c, n):
    """The folds as lists of integer index arrays, after the checks every fold list must pass."""
    if isinstance(value, wire.Unsupported):
        raise CheckFailed(f"{c.describe()} returned a {value.type_name}; return a list of (train_idx, test_idx) pairs "
                          "(list(...) around a generator such as StratifiedKFold.split)")
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(f, (list, tuple)) and len(f) == 2 for f in value):
        raise CheckFailed(f"{c.describe()} must return a list of (train_idx, test_idx) pairs")
    folds = [(_index_array(train, c), _index_array(test, c)) for train, test in value]
    if len(folds) > 2 and all(len(train) < len(test) for train, test in folds):
        raise CheckFailed(f"{c.describe()}: in every pair the second array is the larger one, so it looks like the "
                          "training part; each pair must be (train_idx, test_idx), in that order")
    every = np.concatenate([test for _, test in folds])
    if len(set(every.tolist())) != len(every):
        raise CheckFailed(f"{c.describe()}: test folds overlap; each sample must be tested exactly once")
    if sorted(every.tolist()) != list(range(n)):
        raise CheckFailed(f"{c.describe()}: the test folds leave samples out; together they must cover all {n}")
    for train, test in folds:
        if len(train) != len(set(train.tolist())) or sorted(train.tolist()) != sorted(set(range(n)) - set(test.tolist())):
            raise CheckFailed(f"{c.describe()}: a fold's training indices must be every index not in its test fold")
    return folds


class FoldIndices(Check):
    """fold_indices: disjoint test folds covering every sample, complements as training parts, stratified, shuffled with the seed."""

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
            raise CheckFailed("fold_indices gave the same folds for two different seeds; the folds must be shuffled "
                              "with the seed (shuffle=True, random_state=seed)")


def reference_cv(X, y, folds, factory_seed, epochs, lr, seed):
    """Cross-validation as asked, on the given folds, with models numbered as the factory's:
    the fold scores and the trained models."""
    from dlmed.fixtures import ModelFactory

    make_model = ModelFactory(X.shape[1], HIDDEN, factory_seed)
    scores, models = [], []
    for train, test in folds:
        scaler = StandardScaler().fit(X[train])
        model = train_model(make_model(), scaler.transform(X[train]), y[train], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, scaler.transform(X[test]), y[test]))
        models.append(model)
    return scores, models


def _cv_plan(rng, fn, extra_kwargs, seeds):
    X, y = _data(rng)
    factory_seed = int(rng.integers(1000))
    calls = [fixture("model_factory", X.shape[1], HIDDEN, factory_seed)]
    calls += [call("fold_indices", y, n_splits=4, seed=s) for s in seeds]
    calls.append(call(fn, X, y, Result(0), n_splits=4, epochs=EPOCHS, lr=LR, **extra_kwargs))
    calls.append(fixture("factory_report", Result(0)))
    calls.append(fixture("factory_fingerprints", Result(0)))
    return calls


def _check_models(report, X, y, folds, c, epochs, where="", fold_hint="the folds fold_indices gives for this seed"):
    """Every fold trained a fresh model on its own training part, scaled with that part's statistics,
    for `epochs` epochs, and evaluated it on its test part scaled the same way."""
    if not isinstance(report, list) or not all(isinstance(seen, dict) for seen in report):
        raise CheckFailed(f"{c.describe()}: the record of the models it made is damaged")
    if len(report) != len(folds):
        raise CheckFailed(f"{c.describe()}{where} called make_model() {len(report)} times for {len(folds)} folds; "
                          "make a fresh model for every fold, or later folds start from trained weights")
    for k, ((train, test), seen) in enumerate(zip(folds, report)):
        if "train" not in seen or "eval" not in seen:
            raise CheckFailed(f"{c.describe()}{where}: the model of fold {k + 1} was not both trained and evaluated")
        try:
            trained, evaluated = seen["train"], seen["eval"]
            n_trained, n_evaluated = int(trained["n"]), int(evaluated["n"])
            mean, std = as_array(trained["mean"], c).ravel(), as_array(trained["std"], c).ravel()
            eval_mean = as_array(evaluated["mean"], c).ravel()
        except (KeyError, TypeError, ValueError):
            raise CheckFailed(f"{c.describe()}: the record of the models it made is damaged") from None
        if n_trained % len(train):
            raise CheckFailed(f"{c.describe()}{where}: fold {k + 1}'s model trained on batches that are not its {len(train)} training samples")
        if n_trained != epochs * len(train):
            raise CheckFailed(f"{c.describe()}{where}: fold {k + 1}'s model was trained for {n_trained // len(train)} epochs, "
                              f"not epochs={epochs}; pass epochs=epochs (and lr, seed) on to train_model")
        if mean.shape != (X.shape[1],) or std.shape != mean.shape or eval_mean.shape != mean.shape:
            raise CheckFailed(f"{c.describe()}{where}: fold {k + 1}'s model was not given the {X.shape[1]} features of X")
        if np.max(np.abs(mean)) > 1e-4 or np.max(np.abs(std - 1)) > 0.02:
            raise CheckFailed(
                f"{c.describe()}{where}: in fold {k + 1} the training inputs have means up to {np.max(np.abs(mean)):.3g}, "
                "not 0: fit the scaler inside each fold, on that fold's training part only"
            )
        scaler = StandardScaler().fit(X[train])
        expected = scaler.transform(X[test]).mean(0)
        if n_evaluated != len(test) or not np.allclose(eval_mean, expected, atol=5e-3):
            own = n_evaluated == len(test) and np.max(np.abs(eval_mean)) < 1e-4
            raise CheckFailed(
                f"{c.describe()}{where}: fold {k + 1} was not evaluated on its test part transformed with the training part's scaler"
                + ("; the test part was scaled with its own statistics (a second fit): only transform it" if own else
                   f" (the test part of fold {k + 1} of {fold_hint})")
            )


def _fingerprints(value, c, count):
    """The factory_fingerprints record as one flat array of numbers per model."""
    if not isinstance(value, list) or len(value) != count or not all(isinstance(fp, dict) for fp in value):
        raise CheckFailed(f"{c.describe()}: the record of the trained models is damaged")
    try:
        return [{name: np.asarray([v[0], v[1], *v[2]], dtype=float) for name, v in fp.items()} for fp in value]
    except (TypeError, ValueError, IndexError, KeyError):
        raise CheckFailed(f"{c.describe()}: the record of the trained models is damaged") from None


def _same_weights(student: dict, model) -> bool:
    reference = {name: np.asarray([v[0], v[1], *v[2]], dtype=float) for name, v in fingerprint(model).items()}
    return set(student) == set(reference) and all(
        student[name].shape == ref.shape and np.allclose(student[name], ref, rtol=1e-3, atol=1e-5) for name, ref in reference.items()
    )


# (keyword arguments of train_model that a slip leaves at train_model's defaults, message)
_TRAINING_SLIPS = [
    ({"seed": 0}, "train_model was called without seed=seed, so it shuffled the batches with its default seed 0"),
    ({"lr": 1e-3}, "train_model was called without lr=lr, so it trained with its default learning rate 1e-3"),
]


def _check_weights(prints, models, X, y, folds, factory_seed, epochs, lr, seed, c, where=""):
    """Each fold's model ended with the weights of the reference training; a mismatch is explained
    by replaying that one fold with the classic slips (only then, so correct answers pay nothing)."""
    from dlmed.fixtures import ModelFactory

    for k, (student, model) in enumerate(zip(prints, models)):
        if _same_weights(student, model):
            continue
        train = folds[k][0]
        X_train = StandardScaler().fit(X[train]).transform(X[train])
        for changes, message in _TRAINING_SLIPS:
            settings = {"epochs": epochs, "lr": lr, "seed": seed, **changes}
            slipped = train_model(ModelFactory(X.shape[1], HIDDEN, factory_seed + k)(), X_train, y[train], **settings)
            if _same_weights(student, slipped):
                raise CheckFailed(f"{c.describe()}{where}: {message}")
        raise CheckFailed(f"{c.describe()}{where}: fold {k + 1}'s model did not end with the weights "
                          f"train_model(make_model(), X_train_scaled, y_train, epochs={epochs}, lr={lr}, seed={seed}) gives")


class CrossValidate(Check):
    """cross_validate: per fold of fold_indices a fresh model, trained (epochs, lr, seed) on the training part scaled by its own fit, scored on the test part scaled alike."""

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
        _check_models(report, X, y, folds, c, EPOCHS)
        factory_seed = calls[0].args[2]
        reference, models = reference_cv(X, y, folds, factory_seed, EPOCHS, LR, 5)
        prints = _fingerprints(tolerant(outcomes[4], c), c, len(folds))
        _check_weights(prints, models, X, y, folds, factory_seed, EPOCHS, LR, 5, c)
        expect_array(scores, reference, c, what="fold accuracies", rtol=0,
                     atol=0.5 / max(len(test) for _, test in folds))


class SummarizeScores(Check):
    """summarize_scores: the mean and the sample standard deviation (ddof=1) of any sequence of scores."""

    name = "summarize_scores"

    def plan(self, rng):
        return [call(self.name, [float(v) for v in rng.uniform(0.8, 1.0, 5)]), call(self.name, rng.uniform(0.6, 0.9, 8))]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            value = tolerant(outcome, c)
            if isinstance(value, (dict, str, wire.Unsupported)) or value is None:
                raise CheckFailed(f"{c.describe()} must return a pair (mean, std)")
            pair = as_numbers(value, c, "pair (mean, std)")
            if pair.shape != (2,):
                raise CheckFailed(f"{c.describe()} must return a pair (mean, std), got shape {pair.shape}")
            scores = np.asarray(c.args[0], dtype=float)
            expect_scalar(pair[0], scores.mean(), c, what="mean")
            expect_scalar(pair[1], scores.std(ddof=1), c, what="standard deviation", known=[
                (scores.std(ddof=0), "that is the population std (ddof=0); a handful of fold scores is a sample: use ddof=1"),
                (scores.var(ddof=1), "that is the variance; the standard deviation is its square root"),
                (scores.var(ddof=0), "that is the population variance; return the sample standard deviation (std with ddof=1)"),
            ])


def _leaky_baseline(X, y, folds):
    """The baseline with the scaler fitted once on all of X, before the folds: the leak to name."""
    scaled = StandardScaler().fit_transform(X)
    return [LogisticRegression().fit(scaled[tr], y[tr]).score(scaled[te], y[te]) for tr, te in folds]


def _unscaled_baseline(X, y, folds):
    with warnings.catch_warnings():  # lbfgs does not converge on raw features; only the scores matter here
        warnings.simplefilter("ignore")
        return [LogisticRegression().fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in folds]


class BaselineCv(Check):
    """baseline_cv: StandardScaler + LogisticRegression fitted on each training part of fold_indices' folds only, never on all of X."""

    name = "baseline_cv"

    def plan(self, rng):
        X, y = _data(rng, n=240)
        seed = int(rng.integers(1000))
        return [call("fold_indices", y, n_splits=4, seed=seed), call(self.name, X, y, n_splits=4, seed=seed),
                fixture("spiked_by_fold", _spiky_data(rng, y), Result(0)),
                call(self.name, Result(2), y, n_splits=4, seed=seed)]

    def judge(self, calls, outcomes):
        c, (X, y) = calls[1], calls[1].args
        folds = read_folds(tolerant(outcomes[0], calls[0]), calls[0], len(y))
        atol = 0.5 / max(len(te) for _, te in folds)
        hint = "one accuracy per fold, on the folds of fold_indices(y, n_splits, seed)"
        for c, X, outcome in ((c, X, outcomes[1]), (calls[3], spike_folds(calls[2].args[0], folds), outcomes[3])):
            value = as_numbers(tolerant(outcome, c), c, "fold accuracies")
            if value.shape != (len(folds),):
                raise CheckFailed(f"{c.describe()} must return one accuracy per fold ({len(folds)})")
            reference = [make_pipeline(StandardScaler(), LogisticRegression()).fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in folds]
            # scikit-learn is deterministic: on the same folds every correct pipeline scores the same.
            known = ((wrong(X, y, folds), message) for wrong, message in (
                (_leaky_baseline, "these are the scores of a StandardScaler fitted on all of X before the folds: it has "
                                  "seen every test fold (the leak this assignment warns of); fit it on each training "
                                  "part only, e.g. a fresh make_pipeline(StandardScaler(), LogisticRegression()) per fold"),
                (_unscaled_baseline, "these are the scores of LogisticRegression on unscaled features; the baseline is a "
                                     "pipeline of StandardScaler and LogisticRegression"),
            ))
            expect_array(value, reference, c, what="fold accuracies", rtol=0, atol=atol, known=known, shape_hint=hint)


class RepeatedCv(Check):
    """repeated_cv: row i is cross_validate with seed=seeds[i], on that seed's folds, one fresh model per fold and repeat."""

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
        report = tolerant(outcomes[c_index + 1], c)
        if value.shape != (len(self.seeds), 4):
            raise CheckFailed(f"{c.describe()} returned shape {value.shape}, expected (len(seeds), n_splits) = ({len(self.seeds)}, 4)")
        if not isinstance(report, list) or len(report) != len(self.seeds) * 4:
            raise CheckFailed(f"{c.describe()} made {len(report) if isinstance(report, list) else 'an unknown number of'} models; "
                              "each fold of each repeat needs a fresh one")
        prints = _fingerprints(tolerant(outcomes[c_index + 2], c), c, len(report))
        factory_seed = calls[0].args[2]
        reference, made = [], 0
        for i, (seed, folds) in enumerate(zip(self.seeds, all_folds)):
            where = f" in repeat {i + 1} (seed={seed})"
            _check_models(report[made:made + len(folds)], X, y, folds, c, EPOCHS, where,
                          f"fold_indices(y, n_splits, seed={seed}); row {i + 1} must be cross_validate(..., seed=seeds[{i}])")
            # The factory numbers its models, so the replay's factory starts where the run's stood.
            scores, models = reference_cv(X, y, folds, factory_seed + made, EPOCHS, LR, seed)
            _check_weights(prints[made:made + len(folds)], models, X, y, folds, factory_seed + made, EPOCHS, LR, seed, c, where)
            reference.append(scores)
            made += len(folds)
        expect_array(value, np.array(reference), c, what="scores", rtol=0, atol=0.5 / 30,
                     shape_hint="row i holds cross_validate(..., seed=seeds[i])")


CHECKS = [FoldIndices(), CrossValidate(), SummarizeScores(), BaselineCv(), RepeatedCv()]
