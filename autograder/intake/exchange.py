"""nbgrader's exchange: release assignments into it, collect submissions from it, release feedback.

Everything goes through nbgrader's own exchange classes (NbGraderAPI), so a hub's Assignments
panel, `nbgrader fetch_assignment` and `nbgrader submit` see exactly what `nbgrader release_assignment`
would have put there. Our part is the checks that turn nbgrader's log lines into one-line errors.

Two exchanges, one interface (`Exchange`), chosen once from the config by `exchange_for`: nbgrader's
shared folder (c.Exchange.root; exchange_folder.py), or the ngshare service on the hub
(c.ExchangeService.url; exchange_service.py), whose classes ngshare-exchange provides. Only the
service can hand each student their own exam paper. The verbs below are what the staff's commands
call; `course watch` chooses the exchange once and hands it to each pass.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import Exchange as NbgraderExchange
from traitlets.config import Config

from ..authoring.release import reason_in_log, release
from ..course.coursedir import Course
from ..course.coursedir import read_manifest
from ..course.errors import CourseError
from ..course.identity import student
from ..course.nbgrader_db import ensure_alembic_on_path
from .submission_files import (TIMESTAMP_FILE, InvalidSubmission, exchange_texts, recover_all, submitted_notebook,
                               submitted_students)


class Exchange(Protocol):
    """What differs between the folder and the service; the verbs below hold what they share."""

    course: Course

    def where(self) -> str:
        """The exchange, as people know it: the service's URL or the folder."""

    def check_setup(self) -> None:
        """What the admin must fix before anything can work (the service being down is not: it comes back)."""

    def check(self, what: str) -> None:
        """Before anything changes: the exchange can be used now; `what` names the attempt in the error."""

    def release(self, assignment_ids: list[str]) -> None:
        """Publish release/<id>/ of each, replacing what was there."""

    def collect(self, assignment_id: str) -> list[tuple[str, str]]:
        """Each student's newest submission into submitted/; returns (student, why) for those refused."""

    def came_through(self, assignment_id: str, student_id: str) -> bool:
        """Whether the student's collected submission came from this exchange (an LMS zip's did not)."""

    def release_feedback(self, assignment_id: str, student_id: str) -> None:
        """The HTML `course feedback` wrote for this student, for them to fetch."""

    def enroll(self, students: list[str]) -> None:
        """The course on the exchange, with these students taking it."""

    def holds(self, assignment_ids: list[str]) -> set[str]:
        """Those of these assignments released into the exchange."""


def exchange_for(course: Course) -> Exchange:
    """The course's exchange: the service when c.ExchangeService.url names one, else the folder."""
    from .exchange_folder import FolderExchange
    from .exchange_service import ServiceExchange

    return ServiceExchange(course) if course.exchange_service.url else FolderExchange(course)


def root(course: Course) -> Path:
    """The exchange folder: c.Exchange.root in course_config.py, else nbgrader's default."""
    return Path(NbgraderExchange(config=course.config).root)


def where(course: Course) -> str:
    return exchange_for(course).where()


def check_setup(course: Course) -> None:
    exchange_for(course).check_setup()


# --- what both implementations use ---------------------------------------------------------------

def nbgrader_api(course: Course, course_id: str | None = None, **settings) -> NbGraderAPI:
    """nbgrader's API on the course, with `settings` (section -> values) over course_config.py's;
    `course_id`: another course than the course's own (one of a student's own exam papers)."""
    ensure_alembic_on_path()
    config = Config(course.config)
    for section, values in settings.items():
        config[section].update(values)
    coursedir = course.nbgrader
    if course_id:
        config.CourseDirectory.course_id = course_id
        coursedir = CourseDirectory(config=config, root=coursedir.root)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.ERROR)
    return api


def _reason(result: dict) -> str:
    """What made nbgrader fail: the service's own answer, which ngshare-exchange only logs, else the
    last exception in its log or in the traceback its capture_log keeps apart from the log."""
    log = result.get("log", "")
    said = re.findall(r"ngshare endpoint \S+ returned failure: (.*)$|ngshare service returned invalid status code (\d+)",
                      log, flags=re.M)
    if said:
        message, status = said[-1]
        return f"the exchange service answered: {message or 'HTTP ' + status}"
    return reason_in_log(log + "\n" + result.get("error", ""))


def succeeded(result: dict, what: str, hint: str) -> None:
    """An NbGraderAPI call's result, or a one-line error saying what failed."""
    # nbgrader's capture_log catches everything, Ctrl+C included: it must still stop `course watch`.
    if (result or {}).get("error", "").rstrip().endswith("KeyboardInterrupt"):
        raise KeyboardInterrupt
    if not result or not result.get("success"):
        raise CourseError(f"nbgrader could not {what}: {_reason(result or {})}", hint=hint)


def never_released(assignment_id: str) -> CourseError:
    return CourseError(f"{assignment_id} was never released into the exchange, so nobody can have submitted it",
                       hint=f"run `course release {assignment_id} --exchange`")


def roster_exam(course: Course, assignment_id: str) -> dict | None:
    """The manifest entry of an exam that gives each student their own paper; None for anything else."""
    if assignment_id in course.syllabus.assignments:
        return None
    entry = course.exam_assignments().get(assignment_id)
    return entry if entry is not None and not entry["paper"] else None


def own_papers(course: Course, assignment_id: str) -> dict[str, Path]:
    """Exchange user -> their own paper's notebook, for a roster exam; empty for anything else."""
    entry = roster_exam(course, assignment_id)
    if entry is None:
        return {}
    # The manifest's paper ids, not the notebooks' file names: a file name cannot hold every id as it is.
    return {student(paper_id).exchange_user: path for paper_id in sorted(read_manifest(course, entry["exam"])["papers"])
            if (path := course.exam_paper_file(entry["exam"], "notebooks", paper_id, ".ipynb")).is_file()}


def paper_course(course: Course, assignment_id: str, student_id: str) -> str | None:
    """The service's course that holds this student's own exam paper; None for everything handed out alike."""
    if roster_exam(course, assignment_id) is None:
        return None
    return f"{course.nbgrader.course_id}-{assignment_id}-{student(student_id).exchange_user}"


# --- the verbs ----------------------------------------------------------------------------------

def release_assignments(*, course: Course, assignment_ids: list[str] | None = None) -> list[str]:
    """Regenerate release/<id>/ and publish it in the exchange, so students fetch it from their
    Assignments panel: what the exchange holds as it is stays, a changed one replaces it (on the service,
    only while nobody has submitted it). Returns the ids released."""
    ids = course.resolve(assignment_ids)
    release(course=course, assignment_ids=ids)
    exchange_for(course).release(ids)
    return ids


@dataclass
class ExchangeCollected:
    placed: list[str] = field(default_factory=list)  # students with a new or newer submission
    unchanged: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (student, why it scores 0)
    noted: list[tuple[str, str]] = field(default_factory=list)  # (student, what grading will do about its files)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (student, why their new submission was not taken)


def _timestamps(course: Course, assignment_id: str) -> dict[str, str]:
    return {sid: exchange_texts(course, sid, assignment_id).get(TIMESTAMP_FILE, "").strip()
            for sid in submitted_students(course, assignment_id)}


@contextmanager
def _one_collect_at_a_time(course: Course):
    """`course watch` and a TA's `course collect --exchange` may run at once: each would take the
    other's submission renamed aside for one a killed collect left (submission_files.recover), and
    the other's replacement would then fail, refusing its student. A lock on the course folder,
    which holds while the process lives and goes with it, however it ends."""
    folder = os.open(course.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)


def collect_exchange(*, course: Course, assignment_id: str, exchange: Exchange | None = None) -> ExchangeCollected:
    """nbgrader's collect: each student's newest submission from the exchange into submitted/."""
    (assignment_id,) = course.resolve([assignment_id])
    with _one_collect_at_a_time(course):
        recover_all(course, assignment_id)
        before = _timestamps(course, assignment_id)
        refused = (exchange or exchange_for(course)).collect(assignment_id)
        after = _timestamps(course, assignment_id)
    outcome = ExchangeCollected(refused=refused)
    for sid, when in after.items():
        if before.get(sid) == when:
            outcome.unchanged += 1
            continue
        outcome.placed.append(sid)
        try:
            _, note = submitted_notebook(course, sid, assignment_id)
        except InvalidSubmission as exc:  # graded all the same: its record says this, with 0 points
            outcome.invalid.append((sid, str(exc)))
        else:
            outcome.noted += [(sid, note.strip())] if note else []
    return outcome


def release_feedback(*, course: Course, assignment_id: str, students: list[str],
                     exchange: Exchange | None = None) -> None:
    """nbgrader's release_feedback for these students: the HTML `course feedback` wrote, which they
    then fetch with "Fetch Feedback"."""
    exchange = exchange or exchange_for(course)
    exchange.check(f"release feedback on {assignment_id}")
    for sid in students:
        if not exchange.came_through(assignment_id, sid):
            raise CourseError(f"{sid}'s submission of {assignment_id} did not come through the exchange, so its feedback "
                              "cannot be released there", hint="give it to the student another way, or drop --release")
        exchange.release_feedback(assignment_id, sid)


def enroll(*, course: Course, students: list[str]) -> None:
    """The course on the exchange, with these students taking it (the folder exchange has no roster)."""
    exchange_for(course).enroll(students)
