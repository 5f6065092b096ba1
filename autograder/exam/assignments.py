"""Exam papers as nbgrader assignments, released like any coursework.

Forms: one assignment per form, `<exam>_<letter>`, its questions in the notebook. A roster: one
assignment, `<exam>`, whose notebook leaves each question's text to the student's own copy
(exams/<exam>/notebooks/<student>.ipynb, handed out through the LMS, or through the ngshare
exchange, each in a course on the service that only its student takes: intake/exchange_service.py). Either way the grader finds the submission's paper from the manifest and
the student id, and grades it with `course grade <assignment>`.
"""

from __future__ import annotations

import shutil

import nbformat

from ..authoring.release import release
from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.files import write_atomically
from ..intake.exchange import exchange_for
from ..intake.submission_files import submitted_students
from .notebook import fill_questions, grade_ids, paper_notebook


def assignment_ids(exam_id: str, mode: str, paper_ids: list[str]) -> dict[str, str | None]:
    """Assignment id -> the paper it holds (a form's letter), or None for each student's own."""
    if mode == "forms":
        return {f"{exam_id}_{letter}": letter for letter in paper_ids}
    return {exam_id: None}


def registry(exam_id: str, title: str, mode: str, papers) -> dict[str, dict]:
    """The manifest's "assignments" entry, which the course reads to know exam papers as assignments."""
    first = papers[0]
    points = grade_ids([(d.variant.answer.kind, d.question.meta.points) for d in first.questions])
    return {aid: {"paper": paper, "title": f"{title}, form {paper}" if paper else title, "deadline": None,
                  "points": points}
            for aid, paper in assignment_ids(exam_id, mode, [p.id for p in papers]).items()}


def made_by(course: Course, exam_id: str) -> list[str]:
    """The assignments the exam's current papers are (from its manifest)."""
    return [aid for aid, entry in course.exam_assignments().items() if entry["exam"] == exam_id]


def held(course: Course, assignment_ids_: list[str]) -> list[str]:
    """Those of these assignments that students hold, each with how: released into the exchange
    (students fetch and submit it there), or submitted. A paper handed out through the LMS alone
    leaves no trace until it comes back; it is the one case --force must be trusted with."""
    published = _in_exchange(course, assignment_ids_)
    found = []
    for aid in assignment_ids_:
        how = ["released into the exchange"] if aid in published else []
        submitted = len(submitted_students(course, aid))
        how += [f"{submitted} submission{'s' * (submitted != 1)} in submitted/"] if submitted else []
        found += [f"{aid} ({', '.join(how)})"] if how else []
    return found


def _in_exchange(course: Course, assignment_ids_: list[str]) -> set[str]:
    if not assignment_ids_:
        return set()
    return exchange_for(course).holds(assignment_ids_)


def check_free(course: Course, exam_id: str, wanted: list[str]) -> list[str]:
    """Refuse ids that coursework uses, or source folders this exam did not make; returns the
    assignment ids an earlier generation of this exam made (to be replaced)."""
    clash = sorted(set(wanted) & set(course.assignment_ids))
    if clash:
        raise CourseError(f"exam {exam_id} would make assignment {clash[0]}, which c.Course.assignments already has",
                          hint="rename the exam in c.Exam.exams")
    ours = made_by(course, exam_id)
    taken = [aid for aid in wanted if aid not in ours and course.source_dir(aid).exists()]
    if taken:
        raise CourseError(f"{course.relative(course.source_dir(taken[0]))}/ exists and was not made by this exam",
                          hint="move it away, or rename the exam in c.Exam.exams")
    return ours


def remove(course: Course, assignment_ids_: list[str]) -> None:
    """An earlier generation's folders, but the reviewed files beside a source (its requirement table
    and equivalent mutants): validate then shows where a new form's prompts no longer match them."""
    for aid in assignment_ids_:
        reviewed = {course.requirements_path(aid), course.equivalent_mutants_path(aid)}
        for path in course.source_dir(aid).glob("*"):
            if path not in reviewed:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        if course.source_dir(aid).is_dir() and not any(course.source_dir(aid).iterdir()):
            course.source_dir(aid).rmdir()
        shutil.rmtree(course.release_dir(aid), ignore_errors=True)


def write_assignments(course: Course, exam_id: str, title: str, mode: str, papers) -> list:
    """Source notebooks, released through nbgrader; for a roster, each student's own copy."""
    written = []
    shared = mode != "forms"
    for aid, paper_id in assignment_ids(exam_id, mode, [p.id for p in papers]).items():
        paper = papers[0] if shared else next(p for p in papers if p.id == paper_id)
        subtitle = "Your own paper" if shared else f"Form {paper_id}"
        nb = paper_notebook(title, subtitle, [(d.question, d.variant) for d in paper.questions], shared)
        path = course.source_dir(aid) / f"{exam_id}.ipynb"
        notebooks.write(nb, path)
        written += [path, *release(course=course, assignment_ids=[aid])]
    if shared:
        written += write_student_copies(course, exam_id, papers)
    return written


def write_student_copies(course: Course, exam_id: str, papers) -> list:
    released = notebooks.read(course.release_dir(exam_id) / f"{exam_id}.ipynb")
    written = []
    for paper in papers:
        path = course.exam_paper_file(exam_id, "notebooks", paper.id, ".ipynb")
        copy = fill_questions(released, [(d.question, d.variant) for d in paper.questions])
        write_atomically(path, nbformat.writes(copy))
        written.append(path)
    return written
