"""Hidden checks of 03_kfold_cv.

Folds are judged by their properties (disjoint, complete, stratified, shuffled: no fold a run of
consecutive rows of each class, reproducible, the defaults' folds).
Cross-validation is judged by what it returns and what it trained: the `make_model` it is given
records how many models were made and the inputs each one saw in training and in evaluation, and
the weights each fold's model ended with (fingerprints) must be those of a replay on the student's
own folds, so the scaler, a fresh model, epochs, lr and seed all show without reading the code.
What a model was evaluated on must add up to its test part and, any number of times, its training
part (a printed diagnostic is no mistake), both scaled by the training part's fit; the scores
must be the replay's. Every function with defaults is also called with them.
The baseline is also run on data whose test folds each lie far out in a column of their own
(`dlmed.fixtures.spike_folds`), so a scaler that saw all of X scores visibly differently.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from dlmed import wire
from dlmed.fixtures import ModelFactory, fingerprint, spike_folds
from dlmed.training import accuracy, train_model
from dlmed.wire import Result
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import Call, Check, CheckFailed, call, fixture
from .expect import as_array, as_numbers, expect_array, expect_scalar, tolerant

HIDDEN = (8,)
EPOCHS, LR = 6, 0.05  # enough training that the folds' scores differ
DEFAULT_EPOCHS, DEFAULT_LR = 30, 1e-3  # the signatures' own


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


def _runs_of_each_class(folds, y) -> bool:
    """Whether every test fold holds, of each class, a run of that class's consecutive rows: the
    folds of an unshuffled split, in whatever order they come."""
    for _, test in folds:
        for label in np.unique(y):
            ranks = np.flatnonzero(np.isin(np.flatnonzero(y == label), test))
            if len(ranks) and ranks[-1] - ranks[0] + 1 != len(ranks):
                return False
    return True


class FoldIndices(Check):
    """fold_indices: disjoint test folds covering every sample, complements as training parts, stratified, shuffled with the seed, defaults n_splits=5 and seed=0."""

    name = "fold_indices"
    n, positives = 303, 106

    def plan(self, rng):
        y = _grouped_labels(self.n, self.positives)
        seed = int(rng.integers(1, 1000))
        return [call(self.name, y, n_splits=5, seed=seed), call(self.name, y, n_splits=5, seed=seed),
                call(self.name, y, n_splits=5, seed=seed + 1), call(self.name, y, n_splits=3, seed=seed), call(self.name, y),
                call(self.name, y, n_splits=5, seed=0)]

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
            if _runs_of_each_class(folds, y):
                raise CheckFailed(f"{c.describe()}: the folds are not shuffled: each test fold is a run of consecutive rows "
                                  "of each class, as in the file (shuffling the list of folds changes nothing); shuffle "
                                  "the rows (shuffle=True, random_state=seed)")
            all_folds.append([np.sort(test) for _, test in folds])
        if not _same_folds(all_folds[0], all_folds[1]):
            raise CheckFailed(f"{calls[0].describe()} twice gave different folds; pass the seed as random_state")
        if _same_folds(all_folds[0], all_folds[2]):
            raise CheckFailed("fold_indices gave the same folds for two different seeds; the folds must be shuffled "
                              "with the seed (shuffle=True, random_state=seed)")
        if not _same_folds(all_folds[4], all_folds[5]):
            raise CheckFailed(f"{calls[4].describe()} differs from {calls[5].describe()}; keep the signature's defaults, "
                              "fold_indices(y, n_splits=5, seed=0)")


def _same_folds(one, other) -> bool:
    """The same test folds, in any order."""
    return sorted(map(tuple, one)) == sorted(map(tuple, other))


def _cv_run(start, X, y, factory_seed, fn, fold_kwargs, **kwargs):
    """The calls of one cross-validation run, the first at index `start` of the plan: a recording
    make_model, the folds the judge replays on, the student's call, and what its models saw and became."""
    calls = [fixture("model_factory", X.shape[1], HIDDEN, factory_seed)]
    calls += [call("fold_indices", y, **kw) for kw in fold_kwargs]
    calls.append(call(fn, X, y, Result(start), **kwargs))
    calls.append(fixture("factory_report", Result(start)))
    calls.append(fixture("factory_fingerprints", Result(start)))
    return calls


def _cv_plan(rng, fn, seeds, extra_kwargs, default_seeds, default_kwargs):
    """A run with settings of the plan's own, then one on small data under the signature's defaults
    (n_splits=5, epochs=30, lr=1e-3, and seed=0 where the function has a seed)."""
    X, y = _data(rng)
    calls = _cv_run(0, X, y, int(rng.integers(1000)), fn, [{"n_splits": 4, "seed": s} for s in seeds],
                    n_splits=4, epochs=EPOCHS, lr=LR, **extra_kwargs)
    X, y = _data(rng, n=40)  # one batch of 32 per epoch: the defaults cost little training
    calls += _cv_run(len(calls), X, y, int(rng.integers(1000)), fn, [{"n_splits": 5, "seed": s} for s in default_seeds],
                     **default_kwargs)
    return calls


@dataclass
class Run:
    """One run of a _cv_plan as the judge reads it, with the settings it must have used."""

    call: Call
    value: object
    folds: list  # one fold list per seed
    report: object
    prints: object
    factory_seed: int
    epochs: int
    lr: float
    seeds: list
    where: str  # how messages name the run


def _runs(calls, outcomes, seeds, default_seeds, defaults: str) -> list[Run]:
    runs, start = [], 0
    for run_seeds, (epochs, lr), where in ((seeds, (EPOCHS, LR), ""),
                                           (default_seeds, (DEFAULT_EPOCHS, DEFAULT_LR), f" (with its defaults {defaults})")):
        size = 4 + len(run_seeds)
        block, results = calls[start:start + size], outcomes[start:start + size]
        c = block[-3]
        folds = [read_folds(tolerant(o, fc), fc, len(c.args[1])) for fc, o in zip(block[1:-3], results[1:-3])]
        runs.append(Run(c, tolerant(results[-3], c), folds, tolerant(results[-2], c), tolerant(results[-1], c),
                        block[0].args[2], epochs, lr, run_seeds, where))
        start += size
    return runs


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


def _moments(seen: dict, mode: str, c, d):
    """(count, mean, mean of squares) of the inputs a model saw in one mode ("train" or "eval")."""
    try:
        record = seen[mode]
        n = int(record["n"])
        mean, std = as_array(record["mean"], c).ravel(), as_array(record["std"], c).ravel()
    except (KeyError, TypeError, ValueError):
        raise CheckFailed(f"{c.describe()}: the record of the models it made is damaged") from None
    if mean.shape != (d,) or std.shape != (d,):
        raise CheckFailed(f"{c.describe()}: a model was not given the {d} features of X")
    return n, mean, std**2 + mean**2


def _evaluated_on_its_parts(evaluated, parts) -> bool:
    """Whether the inputs evaluated add up to the test part, once or more, and the training part any
    number of times (a diagnostic), both transformed with the training part's scaler. Only counts and
    sums are recorded, so every split of the count between the two parts is tried."""
    n, mean, square = evaluated
    (n_test, sum_test, sq_test), (n_train, sum_train, sq_train) = parts
    for a in range(1, n // n_test + 1):
        b, rest = divmod(n - a * n_test, n_train)
        if rest == 0 and np.allclose(mean, (a * sum_test + b * sum_train) / n, atol=5e-3) \
                and np.allclose(square, (a * sq_test + b * sq_train) / n, rtol=1e-3, atol=1e-3):
            return True
    return False


# (keyword arguments of train_model that a slip leaves at train_model's defaults, message)
_TRAINING_SLIPS = [
    ({"seed": 0}, "train_model was called without seed=seed, so it shuffled the batches with its default seed 0"),
    ({"lr": 1e-3}, "train_model was called without lr=lr, so it trained with its default learning rate 1e-3"),
]


def _check_fold(seen, fp, X, y, train, test, model_seed, epochs, lr, seed, c, where, k, fold_hint):
    """Fold k: its model ended with the weights of train_model on the training part scaled by its own
    fit (so it was fresh, and epochs, lr and seed were passed on), and what it was evaluated on was its
    test part scaled alike. Only a mismatch is explained, from what the model was trained on and from
    replays of the classic slips, so correct answers pay for one replay. Returns the fold's reference score."""
    if "train" not in seen or "eval" not in seen:
        raise CheckFailed(f"{c.describe()}{where}: the model of fold {k + 1} was not both trained and evaluated "
                          "(accuracy(model, X_test_scaled, y_test) evaluates it)")
    d = X.shape[1]
    scaler = StandardScaler().fit(X[train])
    X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
    parts = [(len(test), X_test.sum(0), (X_test**2).sum(0)), (len(train), X_train.sum(0), (X_train**2).sum(0))]
    evaluated = _moments(seen, "eval", c, d)

    def train_as(**changes):
        settings = {"epochs": epochs, "lr": lr, "seed": seed, **changes}
        return train_model(ModelFactory(d, HIDDEN, model_seed)(), X_train, y[train], **settings)

    model = train_as()
    if not _same_weights(fp, model):
        n_trained, mean, square = _moments(seen, "train", c, d)
        if n_trained % len(train):
            raise CheckFailed(f"{c.describe()}{where}: fold {k + 1}'s model trained on batches that are not its "
                              f"{len(train)} training samples (fold {k + 1} of {fold_hint})")
        if n_trained != epochs * len(train):
            raise CheckFailed(f"{c.describe()}{where}: fold {k + 1}'s model was trained for {n_trained // len(train)} epochs, "
                              f"not epochs={epochs}; pass epochs (and lr, seed) on, down to train_model")
        std = np.sqrt(np.maximum(square - mean**2, 0))
        if np.max(np.abs(mean)) > 1e-4 or np.max(np.abs(std - 1)) > 0.02:
            raise CheckFailed(f"{c.describe()}{where}: in fold {k + 1} the training inputs have means up to "
                              f"{np.max(np.abs(mean)):.3g}, not 0: fit the scaler inside each fold, on that fold's training part only")
        if not _evaluated_on_its_parts(evaluated, parts):
            raise CheckFailed(f"{c.describe()}{where}: fold {k + 1}'s model was trained and evaluated on other parts "
                              f"than fold {k + 1} of {fold_hint}")
        for changes, message in _TRAINING_SLIPS:
            if _same_weights(fp, train_as(**changes)):
                raise CheckFailed(f"{c.describe()}{where}: {message}")
        raise CheckFailed(f"{c.describe()}{where}: fold {k + 1}'s model did not end with the weights "
                          f"train_model(make_model(), X_train_scaled, y_train, epochs={epochs}, lr={lr}, seed={seed}) gives")
    if not _evaluated_on_its_parts(evaluated, parts):
        n, mean, square = evaluated
        if n == len(test) and np.max(np.abs(mean)) < 1e-4 and np.allclose(square, 1, atol=0.02):
            why = "; the test part was scaled with its own statistics (a second fit): only transform it"
        elif n == len(test) and np.allclose(mean, X[test].mean(0), rtol=1e-4):
            why = "; the test part was not scaled: transform it with the scaler fitted on the training part"
        elif n % len(train) == 0 and np.max(np.abs(mean)) < 1e-4:
            why = "; it was scored on its training part only, which it has learnt: score it on the held-out test part"
        else:
            why = f" (the test part of fold {k + 1} of {fold_hint})"
        raise CheckFailed(f"{c.describe()}{where}: fold {k + 1} was not evaluated on its test part transformed with the "
                          f"training part's scaler{why}")
    return accuracy(model, X_test, y[test])


def _check_run(run: Run, where_of, hint_of):
    """Every fold of every repeat of a run: a fresh model each, judged by _check_fold. Returns the
    reference scores, one row per repeat."""
    c, report = run.call, run.report
    X, y = c.args[:2]
    if not isinstance(report, list) or not all(isinstance(seen, dict) for seen in report):
        raise CheckFailed(f"{c.describe()}: the record of the models it made is damaged")
    n_folds = sum(len(folds) for folds in run.folds)
    if len(report) != n_folds:
        raise CheckFailed(f"{c.describe()} called make_model() {len(report)} times for {n_folds} folds; "
                          "make a fresh model for every fold, or later folds start from trained weights")
    prints = _fingerprints(run.prints, c, n_folds)
    rows, made = [], 0
    for i, (seed, folds) in enumerate(zip(run.seeds, run.folds)):
        row = []
        for k, (train, test) in enumerate(folds):
            # The factory numbers its models, so fold k of repeat i got model number `made`.
            row.append(_check_fold(report[made], prints[made], X, y, train, test, run.factory_seed + made,
                                   run.epochs, run.lr, seed, c, where_of(i), k, hint_of(i)))
            made += 1
        rows.append(row)
    return rows


class CrossValidate(Check):
    """cross_validate: per fold of fold_indices a fresh model, trained (epochs, lr, seed) on the training part scaled by its own fit, scored on the test part scaled alike; its defaults n_splits=5, seed=0, epochs=30, lr=1e-3."""

    name = "cross_validate"

    def plan(self, rng):
        return _cv_plan(rng, self.name, [5], {"seed": 5}, [0], {})

    def judge(self, calls, outcomes):
        for run in _runs(calls, outcomes, [5], [0], "n_splits=5, seed=0, epochs=30, lr=1e-3"):
            c, (folds,), where = run.call, run.folds, run.where
            scores = as_numbers(run.value, c, "fold accuracies")
            if scores.shape != (len(folds),):
                raise CheckFailed(f"{c.describe()}{where} returned {scores.size} number(s); it must return {len(folds)} "
                                  "accuracies, one per fold of fold_indices(y, n_splits, seed)")
            (reference,) = _check_run(run, lambda i: where, lambda i: "the folds fold_indices gives for this seed")
            expect_array(scores, reference, c, what="fold accuracies" + where, rtol=0,
                         atol=0.5 / max(len(test) for _, test in folds))


class SummarizeScores(Check):
    """summarize_scores: the mean and the sample standard deviation (ddof=1) of any sequence of scores."""

    name = "summarize_scores"

    def plan(self, rng):
        return [call(self.name, [float(v) for v in rng.uniform(0.8, 1.0, 5)]), call(self.name, rng.uniform(0.6, 0.9, 8))]

    def judge(self, calls, outcomes):
        for c, outcome in zip(calls, outcomes):
            if outcome.error and outcome.error.startswith("AttributeError") and isinstance(c.args[0], list):
                raise CheckFailed(f"{c.describe()} raised {outcome.error}; scores may be a plain list (cross_validate "
                                  "returns one): use np.mean and np.std(..., ddof=1), or np.asarray(scores) first")
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
    """baseline_cv: StandardScaler + LogisticRegression fitted on each training part of fold_indices' folds only, never on all of X; its defaults n_splits=5, seed=0."""

    name = "baseline_cv"

    def plan(self, rng):
        X, y = _data(rng, n=240)
        seed = int(rng.integers(1000))
        return [call("fold_indices", y, n_splits=4, seed=seed), call(self.name, X, y, n_splits=4, seed=seed),
                fixture("spiked_by_fold", _spiky_data(rng, y), Result(0)),
                call(self.name, Result(2), y, n_splits=4, seed=seed),
                call("fold_indices", y, n_splits=5, seed=0), call(self.name, X, y)]

    def judge(self, calls, outcomes):
        c, (X, y) = calls[1], calls[1].args
        folds = read_folds(tolerant(outcomes[0], calls[0]), calls[0], len(y))
        default_folds = read_folds(tolerant(outcomes[4], calls[4]), calls[4], len(y))
        hint = "one accuracy per fold, on the folds of fold_indices(y, n_splits, seed)"
        for c, X, folds, outcome, where in (
                (c, X, folds, outcomes[1], ""), (calls[3], spike_folds(calls[2].args[0], folds), folds, outcomes[3], ""),
                (calls[5], X, default_folds, outcomes[5], " (with its defaults n_splits=5, seed=0)")):
            atol = 0.5 / max(len(te) for _, te in folds)
            value = as_numbers(tolerant(outcome, c), c, "fold accuracies")
            if value.shape != (len(folds),):
                raise CheckFailed(f"{c.describe()}{where} must return one accuracy per fold ({len(folds)})")
            reference = [make_pipeline(StandardScaler(), LogisticRegression()).fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in folds]
            # scikit-learn is deterministic: on the same folds every correct pipeline scores the same.
            known = ((wrong(X, y, folds), message) for wrong, message in (
                (_leaky_baseline, "these are the scores of a StandardScaler fitted on all of X before the folds: it has "
                                  "seen every test fold (the leak this assignment warns of); fit it on each training "
                                  "part only, e.g. a fresh make_pipeline(StandardScaler(), LogisticRegression()) per fold"),
                (_unscaled_baseline, "these are the scores of LogisticRegression on unscaled features; the baseline is a "
                                     "pipeline of StandardScaler and LogisticRegression"),
            ))
            expect_array(value, reference, c, what="fold accuracies" + where, rtol=0, atol=atol, known=known, shape_hint=hint)


class RepeatedCv(Check):
    """repeated_cv: row i is cross_validate with seed=seeds[i], on that seed's folds, one fresh model per fold and repeat; its defaults n_splits=5, epochs=30, lr=1e-3."""

    name = "repeated_cv"
    seeds, default_seeds = [3, 11], [7]

    def plan(self, rng):
        return _cv_plan(rng, self.name, self.seeds, {"seeds": self.seeds}, self.default_seeds, {"seeds": self.default_seeds})

    def judge(self, calls, outcomes):
        for run in _runs(calls, outcomes, self.seeds, self.default_seeds, "n_splits=5, epochs=30, lr=1e-3"):
            c, seeds, n_splits = run.call, run.seeds, len(run.folds[0])
            value = as_numbers(run.value, c, "result")
            if value.shape != (len(seeds), n_splits):
                raise CheckFailed(f"{c.describe()}{run.where} returned shape {value.shape}, expected (len(seeds), n_splits) = "
                                  f"({len(seeds)}, {n_splits})")
            reference = _check_run(
                run, lambda i: f"{run.where} in repeat {i + 1} (seed={seeds[i]})",
                lambda i: f"fold_indices(y, n_splits, seed={seeds[i]}); row {i + 1} must be cross_validate(..., seed=seeds[{i}])")
            expect_array(value, np.array(reference), c, what="scores", rtol=0,
                         atol=0.5 / max(len(test) for _, test in run.folds[0]), shape_hint="row i holds cross_validate(..., seed=seeds[i])")


CHECKS = [FoldIndices(), CrossValidate(), SummarizeScores(), BaselineCv(), RepeatedCv()]
