"""nbgrader's exchange: release assignments into it, collect submissions from it, release feedback.

Everything goes through nbgrader's own exchange classes (NbGraderAPI), so a hub's Assignments
panel, `nbgrader fetch_assignment` and `nbgrader submit` see exactly what `nbgrader release_assignment`
would have put there. Our part is the checks that turn nbgrader's log lines into one-line errors.
"""

from __future__ import annotations

import logging
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.exchange.default import Exchange
from traitlets.config import Config

from ..authoring.release import reason_in_log, release
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..grading.grade import submitted_students
from ..grading.unit import TIMESTAMP_FILE, InvalidSubmission, submitted_notebook
from .gradebook import ensure_alembic_on_path
from .inbound import GuardedCollect, screen

# Every user writes their submissions into the exchange's root: nbgrader's own mode for it.
_SHARED_MODE = 0o777


def root(course: Course) -> Path:
    """The exchange folder: c.Exchange.root in course_config.py, else nbgrader's default."""
    return Path(Exchange(config=course.config).root)


def check_root(course: Course) -> Path:
    folder = root(course)
    if not folder.is_dir():
        raise CourseError(f"the exchange folder {folder} does not exist",
                          hint=f"create it with `mkdir -p -m 1777 {folder}`, or set c.Exchange.root in course_config.py")
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & _SHARED_MODE != _SHARED_MODE:
        raise CourseError(f"students cannot submit into the exchange folder {folder} (mode {mode:04o})",
                          hint=f"run `chmod 1777 {folder}`")
    return folder


def _api(course: Course, **settings) -> NbGraderAPI:
    check_root(course)
    ensure_alembic_on_path()
    config = Config(course.config)
    for section, values in settings.items():
        config[section].update(values)
    config.ExchangeFactory.collect = GuardedCollect
    api = NbGraderAPI(coursedir=course.nbgrader, config=config)
    api.log.setLevel(logging.ERROR)
    return api


def _succeeded(result: dict, what: str, hint: str) -> None:
    # nbgrader's capture_log catches everything, Ctrl+C included: it must still stop `course watch`.
    if (result or {}).get("error", "").rstrip().endswith("KeyboardInterrupt"):
        raise KeyboardInterrupt
    if not result or not result.get("success"):
        raise CourseError(f"nbgrader could not {what}: {reason_in_log((result or {}).get('log', ''))}", hint=hint)


def release_assignments(*, course: Course, assignment_ids: list[str] | None = None) -> list[str]:
    """Regenerate release/<id>/ and publish it in the exchange, replacing what was there, so
    students fetch it from their Assignments panel. Returns the ids released."""
    ids = course.resolve(assignment_ids)
    release(course=course, assignment_ids=ids)
    # force: releasing again must replace the exchange's copy, as `course release` replaces release/.
    api = _api(course, ExchangeReleaseAssignment={"force": True})
    for assignment_id in ids:
        _succeeded(api.release_assignment(assignment_id), f"release {assignment_id} into the exchange",
                   hint=f"run `nbgrader release_assignment {assignment_id} --force` to see nbgrader's full log")
    return ids


@dataclass
class Collected:
    placed: list[str] = field(default_factory=list)  # students with a new or newer submission
    unchanged: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (student, why it scores 0)
    noted: list[tuple[str, str]] = field(default_factory=list)  # (student, what grading will do about its files)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (student, why their new submission was not taken)


def _timestamps(course: Course, assignment_id: str) -> dict[str, str]:
    found = {}
    for sid in submitted_students(course, assignment_id):
        path = course.submission_dir(sid, assignment_id) / TIMESTAMP_FILE
        found[sid] = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
    return found


def collect(*, course: Course, assignment_id: str) -> Collected:
    """nbgrader's collect: each student's newest submission from the exchange into submitted/."""
    (assignment_id,) = course.resolve([assignment_id])
    outbound = check_root(course) / course.nbgrader.course_id / "outbound" / assignment_id
    if not outbound.is_dir():
        raise CourseError(f"{assignment_id} was never released into the exchange, so nobody can have submitted it",
                          hint=f"run `course release {assignment_id} --exchange`")
    before = _timestamps(course, assignment_id)
    refused = screen(outbound.parents[1] / "inbound", assignment_id,
                     check_owner=bool(course.config.ExchangeCollect.get("check_owner", True)))
    _succeeded(_api(course).collect(assignment_id, update=True), f"collect {assignment_id} from the exchange",
               hint=f"run `nbgrader collect {assignment_id} --update` to see nbgrader's full log")
    outcome = Collected(refused=refused)
    for sid, when in _timestamps(course, assignment_id).items():
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


def came_through_exchange(course: Course, assignment_id: str, student_id: str) -> bool:
    """Whether the submission has the secret nbgrader's submit gave it (an LMS zip has none)."""
    return (course.submission_dir(student_id, assignment_id) / "submission_secret.txt").is_file()


def release_feedback(*, course: Course, assignment_id: str, students: list[str]) -> None:
    """nbgrader's release_feedback for these students: the HTML `course feedback` wrote, which they
    then fetch with "Fetch Feedback"."""
    api = _api(course)
    for sid in students:
        if not came_through_exchange(course, assignment_id, sid):
            raise CourseError(f"{sid}'s submission of {assignment_id} did not come through the exchange, so its feedback "
                              "cannot be released there", hint="give it to the student another way, or drop --release")
        _succeeded(api.release_feedback(assignment_id, sid), f"release {sid}'s feedback on {assignment_id}",
                   hint=f"run `nbgrader release_feedback {assignment_id} --student {sid}` to see nbgrader's full log")
