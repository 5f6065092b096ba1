"""The in-kernel half of a hidden check: call the student's functions, record what came back.

A hidden test cell holds one line, `hidden_check("<assignment>:<check>", globals())`. At grading
time the grader writes a plan (which functions to call, with which freshly drawn inputs) and
names it in $DLMED_PLAN; this module runs those calls and appends plain-data outcomes to
$DLMED_CAPTURE. It never judges: the references, tolerances and messages live in the staff
package and run in the grader's own process, where student code cannot patch them.
Without a plan (an instructor running the source notebook) the staff package judges here,
in the kernel, so authors get instant feedback: it declares its judge as the entry point
`judge` of the group `dlmed.authoring`, the one hook by which this library reaches it.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import wire

PLAN_ENV = "DLMED_PLAN"
AUTHORING_HOOK = "dlmed.authoring"
CAPTURE_ENV = "DLMED_CAPTURE"
_MAX_ERROR_CHARS = 500

BUILDERS: dict[str, Callable[..., Any]] = {}


def builder(fn):
    """Register a fixture function (see dlmed.fixtures) under its own name."""
    BUILDERS[fn.__name__] = fn
    return fn


def _builder(name: str) -> Callable[..., Any]:
    if name not in BUILDERS:
        from . import fixtures  # noqa: F401 - registers the builders (imports torch) on first use
    return BUILDERS[name]


def _build(name: str, params: dict):
    return _builder(name)(**params)


def _resolve(name: str, namespace: dict) -> Any:
    """A planned call's target: a fixture when the name starts with @, else the student's name
    (a function to call, or, for a call marked `read`, a variable whose value is the outcome)."""
    if name.startswith("@"):
        return _builder(name[1:])
    if name not in namespace:
        raise NameError(f"name '{name}' is not defined")
    return namespace[name]


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_CHARS]


def run_calls(calls: list[dict], namespace: dict) -> list[dict]:
    """Run a check's planned calls against `namespace`; one outcome record per call."""
    returned: list[Any] = []
    outcomes = []
    for call in calls:
        outcome: dict[str, Any] = {"value": None, "error": None, "warnings": [], "args_after": None}
        value = None
        start = time.perf_counter()
        try:
            target = _resolve(call["fn"], namespace)
            args = wire.decode(call["args"], build=_build, results=returned)
            kwargs = wire.decode(call["kwargs"], build=_build, results=returned)
            # Warnings are recorded rather than printed: stderr in a test cell would fail it in
            # nbgrader, and the judge decides whether a warning (say, an overflow) is a mistake.
            with warnings.catch_warnings(record=True) as caught, np.errstate(
                over="warn", divide="warn", invalid="warn"
            ):
                warnings.simplefilter("always")
                value = target if call.get("read") else target(*args, **kwargs)
            outcome["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
            outcome["value"] = wire.encode(value)
            if call.get("capture_args"):
                outcome["args_after"] = wire.encode(list(args))
        except Exception as exc:  # a student's bug is an outcome to judge, not a crash of the probe
            outcome["error"] = _error_text(exc)
        outcome["seconds"] = time.perf_counter() - start
        returned.append(value)
        outcomes.append(outcome)
    return outcomes


def hidden_check(check_id: str, namespace: dict) -> None:
    """Entry point used by hidden test cells; see the module docstring."""
    plan_path = os.environ.get(PLAN_ENV)
    if not plan_path:
        _judge_here(check_id, namespace)
        return
    plan = json.loads(Path(plan_path).read_text())
    # Fixtures seed the global generators; the notebook's later cells must not depend on which
    # inputs were drawn, nor on how many draws were made (`course validate` makes several).
    with _global_random_state_kept():
        records = [_record(check_id, plan["checks"], namespace)]
        records += [{**_record(check_id, draw, namespace), "draw": number}
                    for number, draw in enumerate(plan.get("draws", ()), start=1)]
    with open(os.environ[CAPTURE_ENV], "a", encoding="utf-8") as capture:
        capture.writelines(json.dumps(record) + "\n" for record in records)


def _record(check_id: str, checks: dict, namespace: dict) -> dict[str, Any]:
    calls = checks.get(check_id)
    if calls is None:
        return {"check": check_id, "error": f"the grading plan has no check {check_id!r}"}
    return {"check": check_id, "outcomes": run_calls(calls, namespace)}


@contextmanager
def _global_random_state_kept():
    import random

    torch = sys.modules.get("torch")  # only where the notebook imported it
    saved = random.getstate(), np.random.get_state(), torch.random.get_rng_state() if torch else None
    cuda = torch.cuda.get_rng_state_all() if torch and torch.cuda.is_initialized() else None
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        if torch:
            torch.random.set_rng_state(saved[2])
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)


def _judge_here(check_id: str, namespace: dict) -> None:
    from importlib.metadata import entry_points

    hooks = entry_points(group=AUTHORING_HOOK, name="judge")
    if not hooks:  # a student's machine: the staff package is not installed
        raise RuntimeError("This hidden check is judged by the course's grader; run it with `course validate`.")
    next(iter(hooks)).load()(check_id, namespace)
