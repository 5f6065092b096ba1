"""`course release`: the student version of each assignment, made by nbgrader's generate_assignment."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import dlmed

from nbgrader.apps import NbGraderAPI

from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.nbgrader_db import ensure_alembic_on_path


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


# zip's earliest date, given to every file of the wheel: its bytes then depend on its files alone,
# so the committed one can be checked current like the notebooks.
WHEEL_DATE = "315532800"


def release_library(*, course: Course) -> Path:
    """The student library as a wheel in release/: what students of a course without a hub install,
    with one pip command, beside the notebooks they download. Built from a clean copy of its source
    (no build leftovers can slip in) with pip, offline."""
    source = Path(dlmed.__file__).resolve().parents[1]
    if not (source / "pyproject.toml").is_file():
        raise CourseError("the student library is installed without its source, so its wheel cannot be built",
                          hint="install it from the repository: pip install -e ./student")
    target = course.root / course.nbgrader.release_directory
    with tempfile.TemporaryDirectory(prefix="course-wheel-") as folder:
        copy, built = Path(folder, "student"), Path(folder, "wheel")
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        for path in copy.rglob("*"):  # the wheel records modes: a checkout's umask must not change its bytes
            path.chmod(0o755 if path.is_dir() else 0o644)
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
             "--disable-pip-version-check", "--wheel-dir", str(built), str(copy)],
            capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": WHEEL_DATE})
        wheels = sorted(built.glob("*.whl"))
        if done.returncode or len(wheels) != 1:
            reason = (done.stderr.strip().splitlines() or ["no wheel came out"])[-1]
            raise CourseError(f"the student library's wheel could not be built: {reason}",
                              hint="run `pip wheel --no-deps ./student` to see pip's full output")
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob(f"{wheels[0].name.split('-')[0]}-*.whl"):  # an earlier version's
            old.unlink()
        return Path(shutil.copy2(wheels[0], target / wheels[0].name))
