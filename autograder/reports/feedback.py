"""`course feedback`: one HTML file per student from their grading record and their own answers.

Only the verdict messages and the student's answer cells are shown: never a test cell (hidden
tests are restored into the graded notebook), never solution code, never a traceback.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.files import write_atomically
from ..grading import results
from ..intake.submission_files import submitted_students
from ..intake.submission_files import SECRET_FILE, TIMESTAMP_FILE
from ..records.gradebook import final_scores
from ..records.late import FinalScore
from .pages import render

# nbgrader's release_feedback publishes a page under a hash of the submission's secret, and
# fetch_feedback files it under the submission's timestamp: both come from the exchange's submission,
# through the copies grading kept of them (the submission folder may hold anything by now).
_EXCHANGE_FILES = (TIMESTAMP_FILE, SECRET_FILE)


def answer_cells(nb) -> list[str]:
    """The cells the student wrote: nbgrader solution cells."""
    return [cell.source for cell in nb.cells if notebooks.nbgrader_meta(cell).get("solution")]


def _answers(course: Course, record: results.Result) -> list[str]:
    """The answer cells grading used: read from its graded copy, where copied and relabelled cells
    are already resolved the way they were graded (the submission as handed in may hold an answer
    twice, or an answer labelled as a test)."""
    if record.status == results.INVALID:  # nothing was graded; its record says why
        return []
    aid = record.assignment_id
    graded = course.autograded_dir(record.student_id, aid) / course.source_notebooks(aid)[0].name
    try:
        return answer_cells(notebooks.read(graded))
    except CourseError:  # a unit stopped before it kept a copy
        return []


def _shown(course: Course, final: FinalScore, now: datetime) -> str:
    """How much of the verdicts a page shows: all of them once the student's deadline has passed."""
    if final.due is None or now >= final.due:
        return "full"
    return course.grading.feedback_before_deadline


def feedback(*, course: Course, assignment_id: str, students: list[str] | None = None,
             now: datetime | None = None) -> list[Path]:
    (assignment_id,) = course.resolve([assignment_id])
    entry = course.assignment(assignment_id)
    written = []
    records = []
    for sid in students or submitted_students(course, assignment_id):
        record = results.load(course.record_path(sid, assignment_id))
        if record is None:
            raise CourseError(f"{sid} has no grading record for {assignment_id}",
                              hint=f"run `course grade {assignment_id} --resume` first")
        records.append(record)
    finals = final_scores(course, assignment_id, records)
    for record in records:
        sid = record.student_id
        html = render(
            "feedback.html.j2", title=entry["title"], r=record, explained=results.EXPLAINED[record.status],
            shown=_shown(course, finals[sid], now or datetime.now(timezone.utc)),
            deadline=entry["deadline"], final=finals[sid], manual=finals[sid].by_hand,
            answers=_answers(course, record),
        )
        path = course.feedback_file(sid, assignment_id)
        write_atomically(path, html)
        for name in _EXCHANGE_FILES:  # what release_feedback needs beside the page, when the exchange brought it
            kept = course.autograded_dir(sid, assignment_id) / name
            if kept.is_file():
                write_atomically(path.parent / name, kept.read_text(encoding="utf-8"))
            else:
                (path.parent / name).unlink(missing_ok=True)
        written.append(path)
    return written
