"""Exam answers judged against a paper's key: the `exam:<question>` family of hidden checks.

Only the key and the checks are needed here (nothing of the course folder), so the same judging
runs in our grader, against keys/<paper>.json, and inside an otter export's kernel, against the
key that travels in its autograder zip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from dlmed import wire

from ..checks import Check, CheckFailed, call, register_family, variable
from ..checks.expect import returned
from ..course.errors import CourseError
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
# sit beside the submission, so a submission could read it then (README: what otter cannot give).
_EXPORTED_KEY = Path(__file__).with_name("paper_key.json")
# What AnswerCheck judges by; the worked answers, rubrics, seeds and model answers stay at home.
_JUDGED_FIELDS = ("question", "kind", "value", "tolerance", "decimals", "function", "cases", "expected")


def write_exported_key(paper: PaperKey, package_copy: Path) -> Path:
    """The key's auto-marked answers, into an exported copy of this package (its `autograder/exam/`)."""
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
    """One question of a paper: its answer judged with the tolerance the paper states."""

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
                why = answer.wrong(index, returned(outcome, c, allow_warnings=True))
                if why:
                    raise CheckFailed(f"{where}: {c.describe()} {why}")
            return
        name = answer_variable(self.position)
        (outcome,) = outcomes
        if outcome.error:
            raise CheckFailed(f"{where}: no answer ({outcome.error})")
        response = _number(outcome.value, name)
        if not answer.accepts(response):
            if isinstance(answer, Number):
                rule = f"answers within ±{answer.tolerance:g} of the key count"
            elif isinstance(answer, Integer):
                rule = "only the exact value counts"
            else:
                rule = "not the correct option"
            raise CheckFailed(f"{where}: {name} = {response!r} is not the answer ({rule})")
