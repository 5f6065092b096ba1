"""Exam answers judged against a paper's key: the `exam:<question>` family of hidden checks.

Only the key and the checks are needed here (nothing of the course folder), so the same judging
runs in our grader, against keys/<paper>.json, and inside an otter export's kernel, against the
key that travels in its autograder zip.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from dlmed import wire

from ...course.errors import CourseError
from .. import Check, CheckFailed, call, register_family, variable
from ..expect import returned
from .question import LETTERS, Choice, Code, Integer, Number

PREFIX = "exam:"


def answer_variable(position: int) -> str:
    """The variable a student sets for question `position` (counted from 1)."""
    return f"answer_{position:02d}"


@dataclass(frozen=True)
class PaperKey:
    """The key of one paper: each question's entry of keys/<paper>.json, in the paper's order."""

    exam: str
    paper: str
    keys: tuple[dict, ...]

    def entry(self, question_id: str) -> tuple[int, dict]:
        for position, key in enumerate(self.keys, start=1):
            if key["question"] == question_id:
                return position, key
        raise CourseError(f"paper {self.paper} of {self.exam} has no question {question_id}")


# Where an otter export of a form keeps the form's key: beside this module, in the autograder zip
# only, so that it is not handed out with the student notebook. While otter grades, the zip's files
# sit beside the submission, so a submission could read it then (docs/instructor.md: what otter's route cannot give).
_EXPORTED_KEY = Path(__file__).with_name("paper_key.json")
# What AnswerCheck judges by; the worked answers, rubrics, seeds and model answers stay at home.
_JUDGED_FIELDS = ("question", "kind", "value", "tolerance", "decimals", "function", "cases", "expected")


def write_exported_key(paper: PaperKey, package_copy: Path) -> Path:
    """The key's auto-marked answers, into an exported copy of this package (its `autograder/checks/exam/`)."""
    questions = [{field: key[field] for field in _JUDGED_FIELDS if field in key}
                 if key["kind"] != "free_text" else {"question": key["question"], "kind": key["kind"]}
                 for key in paper.keys]
    path = package_copy / _EXPORTED_KEY.name
    path.write_text(json.dumps({"exam": paper.exam, "paper": paper.paper, "questions": questions}), encoding="utf-8")
    return path


def exported_key() -> PaperKey:
    """The key an otter export carries (written by `write_exported_key`)."""
    data = json.loads(_EXPORTED_KEY.read_text(encoding="utf-8"))
    return PaperKey(data["exam"], data["paper"], tuple(data["questions"]))


def exam_check(question_id: str, paper: PaperKey | None) -> Check:
    if paper is None:
        raise CourseError(f"hidden check {PREFIX}{question_id} is judged against an exam paper's key",
                          hint="grade the paper with `course grade`; exam answers have no key outside a paper")
    position, key = paper.entry(question_id)
    return AnswerCheck(question_id, position, key)


register_family(PREFIX.removesuffix(":"), exam_check)


def _number(value, name: str):
    """A response as the answer types read it: a number or a string; anything else fails."""
    if isinstance(value, wire.TensorData):
        value = value.array
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise CheckFailed(f"{name} holds {value.size} numbers; give one")
        value = value.reshape(()).item()
    if isinstance(value, np.generic):  # a numpy scalar (np.int64 from a sum, np.float32): its plain value
        value = value.item()
    if isinstance(value, wire.Unsupported):
        raise CheckFailed(f"{name} is a {value.type_name}; give a number or a letter")
    if value is None:
        raise CheckFailed(f"no answer: {name} is still None")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CheckFailed(f"{name} is a {type(value).__name__}; give a number or a letter")
    return value


class AnswerCheck(Check):
    """exam: one question's answer within its paper's tolerance; a code answer right on each of the key's cases."""

    def __init__(self, question_id: str, position: int, key: dict):
        self.name, self.position, self.key = question_id, position, key

    def _answer(self):
        kind, key = self.key["kind"], self.key
        if kind == "number":
            return Number(key["value"], key["tolerance"], key["decimals"])
        if kind == "integer":
            return Integer(key["value"])
        if kind == "choice":
            return Choice((), LETTERS.index(key["value"]))  # only the correct letter is needed to judge
        if kind == "code":
            return Code(key["function"], key["value"], tuple(tuple(c) for c in key["cases"]),
                        tuple(key["expected"]), key["tolerance"])
        raise CourseError(f"question {self.name} is a {kind} question, marked by hand, not by a hidden check")

    def plan(self, rng):
        if self.key["kind"] == "code":  # arrays as the question says; JSON keeps them as lists
            return [call(self.key["function"], *(np.asarray(a, dtype=float) if isinstance(a, list) else a for a in case))
                    for case in self.key["cases"]]
        return [variable(answer_variable(self.position))]

    def judge(self, calls, outcomes):
        answer = self._answer()
        where = f"question {self.position}"
        if isinstance(answer, Code):
            for index, (c, outcome) in enumerate(zip(calls, outcomes)):
                if outcome.error:
                    raise CheckFailed(f"{where}: {_called(c)} raised {outcome.error}")
                value = returned(outcome, c, allow_warnings=True)  # its warnings cost nothing: a sample nan is judged
                try:
                    why = answer.wrong(index, value)
                except (OverflowError, ValueError, TypeError):  # an int beyond float64, say
                    why = "returned values that do not read as float64 numbers"
                if why:
                    rows = _by_row(c, value, answer.expected[index], answer.tolerance)
                    raise CheckFailed(f"{where}: {_called(c)} {why}{rows}")
            return
        name = answer_variable(self.position)
        (outcome,) = outcomes
        if outcome.error:
            raise CheckFailed(f"{where}: no answer ({outcome.error})")
        response = _number(outcome.value, name)
        try:
            accepted = answer.accepts(response)
        except (OverflowError, ValueError):  # str() of an int of thousands of digits
            accepted = False
        if not accepted:
            if isinstance(answer, Number):
                rule = f"answers within ±{answer.tolerance:g} of the key count"
            elif isinstance(answer, Integer):
                rule = "only the exact value counts"
            else:
                rule = "not the correct option"
            slip = _slip(answer, response)
            raise CheckFailed(f"{where}: {name} = {_short(response)} is not the answer ({rule}){slip}")


def _short(response) -> str:
    try:
        text = repr(response)
    except ValueError:  # an int of more digits than Python writes out
        return "an integer of thousands of digits"
    return text if len(text) <= 60 else text[:50] + "..."


def _slip(answer, response) -> str:
    """What a rejected number or letter looks like it is, when it is one of the forms a slip takes
    (text that is no number, a percentage for a fraction, a number for a letter); else nothing.
    Only the response is described, never the key."""
    try:
        text = str(response).strip()
        if isinstance(answer, Choice):
            if answer.letter(text):
                return ""
            if re.match(rf"[(\[]?[{LETTERS}]", text, re.IGNORECASE):
                return "; give the letter of one option alone, a string like 'C' (naming two options answers neither)"
            return "; answer with the letter of an option, a string like 'C'"
        if isinstance(response, str):
            try:
                given = float(text.removesuffix("%").strip().replace(",", "."))
            except ValueError:
                return "; it is text that does not read as a number: write the number alone, without units or words"
            if text.endswith("%"):
                return ("; it is a percentage: give the fraction itself, as a number" if _per_cent(answer, given)
                        else "; give the number itself, not a percentage")
        else:
            given = float(response)
        if _per_cent(answer, given):
            return "; it reads as a percentage (100 times the answer): give the fraction itself"
    except (OverflowError, ValueError):  # an int beyond float64 or beyond str(): nothing more to say
        pass
    return ""


def _per_cent(answer, given: float) -> bool:
    """Whether `given` is the key in percent (a key near 0 would make any small number look like one)."""
    return (isinstance(answer, Number) and math.isfinite(given) and abs(answer.value) > 2 * answer.tolerance
            and answer.accepts(given / 100))


def _called(c) -> str:
    """The call with its inputs written out when they are small enough to read."""
    shown = []
    for a in c.args:
        array = np.asarray(a)
        if isinstance(a, np.ndarray) and 0 < array.size <= 12 and array.dtype.kind in "iuf":
            shown.append(_written(array.tolist()))
        else:
            return c.describe()
    return f"{c.fn}({', '.join(shown)})"


def _written(values) -> str:
    return f"[{', '.join(_written(v) for v in values)}]" if isinstance(values, list) else f"{values:g}"


def _by_row(c, value, expected, tolerance: float) -> str:
    """For a matrix answer of the right shape wrong in some rows only: which rows, and, when the wrong
    rows are nan or inf and lie far below the matrix's largest entry (which its own row has right),
    the slip that does that: a shift by the whole matrix's maximum, under which exp underflows to 0
    in every entry of such a row, and 0/0 is nan."""
    want = np.asarray(expected, dtype=float)
    if isinstance(value, wire.TensorData):
        value = value.array
    try:
        got = np.asarray(value, dtype=float)
        z = np.asarray(c.args[0], dtype=float) if c.args else None
    except (TypeError, ValueError, OverflowError):
        return ""
    if want.ndim != 2 or got.shape != want.shape or want.shape[0] < 2:
        return ""
    right = [bool(np.all(np.isfinite(g)) and np.allclose(g, w, rtol=0, atol=tolerance)) for g, w in zip(got, want)]
    if all(right) or not any(right):
        return ""
    wrong = [i for i, ok in enumerate(right) if not ok]
    rows = ", ".join(str(i + 1) for i in wrong)
    said = f" in row{'s' * (len(wrong) > 1)} {rows} (the others are right)"
    if z is not None and z.shape == want.shape and np.all(np.isfinite(z)):
        top = z.max()
        below = [top - z[i].max() for i in wrong]
        top_row_right = any(right[i] for i in range(len(z)) if z[i].max() == top)
        if top_row_right and min(below) > 745 and all(not np.all(np.isfinite(got[i])) for i in wrong):
            said += (f": row {wrong[0] + 1} lies {below[0]:g} below the matrix's largest logit, so shifted by the "
                     "matrix's global maximum (z.max()) every exp in it underflows to 0, and 0/0 is nan; subtract "
                     "each row's own maximum instead, z.max(axis=-1, keepdims=True)")
    return said
