"""Judging helpers shared by every check: each failure says what was wrong and what to look at."""

from __future__ import annotations

from typing import Iterable

import numpy as np
from dlmed import wire

from . import Call, CheckFailed, Outcome

# (wrong value, message): a result matching a known mistake gets that mistake's explanation.
# Only read after a mismatch, so it may be a lazy generator of costly replays.
Known = Iterable[tuple[np.ndarray, str]]


def returned(outcome: Outcome, call: Call, *, allow_warnings: bool = False):
    """The value a call returned, or a failure for an exception or a warning it raised."""
    if outcome.error:
        raise CheckFailed(f"{call.describe()} raised {outcome.error}")
    if outcome.warnings and not allow_warnings:
        raise CheckFailed(
            f"{call.describe()} emitted a warning ({outcome.warnings[0]}); "
            "it must stay numerically stable for large inputs without overflow or division by zero"
        )
    return outcome.value


def tolerant(outcome: Outcome, call: Call):
    """returned() for code that calls libraries: their warnings (a DataLoader hint, a
    ConvergenceWarning, a deprecation) must not cost points."""
    return returned(outcome, call, allow_warnings=True)


def as_array(value, call: Call, what: str = "result") -> np.ndarray:
    if isinstance(value, wire.TensorData):
        return value.array
    if isinstance(value, wire.Unsupported):
        raise CheckFailed(f"{call.describe()} returned a {value.type_name}, expected a numpy array")
    if isinstance(value, (list, tuple)):
        raise CheckFailed(f"{call.describe()}: the {what} is a {type(value).__name__}, expected a numpy array")
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise CheckFailed(f"{call.describe()}: the {what} is not numeric")
    return array


def as_numbers(value, call: Call, what: str = "result") -> np.ndarray:
    """Numbers however they were collected: a list, tuple or array, nested or not, of Python or
    numpy numbers or one-element tensors (a loss kept as a tensor is still that number)."""
    if not isinstance(value, (list, tuple)):
        return as_array(value, call, what).astype(float)
    items = []
    for item in value:
        array = as_numbers(item, call, what)
        items.append(array.reshape(()) if array.size == 1 and not isinstance(item, (list, tuple)) else array)
    if len({item.shape for item in items}) > 1:
        raise CheckFailed(f"{call.describe()}: the {what} has rows of different lengths")
    try:
        return np.array(items, dtype=float).reshape((len(items), *(items[0].shape if items else ())))
    except ValueError:  # nested deeper than numpy's 64 dimensions
        raise CheckFailed(f"{call.describe()}: the {what} is nested too deeply to be a table of numbers") from None


def as_number(value, call: Call, what: str = "result") -> float:
    """One number: a Python or numpy number, or a one-element tensor or array."""
    array = as_numbers(value, call, what)
    if array.size != 1:
        raise CheckFailed(f"{call.describe()}: the {what} should be a single number, got shape {array.shape}")
    return float(array.reshape(()))


def per_epoch(history, keys, epochs: int, call: Call) -> dict[str, np.ndarray]:
    """A training history's series, one number per epoch each, however they were collected."""
    series = {}
    for key in keys:
        values = as_numbers(history[key], call, f"history[{key!r}]")
        if values.shape != (epochs,):
            raise CheckFailed(f"{call.describe()}: history[{key!r}] should hold one number per epoch ({epochs}), "
                              f"got shape {values.shape}")
        series[key] = values
    return series


def _worst(actual: np.ndarray, expected: np.ndarray) -> str:
    error = np.abs(actual - expected)
    index = np.unravel_index(int(np.nanargmax(np.where(np.isnan(error), np.inf, error))), error.shape)
    where = f" at index {tuple(int(i) for i in index)}" if error.ndim else ""
    return f"got {actual[index]:.6g}, expected {expected[index]:.6g}{where}"


def expect_array(
    value,
    expected: np.ndarray,
    call: Call,
    *,
    what: str = "result",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    known: Known = (),
    shape_hint: str = "",
) -> np.ndarray:
    """Fail unless `value` is an array of `expected`'s shape whose values match it."""
    actual = as_array(value, call, what)
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        hint = shape_hint
        if actual.shape == expected.T.shape and actual.ndim == 2:
            hint = hint or "it looks transposed"
        raise CheckFailed(
            f"{call.describe()}: the {what} has shape {actual.shape}, expected {expected.shape}"
            + (f"; {hint}" if hint else "")
        )
    actual = actual.astype(float)
    if not np.all(np.isfinite(actual)):
        raise CheckFailed(
            f"{call.describe()}: the {what} contains NaN or inf; "
            "rewrite the computation so large inputs cannot overflow"
        )
    if np.allclose(actual, expected, rtol=rtol, atol=atol):
        return actual
    for wrong, message in known:
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == actual.shape and np.allclose(actual, wrong, rtol=rtol, atol=atol):
            raise CheckFailed(f"{call.describe()}: {message}")
    raise CheckFailed(f"{call.describe()}: wrong {what}: {_worst(actual, expected)}")


def expect_scalar(value, expected: float, call: Call, **kwargs) -> float:
    """Like expect_array for a single number (a Python float, a numpy scalar or a 0-d array)."""
    actual = as_array(value, call, kwargs.get("what", "result"))
    if actual.size != 1:
        raise CheckFailed(f"{call.describe()} returned shape {actual.shape}, expected a single number")
    known = ((np.reshape(w, actual.shape), m) for w, m in kwargs.pop("known", ()))  # lazy: see Slips
    return float(expect_array(actual, np.reshape(expected, actual.shape), call, known=known, **kwargs))


def expect_honest_evaluation(value, trace: list, call: Call, *, training_effect: str) -> dict:
    """An evaluate() result: a dict of loss and accuracy, from forward passes (recorded by the
    @trace_forward fixture) made in evaluation mode and without autograd."""
    if not isinstance(value, dict) or not {"loss", "accuracy"} <= set(value):
        raise CheckFailed(f"{call.describe()} must return a dict with 'loss' and 'accuracy'")
    if any(record["training"] for record in trace):
        raise CheckFailed(f"{call.describe()} ran the model in training mode ({training_effect}); call model.eval() first")
    if any(record["grad_enabled"] for record in trace):
        raise CheckFailed(f"{call.describe()} let autograd record the forward passes; wrap the loop in torch.no_grad()")
    return value
