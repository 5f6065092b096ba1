"""A form's worked answers as a notebook: its source notebook with every answer filled in from the
form's key and each question's worked answer beside it.

It is the form's solution. `course validate` grades it as the solution case (and patches known
mistakes and alternatives into its answer cells, which it marks as nbgrader solution cells for
that), and `course solutions` publishes it, executed, to solutions/<form>/: a practice exam is
handed out like coursework and its worked answers after it.
"""

from __future__ import annotations

import nbformat

from ..checks.exam.answers import PaperKey, answer_variable
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..grading.paper_key import paper_key


def form_key(course: Course, assignment_id: str) -> PaperKey | None:
    """The key a form's solution and cases are judged against; None for coursework."""
    entry = course.exam_assignments().get(assignment_id)
    if assignment_id in course.syllabus.assignments or entry is None:
        return None
    if entry["paper"] is None:
        raise CourseError(f"{assignment_id} is a roster's notebook: each student's paper has its own key",
                          hint="validate, publish worked answers of and export to otter lettered forms, each with "
                               "one key (course exam generate --forms)")
    return paper_key(course, assignment_id, entry["paper"])


def _answer_source(position: int, key: dict) -> str:
    if key["kind"] == "code":
        return key["value"]  # the reference function
    # a number as the key shows it, to the decimals the question asks for; a letter as a string
    value = {"number": key["shown"], "choice": repr(key["value"])}.get(key["kind"], key["value"])
    return f"{answer_variable(position)} = {value}"


def _worked_markdown(key: dict) -> str | None:
    if key["kind"] == "free_text":
        return f"**Rubric.** {key['rubric']}"
    if key.get("worked"):
        return f"**Worked answer.** {key['worked']}"
    return None


def worked_notebook(source_nb, paper: PaperKey, *, explained: bool = True) -> nbformat.NotebookNode:
    """`explained=False`: the answers only, without the worked answers and rubrics beside them."""
    nb = nbformat.from_dict(source_nb)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if not cell.get("id", "").startswith("answer-"):
            continue
        position = int(cell.id.removeprefix("answer-"))
        key = paper.keys[position - 1]
        if key["kind"] == "free_text":
            cell.source = key["value"]  # the model answer, in the cell the person grading reads
        else:
            cell.source = _answer_source(position, key)
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": cell.id, "locked": False, "schema_version": 3,
                                         "solution": True, "task": False}
        if explained and (text := _worked_markdown(key)):
            cells.append(nbformat.v4.new_markdown_cell(text, id=f"worked-{position:02d}"))
    nb.cells = cells
    return nb
