"""Hidden checks of 02's sections 1 and 2: split_data and standardize, judged by properties every
correct answer has (sizes, disjoint rows that keep their labels, stratification, the seed used and
honoured; the training split's statistics only), on features whose first column names each row.

Requirement rows it guards (assignments/02_training_loop/requirements.toml):
split-order, split-labels-with-rows, split-proportions, split-disjoint, split-shuffle,
split-stratify, split-reproducible, split-seed-used, split-default-seed,
standardize-training-statistics, standardize-mean-0-std-1, standardize-three-splits,
standardize-scaler.
"""

from __future__ import annotations

import numpy as np

from .. import Check, CheckFailed, call
from ..expect import as_array, expect_array, tolerant

SPLIT_NAMES = ("X_train", "X_val", "X_test", "y_train", "y_val", "y_test")


def _id_features(rng, n, d):
    """Features whose first column is the row's index, so any split can be traced back."""
    X = rng.normal(size=(n, d))
    X[:, 0] = np.arange(n)
    return X


class SplitData(Check):
    """split_data: 60/20/20, disjoint rows that keep their labels, in the prompt's order, both splits
    stratified, the seed used and honoured, 0 by default."""

    name = "split_data"
    n, positives = 1000, 300

    def plan(self, rng):
        X = _id_features(rng, self.n, 4)
        # Grouped by class, like the real data set: a split that does not shuffle is skewed.
        y = (np.arange(self.n) >= self.n - self.positives).astype(int)
        return [call(self.name, X, y, seed=s) for s in (0, 1, 7, 7)] + [call(self.name, X, y)]

    def _ids(self, c, outcome):
        value = tolerant(outcome, c)
        if not isinstance(value, (tuple, list)) or len(value) != 6:
            raise CheckFailed(f"{c.describe()} must return six arrays: {', '.join(SPLIT_NAMES)}")
        X, y = c.args
        parts = [as_array(v, c, name) for v, name in zip(value, SPLIT_NAMES)]
        ids = []
        for Xs, ys, name in zip(parts[:3], parts[3:], ("train", "val", "test")):
            if Xs.ndim != 2 or Xs.shape[1] != X.shape[1] or len(ys) != len(Xs):
                raise CheckFailed(f"{c.describe()}: the {name} split should keep X's {X.shape[1]} columns and one label per row; "
                                  f"return {', '.join(SPLIT_NAMES)}, in that order")
            row_ids = np.rint(Xs[:, 0]).astype(int)
            if row_ids.min(initial=0) < 0 or row_ids.max(initial=0) >= len(X) or not np.allclose(Xs, X[row_ids]):
                raise CheckFailed(f"{c.describe()}: the {name} split holds rows that are not rows of X")
            if not np.array_equal(np.ravel(ys), y[row_ids]):
                raise CheckFailed(f"{c.describe()}: in the {name} split the labels no longer belong to their rows")
            ids.append(row_ids)
        return ids

    def judge(self, calls, outcomes):
        splits = []
        for c, outcome in zip(calls, outcomes):
            ids = self._ids(c, outcome)
            X, y = c.args
            sizes = [len(i) for i in ids]
            wanted = [0.6 * len(X), 0.2 * len(X), 0.2 * len(X)]
            # Per-class rounding (a stratified split by hand) may move a sample per class.
            if any(abs(s - w) > 2 for s, w in zip(sizes, wanted)):
                raise CheckFailed(f"{c.describe()}: split sizes {sizes}, expected 60/20/20 of {len(X)}: {[int(w) for w in wanted]}")
            every = np.concatenate(ids)
            if len(set(every.tolist())) != len(every):
                raise CheckFailed(f"{c.describe()}: a sample appears in two splits; the splits must be disjoint")
            share = y.mean()
            for name, i in zip(("train", "val", "test"), ids):
                if abs(y[i].sum() - share * len(i)) > 1.5:
                    raise CheckFailed(
                        f"{c.describe()}: the {name} split has {y[i].mean():.1%} positives, the data {share:.1%}; "
                        "stratify both splits by the labels (stratify=...) so every split keeps the class balance"
                    )
            splits.append(ids)
        if not all(np.array_equal(a, b) for a, b in zip(splits[2], splits[3])):
            raise CheckFailed(f"{calls[2].describe()} twice gave two different splits; pass the seed as random_state")
        def same_rows(one, other):
            return all(np.array_equal(np.sort(a), np.sort(b)) for a, b in zip(one, other))

        if same_rows(splits[0], splits[1]):
            raise CheckFailed("split_data gave the same split for seed=0 and seed=1; the seed must be used")
        if not same_rows(splits[4], splits[0]):
            raise CheckFailed(f"{calls[4].describe()} gave another split than {calls[0].describe()}; the seed defaults to seed=0")


class Standardize(Check):
    """standardize: all three splits scaled with the training split's mean and standard deviation, and
    a scaler returned with them."""

    name = "standardize"

    def plan(self, rng):
        return [call(self.name, rng.normal(5, 3, (60, 4)), rng.normal(4, 2, (20, 4)), rng.normal(6, 1, (20, 4)))]

    def judge(self, calls, outcomes):
        (c,), (outcome,) = calls, outcomes
        value = tolerant(outcome, c)
        if not isinstance(value, (tuple, list)) or len(value) != 4:
            raise CheckFailed(f"{c.describe()} must return X_train_s, X_val_s, X_test_s, scaler")
        if value[3] is None:
            raise CheckFailed(f"{c.describe()} returned None in place of the fitted scaler; return X_train_s, X_val_s, "
                              "X_test_s and the scaler fitted on X_train")
        splits = c.args
        pooled = np.concatenate(splits)

        def scaled(mean, std):
            return [(s - mean) / std for s in splits]

        train = splits[0]
        # Either standard deviation convention is a correct standardization.
        references = [scaled(train.mean(0), train.std(0, ddof=ddof)) for ddof in (0, 1)]
        known = [
            (scaled(pooled.mean(0), pooled.std(0)), "the scaler was fitted on all the data; fit it on X_train only, then transform the validation and test splits with it"),
            ([(s - s.mean(0)) / s.std(0) for s in splits], "each split was scaled with its own mean and std; transform validation and test with the training split's statistics"),
            (scaled(splits[1].mean(0), splits[1].std(0)), "the scaler was fitted on X_val; fit it on X_train only, then transform the validation and test splits with it"),
            (scaled(splits[2].mean(0), splits[2].std(0)), "the scaler was fitted on X_test; fit it on X_train only, then transform the validation and test splits with it"),
            (scaled(train.mean(0), 1.0), "the splits were centred with the training mean but not divided by its standard deviation; "
                                         "standardize to mean 0 and standard deviation 1"),
        ]
        names = ("X_train_s", "X_val_s", "X_test_s")
        outputs = [as_array(v, c, name) for v, name in zip(value[:3], names)]
        for reference in references:
            if all(o.shape == r.shape and np.allclose(o, r, rtol=1e-5, atol=1e-6) for o, r in zip(outputs, reference)):
                return
        for i, name in enumerate(names):  # raises at the first split that is wrong, naming the slip
            expect_array(outputs[i], references[0][i], c, what=name, rtol=1e-5, atol=1e-6,
                         known=[(wrong[i], message) for wrong, message in known])
        raise CheckFailed(f"{c.describe()}: the three splits must be scaled with one and the same std convention")

