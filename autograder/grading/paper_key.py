"""Which key an exam paper is graded against in the normal grading path (`course grade`).

Each auto-marked question's test cell holds `hidden_check("exam:<question>", globals())`. Its
plan reads the answer variable (or calls the function a code question asks for) in the
student's kernel; the judging (answers.py) happens outside it, against the key of the student's
own paper, read here from keys/<paper>.json. The key never enters the plan, which the kernel can
read, and the course folder that holds the keys is hidden from the kernel.
"""

from __future__ import annotations

import json

from ..checks.exam.answers import PaperKey
from ..course.coursedir import Course
from ..course.identity import student
from .sanitize import InvalidSubmission


def paper_key(course: Course, assignment_id: str, student_id: str) -> PaperKey | None:
    """The key a submission is graded against; None when the assignment is not an exam paper."""
    if assignment_id in course.syllabus.assignments:  # coursework: no exam manifest needs reading
        return None
    entry = course.exam_assignments().get(assignment_id)
    if entry is None:
        return None
    paper = entry["paper"] or student(student_id).seed_key
    path = course.exam_paper_file(entry["exam"], "keys", paper)
    if not path.is_file():
        raise InvalidSubmission(f"no paper of {entry['exam']} was drawn for {student_id}; draw one with "
                                f"`course exam reroll {entry['exam']} {student_id}` and hand it out")
    return PaperKey(entry["exam"], paper, tuple(json.loads(path.read_text(encoding="utf-8"))["questions"]))
