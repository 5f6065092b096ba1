"""`course solutions`: executed solution notebooks, hidden tests removed, for after the deadline
(an exam form's: its worked answers, exam/worked.py)."""

from __future__ import annotations

import re
from pathlib import Path

from nbgrader.preprocessors import ClearHiddenTests

from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import ValidationFailed
from ..exam.worked import form_key, worked_notebook
from ..grading.execute import RunLimits
from ..grading.run_and_judge import plan_for, run_and_judge

_SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", flags=re.M)


def publishable(executed_nb, config):
    """The executed notebook without hidden tests or solution markers."""
    nb, _ = ClearHiddenTests(config=config).preprocess(executed_nb, {})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = _SOLUTION_MARKER.sub("", cell.source)
    return nb


def build_solutions(*, course: Course, assignment_ids: list[str] | None = None) -> list[Path]:
    """Execute each source notebook; refuse to publish one whose own tests fail."""
    written = []
    for assignment_id in course.resolve(assignment_ids):
        paper = form_key(course, assignment_id)
        for path in course.source_notebooks(assignment_id):
            name = course.relative(path)
            source_nb = notebooks.read(path, shown_as=name)
            graded = run_and_judge(
                source_nb,
                worked_notebook(source_nb, paper) if paper else source_nb,
                plan=plan_for(source_nb, course.validation.validate_seed, paper),
                paper=paper,
                files_from=course.source_dir(assignment_id),
                limits=RunLimits.of(course),
            )
            run, failed = graded.run, graded.failed
            if run.error or failed:
                reason = run.error or f"{failed[0].grade_id}: {failed[0].messages[0]}"
                raise ValidationFailed(
                    f"the solution of {name} fails its own tests ({reason})",
                    hint=f"fix the solution, then run `course validate {assignment_id}`",
                )
            written.append(publish(course, assignment_id, path, run.notebook))
    return written


def publish(course: Course, assignment_id: str, source: Path, executed_nb) -> Path:
    """Write the executed solution of `source` to solutions/<id>/, hidden tests removed."""
    target = course.solutions_dir(assignment_id) / source.name
    notebooks.write(publishable(executed_nb, course.config), target)
    return target
