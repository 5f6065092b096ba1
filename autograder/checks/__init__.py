"""Hidden checks: each one plans calls to make in the student's kernel and judges the outcomes here.

A check is a class with `plan(rng) -> list[Call]` (inputs drawn from `rng`, so every grading
run can use fresh ones) and `judge(calls, outcomes)`, which recomputes references from the
calls' own arguments (torch in float64, finite differences, sklearn) and raises `CheckFailed`
with a message that teaches. Only plain data crosses between the two halves (`dlmed.wire`),
so nothing the student's code does in its kernel can reach the judging.

The checks of assignment `NN_name` live in the module `autograder.checks.name`. Checks of other
families (`exam:<question>`, judged against a paper's key, in `checks/exam/`) are registered by the
module that defines them with `register_family` when it is imported (grading's `paper_key.py` imports
it), so this module never imports them.
The student library finds `judge_in_kernel` (authoring mode) through the `dlmed.authoring`
entry point declared in pyproject.toml, not by importing this package by name.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from dlmed import probe, wire

from ..course.errors import CourseError

PLAN_VERSION = 1


class CheckFailed(AssertionError):
    """A check's verdict against the submission; its text is shown to the student."""


class CheckCrashed(RuntimeError):
    """The judging code itself failed: an infrastructure error, not a verdict."""


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    capture_args: bool = False
    read: bool = False  # the outcome is the variable `fn` itself, not a call of it

    def describe(self) -> str:
        if self.read:
            return self.fn
        parts = [_describe(a) for a in self.args]
        parts += [f"{k}={_describe(v)}" for k, v in self.kwargs.items()]
        return f"{self.fn}({', '.join(parts)})"

    def to_wire(self) -> dict:
        return {
            "fn": self.fn,
            "args": wire.encode(tuple(self.args)),
            "kwargs": wire.encode(dict(self.kwargs)),
            "capture_args": self.capture_args,
            "read": self.read,
        }


def call(fn: str, *args, capture_args: bool = False, **kwargs) -> Call:
    return Call(fn, args, kwargs, capture_args)


def variable(name: str) -> Call:
    """The value of a variable the student set (an exam answer), read rather than called."""
    return Call(name, read=True)


def fixture(name: str, *args, **kwargs) -> Call:
    """A call of one of dlmed.fixtures' builders instead of the student's code."""
    return call("@" + name, *args, **kwargs)


def _describe(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in value.items()) + "}"
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>" if value.ndim else repr(value.item())
    if isinstance(value, wire.Build):
        return f"<{value.name} function>"
    if isinstance(value, wire.Result):
        return f"<what call {value.index + 1} returned>"
    return repr(value)


@dataclass(frozen=True)
class Outcome:
    """What one call did in the kernel, decoded into inert data."""

    value: Any
    error: str | None
    warnings: tuple[str, ...]
    args_after: Any

    @classmethod
    def from_wire(cls, record: dict) -> "Outcome":
        return cls(
            value=wire.decode(record.get("value")),
            error=record.get("error"),
            warnings=tuple(str(w) for w in record.get("warnings", ())),
            args_after=wire.decode(record.get("args_after")),
        )


class Check:
    """Base class; `name` is what hidden test cells pass to hidden_check after the colon."""

    name: str = ""

    def plan(self, rng: np.random.Generator) -> list[Call]:
        raise NotImplementedError

    def judge(self, calls: list[Call], outcomes: list[Outcome]) -> None:
        raise NotImplementedError


def _module_for(assignment_id: str) -> str:
    return "autograder.checks." + re.sub(r"^\d+_", "", assignment_id)


def checks_of(assignment_id: str) -> dict[str, Check]:
    try:
        module = importlib.import_module(_module_for(assignment_id))
    except ModuleNotFoundError as exc:
        if exc.name != _module_for(assignment_id):
            raise  # the module exists but needs something that is not installed: not the user's typo
        raise CourseError(
            f"assignment {assignment_id!r} has no hidden checks module {_module_for(assignment_id)}",
            hint="create it: one Check subclass per hidden check the notebook names",
        ) from None
    return {check.name: check for check in module.CHECKS}


# family -> make(name, paper): checks whose ids are not "<assignment>:<check>".
_FAMILIES: dict[str, Callable[[str, Any], "Check"]] = {}


def register_family(family: str, make: Callable[[str, Any], "Check"]) -> None:
    """Checks named "<family>:<name>" are made by `make(name, paper)` (`checks/exam/answers.py` registers "exam")."""
    _FAMILIES[family] = make


def get_check(check_id: str, paper=None) -> Check:
    """`paper`: the key of the submission's exam paper, which exam checks (`exam:<question>`) judge by."""
    assignment_id, _, name = check_id.partition(":")
    if assignment_id in _FAMILIES:
        return _FAMILIES[assignment_id](name, paper)
    checks = checks_of(assignment_id)
    if name not in checks:
        raise CourseError(
            f"hidden check {check_id!r} does not exist",
            hint=f"{_module_for(assignment_id)} defines: {', '.join(sorted(checks))}",
        )
    return checks[name]


def _rng_for(seed: int, check_id: str) -> np.random.Generator:
    # A stable digest, not hash(): Python randomises str hashes per process.
    digest = int.from_bytes(hashlib.sha256(check_id.encode()).digest()[:8], "big")
    return np.random.default_rng([seed, digest])


def make_plan(check_ids, seed: int, paper=None) -> dict[str, list[Call]]:
    return {check_id: get_check(check_id, paper).plan(_rng_for(seed, check_id)) for check_id in check_ids}


def plan_to_wire(plan: dict[str, list[Call]], draws: list[dict[str, list[Call]]] = ()) -> dict:
    """`draws`: plans of further seeds, which the kernel makes right after the plan's own calls
    (their records say which draw), so one run can show that verdicts do not depend on the seed."""

    def calls_of(one_plan):
        return {check_id: [c.to_wire() for c in calls] for check_id, calls in one_plan.items()}

    wired = {"version": PLAN_VERSION, "checks": calls_of(plan)}
    if draws:
        wired["draws"] = [calls_of(draw) for draw in draws]
    return wired


def judge(check_id: str, calls: list[Call], record: dict | None, paper=None) -> str | None:
    """The verdict on one check: None when it passed, else the message for the student."""
    if record is None:
        return "the hidden checks of this cell did not run (the kernel stopped before reaching them)"
    if record.get("error"):
        return f"the hidden checks could not run: {record['error']}"
    raw = record.get("outcomes")
    if not isinstance(raw, list) or len(raw) != len(calls):
        return "the hidden checks' record is damaged (its outcomes do not match the plan)"
    try:
        outcomes = [Outcome.from_wire(r) for r in raw]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:  # a malformed or forged record
        return f"the hidden checks' record could not be read ({type(exc).__name__})"
    try:
        get_check(check_id, paper).judge(calls, outcomes)
    except CheckFailed as failure:
        return str(failure)
    except Exception as exc:  # a defect of the check itself, never the student's fault
        raise CheckCrashed(f"hidden check {check_id} crashed: {type(exc).__name__}: {exc}") from exc
    return None


def replay(calls: list[Call], namespace: dict) -> list[Outcome]:
    """Make a plan's calls here, against trusted reference code, for a judge to compare with."""
    return [Outcome.from_wire(r) for r in probe.run_calls([c.to_wire() for c in calls], namespace)]


class Slips:
    """Replays of a plan with classic slips switched on, so a judge can name the slip it sees.

    `slips` maps a name to (keyword arguments that switch the slip on in `reference`, message).
    The replays cost as much as the student's run, so they are made only when a judgement
    first asks for them, which a correct submission never does."""

    def __init__(self, calls: list[Call], name: str, reference, slips: dict[str, tuple[dict, str]]):
        self.calls, self.name, self.reference, self.slips = calls, name, reference, slips
        self._replays: dict[str, list[Outcome]] | None = None

    def known(self, index: int):
        """(value of call `index` under each slip, message) pairs, replayed on first use."""
        if self._replays is None:
            self._replays = {
                slip: replay(self.calls, {self.name: functools.partial(self.reference, **switches)})
                for slip, (switches, _) in self.slips.items()
            }
        for slip, (_, message) in self.slips.items():
            yield self._replays[slip][index].value, message


def judge_in_kernel(check_id: str, namespace: dict, paper=None) -> None:
    """Authoring mode: plan, probe and judge inside the current kernel, raising on failure.
    `paper`: an exam paper's key, as in `get_check` (an otter export of a form carries its own)."""
    calls = make_plan([check_id], seed=0, paper=paper)[check_id]
    record = {"outcomes": probe.run_calls([c.to_wire() for c in calls], namespace)}
    message = judge(check_id, calls, record, paper)
    if message:
        raise CheckFailed(message)
