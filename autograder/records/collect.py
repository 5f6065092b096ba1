"""`course collect`: an LMS download (a zip of renamed files) into nbgrader's submitted/ layout.

The student id comes from each file name through c.Collect.student_pattern; the zip entry's time
becomes nbgrader's timestamp.txt (late penalties are computed from it). Files that cannot be
placed are reported, never guessed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..course.coursedir import Course
from ..course.errors import CourseError
from ..grading.unit import TIMESTAMP_FILE
from .results import write_atomically


@dataclass
class Collected:
    placed: dict[str, str] = field(default_factory=dict)  # student id -> zip entry
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (zip entry, why)


def collect(*, course: Course, assignment_id: str, archive: Path) -> Collected:
    (assignment_id,) = course.resolve([assignment_id])
    notebook_name = course.source_notebooks(assignment_id)[0].name
    try:
        pattern = re.compile(course.collect.student_pattern)
    except re.error as exc:
        raise CourseError(f"c.Collect.student_pattern is not a valid regular expression: {exc}") from None
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise CourseError(f"{archive} is not a readable zip file: {exc}",
                          hint="download the submissions again from the LMS as one zip") from None
    outcome = Collected()
    latest: dict[str, zipfile.ZipInfo] = {}
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = PurePosixPath(info.filename).name
            match = pattern.search(name)
            if not name.endswith(".ipynb"):
                outcome.unplaced.append((info.filename, "not a notebook"))
            elif not match or not match.groupdict().get("student"):
                outcome.unplaced.append((info.filename, "no student id in the file name (c.Collect.student_pattern)"))
            else:
                student = match.group("student")
                earlier = latest.get(student)
                if earlier is not None:
                    older, info = sorted([earlier, info], key=lambda i: i.date_time)
                    outcome.unplaced.append((older.filename, f"an older notebook of {student}; the newest was kept"))
                latest[student] = info
        for student, info in sorted(latest.items()):
            folder = course.submission_dir(student, assignment_id)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / notebook_name).write_bytes(zf.read(info))
            when = datetime(*info.date_time).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
            write_atomically(folder / TIMESTAMP_FILE, when)
            outcome.placed[student] = info.filename
    return outcome
