"""A synthetic cohort of exam answers, for the tests and for trying `course exam analyze`.

Each student answers from their own paper's key, question by question, in one of these ways:
right; right in another form (within the tolerance, a lower-case letter, a numpy scalar, another
correct implementation); just outside the tolerance; a typical mistake; or not at all.
"""

from __future__ import annotations

import json

import nbformat
import numpy as np

from ..checks.exam.answers import answer_variable
from ..course import notebooks
from ..course.coursedir import Course
from .bank import load_bank

CORRECT, ALTERNATIVE, OUTSIDE, MISTAKE, BLANK = "correct", "alternative", "outside", "mistake", "blank"
OUTSIDE_FACTOR = 1.2  # "just outside": this many tolerances from the key


def _value(key: dict, how: str):
    """The response to an auto-marked number, integer or choice question."""
    value, kind = key["value"], key["kind"]
    if kind == "number":
        step = {CORRECT: 0.0, ALTERNATIVE: 0.9, OUTSIDE: OUTSIDE_FACTOR, MISTAKE: 20.0}[how] * key["tolerance"]
        return round(value + step, key["decimals"] + 2) if how != CORRECT else round(value, key["decimals"])
    if kind == "integer":
        return {CORRECT: value, ALTERNATIVE: value, OUTSIDE: value + 1, MISTAKE: value * 2 + 1}[how]
    wrong = "B" if value == "A" else "A"
    return {CORRECT: value, ALTERNATIVE: value.lower() + ")", OUTSIDE: wrong, MISTAKE: wrong}[how]


def response_source(key: dict, how: str, position: int, module) -> str:
    """The answer cell a student with this answer would hand in."""
    if key["kind"] == "code":
        if how == CORRECT:
            return key["value"]
        # no tolerance for code: "just outside" is the question's typical mistake too
        template = getattr(module, "ALTERNATIVE", key["value"]) if how == ALTERNATIVE else getattr(module, "MISTAKE", "")
        return template.format(name=key["function"])
    value = _value(key, how)
    # Other correct forms: a float32 (what torch gives) for a number, an int64 (what np.sum gives) for an integer
    forms = {"number": f"np.float32({value!r})", "integer": f"np.int64({value!r})"}
    shown = forms.get(key["kind"], repr(value)) if how == ALTERNATIVE else repr(value)
    return f"{answer_variable(position)} = {shown}"


def submission(course: Course, exam_id: str, assignment_id: str, paper_id: str, hows: list[str]) -> nbformat.NotebookNode:
    """A paper as its student would hand it in, answered as `hows` says, question by question."""
    entry = course.exam_assignments()[assignment_id]
    if entry["paper"]:
        nb = notebooks.read(course.release_dir(assignment_id) / f"{exam_id}.ipynb")
    else:
        nb = notebooks.read(course.exam_paper_file(exam_id, "notebooks", paper_id, ".ipynb"))
    keys = json.loads(course.exam_paper_file(exam_id, "keys", paper_id).read_text(encoding="utf-8"))["questions"]
    bank = load_bank(course.exam_bank_dir())
    cells = {cell.get("id"): cell for cell in nb.cells}
    for position, (key, how) in enumerate(zip(keys, hows), start=1):
        cell = cells[f"answer-{position:02d}"]
        if how == BLANK:
            continue
        if key["kind"] == "free_text":
            cell.source = key["value"] if how in (CORRECT, ALTERNATIVE) else "I am not sure."
        else:
            cell.source = response_source(key, how, position, bank[key["question"]].module)
    return nb


def abilities_cohort(students: int, questions: int, seed: int) -> dict[str, list[str]]:
    """Students of spread ability answering questions of spread difficulty (a Rasch model): each
    answer right with probability sigmoid(ability - difficulty), else a typical mistake. A cohort
    whose item analysis has something to find."""
    rng = np.random.default_rng(seed)
    ability, difficulty = rng.normal(0, 1.2, students), rng.normal(-0.5, 1.0, questions)
    right = rng.random((students, questions)) < 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))
    return {f"student-{i + 1:03d}": [CORRECT if r else MISTAKE for r in row] for i, row in enumerate(right)}


def write_submission(course: Course, student_id: str, assignment_id: str, nb: nbformat.NotebookNode) -> None:
    folder = course.submission_dir(student_id, assignment_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / course.source_notebooks(assignment_id)[0].name).write_text(nbformat.writes(nb), encoding="utf-8")
