"""`course release`: the student version of each assignment, made by nbgrader's generate_assignment."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from nbgrader.apps import NbGraderAPI

from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..records.gradebook import ensure_alembic_on_path


def check_points(course: Course, assignment_id: str) -> None:
    """The points in the source notebooks must be the ones course_config.py gives."""
    configured = course.points(assignment_id)
    found: dict[str, float] = {}
    for path in course.source_notebooks(assignment_id):
        nb = notebooks.read(path, shown_as=course.relative(path))
        for cell in notebooks.graded_cells(nb):
            found[cell.grade_id] = cell.points
            if cell.grade_id not in configured:
                raise CourseError(
                    f"{course.relative(path)}: graded cell {cell.grade_id!r} has no points in course_config.py",
                    hint=f"add {cell.grade_id!r}: {cell.points:g} to the assignment's 'points'",
                )
            if cell.points != configured[cell.grade_id]:
                raise CourseError(
                    f"{course.relative(path)}: cell {cell.grade_id!r} is worth {cell.points:g} points, "
                    f"course_config.py says {configured[cell.grade_id]:g}",
                    hint="make the cell's nbgrader points and course_config.py agree",
                )
    missing = sorted(set(configured) - set(found))
    if missing:
        raise CourseError(
            f"course_config.py gives points to cells that {assignment_id} does not have: {', '.join(missing)}",
            hint="fix the grade_id in course_config.py or in the notebook",
        )


def reason_in_log(log: str) -> str:
    """The most telling line of nbgrader's captured log: its last exception, not its summary."""
    errors = re.findall(r"^\s*([\w.]*(?:Error|Exception): .*)$", log, flags=re.M)
    errors = [e for e in errors if "NbGraderException" not in e] or errors
    return errors[-1].strip() if errors else "no reason given"


def release(*, course: Course, assignment_ids: list[str] | None = None) -> list[Path]:
    """Regenerate release/<id>/ for each assignment; returns the notebooks written."""
    ensure_alembic_on_path()
    written = []
    for assignment_id in course.resolve(assignment_ids):
        check_points(course, assignment_id)
        api = NbGraderAPI(coursedir=course.nbgrader, config=course.config)
        api.log.setLevel(logging.ERROR)
        result = api.generate_assignment(assignment_id, force=True, create=True)
        if not result["success"]:
            raise CourseError(
                f"nbgrader could not release {assignment_id}: {reason_in_log(result.get('log', ''))}",
                hint=f"run `nbgrader generate_assignment {assignment_id} --force` to see nbgrader's full log",
            )
        written += sorted(course.release_dir(assignment_id).glob("*.ipynb"))
    return written
