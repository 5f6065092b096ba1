"""An exam paper as an nbgrader source notebook: per question a text cell, an answer cell and
(unless it is marked by hand) a locked test cell whose hidden check names the question.

Keys stay out of the notebook (they live in keys/<paper>.json): every paper of a roster then
shares one notebook layout, so one nbgrader assignment grades them all, and a form's source
notebook can be handed to colleagues without handing out its key. Answer cells are plain cells
with `answer_NN = None`, which students replace, rather than solution regions nbgrader would stub
with `raise NotImplementedError()`.
"""

from __future__ import annotations

import nbformat

from ..checks.exam.answers import PREFIX, answer_variable
from ..checks.exam.question import LETTERS, Choice, Code, FreeText, Variant

_KIND_HINTS = {"number": "a number", "integer": "a whole number", "choice": "the letter of one option"}
TEST_GRADE_ID = "question_{:02d}"
FREE_TEXT_GRADE_ID = "answer_{:02d}"


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def question_markdown(position: int, title: str, points: float, variant: Variant | None) -> str:
    """A question as the student reads it; without a variant, the place its text goes."""
    head = f"## Question {position}: {title} ({points:g} point{'s' if points != 1 else ''})\n\n"
    if variant is None:
        return head + f"*Your own question {position} is in your paper.*"
    body = variant.text
    if isinstance(variant.answer, Choice):
        body += "\n\n" + "\n".join(f"- **{LETTERS[i]}**: {o}" for i, o in enumerate(variant.answer.options))
    return head + body + f"\n\n*{variant.answer.instructions()}*"


def _answer_cell(position: int, kind: str, function: str | None, points: float):
    cell_id = f"answer-{position:02d}"
    if kind == "free_text":
        return nbformat.v4.new_markdown_cell(
            "YOUR ANSWER HERE", id=cell_id,
            metadata=_nbgrader(FREE_TEXT_GRADE_ID.format(position), grade=True, solution=True, locked=False,
                               points=points))
    if kind == "code":
        what = f"`{function}`" if function else f"the function question {position} asks for"
        return nbformat.v4.new_code_cell(f"# Define {what} here.\n", id=cell_id)
    name = answer_variable(position)
    return nbformat.v4.new_code_cell(f"{name} = None  # your answer: {_KIND_HINTS[kind]}", id=cell_id)


def _test_cell(position: int, question_id: str, kind: str, points: float):
    # The hidden check first: a blank answer then gets the check's own message, not "did not run".
    source = (f'### BEGIN HIDDEN TESTS\nfrom dlmed import hidden_check\nhidden_check("{PREFIX}{question_id}", globals())\n'
              "### END HIDDEN TESTS\n# Marked against your paper's key when the exam is graded.")
    if kind != "code":
        source += f'\nassert {answer_variable(position)} is not None, "question {position} has no answer yet"'
    return nbformat.v4.new_code_cell(
        source, id=f"test-{position:02d}",
        metadata=_nbgrader(TEST_GRADE_ID.format(position), grade=True, solution=False, locked=True, points=points))


def grade_ids(questions: list[tuple[str, float]]) -> dict[str, float]:
    """Points per graded cell, for (answer kind, points) in paper order."""
    return {(FREE_TEXT_GRADE_ID if kind == "free_text" else TEST_GRADE_ID).format(n): points
            for n, (kind, points) in enumerate(questions, start=1)}


def paper_notebook(title: str, subtitle: str, drawn, shared: bool) -> nbformat.NotebookNode:
    """`drawn`: the paper's (question, variant) pairs in order. `shared`: one notebook for every
    student's own paper (a roster), so the texts are left for each student's copy to fill."""
    cells = [nbformat.v4.new_markdown_cell(
        f"# {title}\n\n**{subtitle}**\n\n"
        "Set each `answer_NN = None` to your answer: a number, a whole number, or the letter of one option, as "
        "the question says. Define functions in the cell given; write prose answers in their cells. "
        "Before you submit, restart the kernel and run every cell.", id="exam-intro"),
        nbformat.v4.new_code_cell("import numpy as np", id="exam-imports")]
    for position, (question, variant) in enumerate(drawn, start=1):
        meta, answer = question.meta, variant.answer
        cells.append(nbformat.v4.new_markdown_cell(
            question_markdown(position, meta.title, meta.points, None if shared else variant),
            id=f"question-{position:02d}"))
        function = answer.function if isinstance(answer, Code) and not shared else None
        cells.append(_answer_cell(position, answer.kind, function, meta.points))
        if not isinstance(answer, FreeText):
            cells.append(_test_cell(position, question.id, answer.kind, meta.points))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb


def fill_questions(nb: nbformat.NotebookNode, drawn) -> nbformat.NotebookNode:
    """A copy of a roster's shared (released) notebook with one student's own questions in it."""
    nb = nbformat.from_dict(nb)
    by_id = {cell.get("id"): cell for cell in nb.cells}
    for position, (question, variant) in enumerate(drawn, start=1):
        by_id[f"question-{position:02d}"].source = question_markdown(position, question.meta.title,
                                                                     question.meta.points, variant)
        if isinstance(variant.answer, Code):
            by_id[f"answer-{position:02d}"].source = f"# Define `{variant.answer.function}` here.\n"
    return nb
