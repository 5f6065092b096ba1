"""nbgrader's exchange: release assignments into it, collect submissions from it, release feedback.

Everything goes through nbgrader's own exchange classes (NbGraderAPI), so a hub's Assignments
panel, `nbgrader fetch_assignment` and `nbgrader submit` see exactly what `nbgrader release_assignment`
would have put there. Our part is the checks that turn nbgrader's log lines into one-line errors.

Two exchanges: nbgrader's shared folder (c.Exchange.root), or the ngshare service on the hub
(c.ExchangeService.url), whose classes ngshare-exchange provides; nothing here then touches a
folder of the exchange. Only the service can hand each student their own exam paper: a student's
paper goes out in a course of its own on it, which the service serves to that student alone.
"""

from __future__ import annotations

import glob
import logging
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import Exchange
from traitlets.config import Config

from ..authoring.release import reason_in_log, release
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..grading.grade import submitted_students
from ..grading.submission_files import SECRET_FILE, exchange_texts
from ..grading.unit import TIMESTAMP_FILE, InvalidSubmission, submitted_notebook
from . import ngshare
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


def where(course: Course) -> str:
    """The exchange, as people know it: the service's URL or the folder."""
    return course.exchange_service.url if ngshare.enabled(course) else str(root(course))


def check_setup(course: Course) -> None:
    """What the admin must fix before anything can work (the service being down is not: it comes back)."""
    if ngshare.enabled(course):
        ngshare.token(course)
    else:
        check_root(course)


def _api(course: Course, course_id: str | None = None, **settings) -> NbGraderAPI:
    """nbgrader's API on the course's exchange; `course_id`: one of a student's own exam papers on the service."""
    ensure_alembic_on_path()
    config = Config(course.config)
    for section, values in settings.items():
        config[section].update(values)
    coursedir = course.nbgrader
    if ngshare.enabled(course):
        for section, values in ngshare.exchange_config(course).items():
            config[section].update(values)
        if course_id:
            config.CourseDirectory.course_id = course_id
            coursedir = CourseDirectory(config=config, root=coursedir.root)
    else:
        check_root(course)
        config.ExchangeFactory.collect = GuardedCollect
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.ERROR)
    return api


def _roster_exam(course: Course, assignment_id: str) -> dict | None:
    """The manifest entry of an exam that gives each student their own paper; None for anything else."""
    if assignment_id in course.course.assignments:
        return None
    entry = course.exam_assignments().get(assignment_id)
    return entry if entry is not None and not entry["paper"] else None


def paper_course(course: Course, assignment_id: str, student_id: str) -> str | None:
    """The service's course that holds this student's own exam paper; None for everything handed out alike."""
    if _roster_exam(course, assignment_id) is None:
        return None
    return f"{course.nbgrader.course_id}-{assignment_id}-{student_id}"


def _own_papers(course: Course, assignment_id: str) -> dict[str, Path]:
    """Student -> their own paper's notebook, for a roster exam; empty for anything else."""
    entry = _roster_exam(course, assignment_id)
    if entry is None:
        return {}
    return {path.stem: path for path in sorted((course.exam_dir(entry["exam"]) / "notebooks").glob("*.ipynb"))}


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


def _succeeded(result: dict, what: str, hint: str) -> None:
    # nbgrader's capture_log catches everything, Ctrl+C included: it must still stop `course watch`.
    if (result or {}).get("error", "").rstrip().endswith("KeyboardInterrupt"):
        raise KeyboardInterrupt
    if not result or not result.get("success"):
        raise CourseError(f"nbgrader could not {what}: {_reason(result or {})}", hint=hint)


def release_assignments(*, course: Course, assignment_ids: list[str] | None = None) -> list[str]:
    """Regenerate release/<id>/ and publish it in the exchange, replacing what was there, so
    students fetch it from their Assignments panel. Returns the ids released."""
    ids = course.resolve(assignment_ids)
    release(course=course, assignment_ids=ids)
    if ngshare.enabled(course):
        return _release_on_service(course, ids)
    # force: releasing again must replace the exchange's copy, as `course release` replaces release/.
    api = _api(course, ExchangeReleaseAssignment={"force": True})
    for assignment_id in ids:
        if _own_papers(course, assignment_id):
            raise CourseError(f"{assignment_id} gives each student their own paper, which a shared exchange folder "
                              "cannot keep from the others", hint="hand the papers out through the LMS, or run the hub "
                              "with the ngshare exchange (HUB_EXCHANGE=ngshare scripts/hub.sh start)")
        _succeeded(api.release_assignment(assignment_id), f"release {assignment_id} into the exchange",
                   hint=f"run `nbgrader release_assignment {assignment_id} --force` to see nbgrader's full log")
    return ids


def _release_on_service(course: Course, ids: list[str]) -> list[str]:
    ngshare.check(course, f"release {ids[0]} into the exchange")
    known = ngshare.courses(course)
    course_id = course.nbgrader.course_id
    if course_id not in known:
        raise CourseError(f"the exchange service has no course {course_id} yet",
                          hint="enroll the students first: `course enroll STUDENT...` (scripts/hub.sh does it)")
    for assignment_id in ids:
        papers = _own_papers(course, assignment_id)
        if not papers:
            _release_one(course, assignment_id, course_id, course.release_dir(assignment_id))
        for student, paper in papers.items():
            # The student's paper in a course only they take: ngshare serves a course's releases to its people.
            own = paper_course(course, assignment_id, student)
            ngshare.enroll(course, own, [student], known=known)
            with tempfile.TemporaryDirectory() as staging:
                folder = Path(staging) / assignment_id
                shutil.copytree(course.release_dir(assignment_id), folder)
                shutil.copyfile(paper, folder / f"{_roster_exam(course, assignment_id)['exam']}.ipynb")
                _release_one(course, assignment_id, own, folder)
    return ids


def _release_one(course: Course, assignment_id: str, course_id: str, folder: Path) -> None:
    """ngshare-exchange releases release/<id>/ of the course directory it is given: here, `folder`."""
    api = _api(course, course_id, ExchangeReleaseAssignment={"force": True},
               CourseDirectory={"release_directory": str(folder.parent)})
    with ngshare.staff_token(course):
        _succeeded(api.release_assignment(assignment_id), f"release {assignment_id} into the exchange",
                   hint="see the hub's log for ngshare's side")
    # Its classes only log a refused upload: ask the service whether the release is there.
    if assignment_id not in ngshare.assignments(course, course_id, f"check the release of {assignment_id}"):
        raise CourseError(f"the exchange service did not keep {assignment_id} in {course_id}",
                          hint="see the hub's log for ngshare's side, then release again")


@dataclass
class Collected:
    placed: list[str] = field(default_factory=list)  # students with a new or newer submission
    unchanged: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (student, why it scores 0)
    noted: list[tuple[str, str]] = field(default_factory=list)  # (student, what grading will do about its files)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (student, why their new submission was not taken)


def _timestamps(course: Course, assignment_id: str) -> dict[str, str]:
    return {sid: exchange_texts(course, sid, assignment_id).get(TIMESTAMP_FILE, "").strip()
            for sid in submitted_students(course, assignment_id)}


def _refusals(course: Course, assignment_id: str) -> dict[str, str]:
    """Student -> why their newest submission on the service was refused, from the markers collect leaves."""
    found = {}
    for kept in sorted(course.submissions_root().glob(f"*/{glob.escape(ngshare.marker(Path(assignment_id)).name)}")):
        when, _, why = kept.read_text(encoding="utf-8").partition("\n")
        found[kept.parent.name] = f"{why.strip()} (their submission of {when.replace('T', ' ')[:19]} UTC)"
    return found


def collect(*, course: Course, assignment_id: str) -> Collected:
    """nbgrader's collect: each student's newest submission from the exchange into submitted/."""
    (assignment_id,) = course.resolve([assignment_id])
    never = CourseError(f"{assignment_id} was never released into the exchange, so nobody can have submitted it",
                        hint=f"run `course release {assignment_id} --exchange`")
    before = _timestamps(course, assignment_id)
    if ngshare.enabled(course):
        # The service keeps no hand-made entries (submissions reach it only through its API), but a file
        # the staff's disk cannot store is refused for its student, with a marker that says why.
        refusals = _refusals(course, assignment_id)
        ngshare.check(course, f"collect {assignment_id} from the exchange")
        course_ids = [paper_course(course, assignment_id, s) for s in _own_papers(course, assignment_id)]
        for course_id in course_ids or [course.nbgrader.course_id]:
            if assignment_id not in ngshare.assignments(course, course_id, f"collect {assignment_id} from the exchange"):
                raise never
            with ngshare.staff_token(course):
                _succeeded(_api(course, course_id).collect(assignment_id, update=True),
                           f"collect {assignment_id} from the exchange", hint="see the hub's log for ngshare's side")
        refused = sorted(set(_refusals(course, assignment_id).items()) - set(refusals.items()))
    else:
        outbound = check_root(course) / course.nbgrader.course_id / "outbound" / assignment_id
        if not outbound.is_dir():
            raise never
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
    """Whether the submission has the secret nbgrader's submit gave it (an LMS zip has none); on the
    service, whether the service holds a submission of that time."""
    texts = exchange_texts(course, student_id, assignment_id)
    if not ngshare.enabled(course):
        return SECRET_FILE in texts
    course_id = paper_course(course, assignment_id, student_id) or course.nbgrader.course_id
    return TIMESTAMP_FILE in texts and texts[TIMESTAMP_FILE].strip() in ngshare.submission_times(
        course, course_id, assignment_id, student_id)


def release_feedback(*, course: Course, assignment_id: str, students: list[str]) -> None:
    """nbgrader's release_feedback for these students: the HTML `course feedback` wrote, which they
    then fetch with "Fetch Feedback"."""
    if ngshare.enabled(course):
        ngshare.check(course, f"release feedback on {assignment_id}")
    for sid in students:
        if not came_through_exchange(course, assignment_id, sid):
            raise CourseError(f"{sid}'s submission of {assignment_id} did not come through the exchange, so its feedback "
                              "cannot be released there", hint="give it to the student another way, or drop --release")
        api = _api(course, paper_course(course, assignment_id, sid))
        with ngshare.staff_token(course):
            _succeeded(api.release_feedback(assignment_id, sid), f"release {sid}'s feedback on {assignment_id}",
                       hint=f"run `nbgrader release_feedback {assignment_id} --student {sid}` to see nbgrader's full log")


def enroll(*, course: Course, students: list[str]) -> None:
    """The course on the service, with these students taking it (the folder exchange has no roster)."""
    if not ngshare.enabled(course):
        raise CourseError("the folder exchange has no roster: every user who sees the folder can fetch and submit",
                          hint="set c.ExchangeService.url to enroll students on the ngshare service")
    ngshare.check(course, "enroll students on the exchange")
    ngshare.enroll(course, course.nbgrader.course_id, students)
