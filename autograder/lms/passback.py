"""`course passback`: each student's final score of an assignment, as the gradebook holds it, posted
to the assignment's line item in the LMS (LTI Assignment and Grade Services 2.0).

The scores are `course report`'s (records.gradebook.final_scores: manual grades, overrides, extra
credit, extensions and late penalties under the current config). A score is `FullyGraded` only where
nothing waits for a TA in formgrader, else `Pending`. AGS keeps one result per student and line item
and a newer score replaces it, so a pass-back that stopped halfway is simply run again.

The assignment's line item (its column in the LMS's gradebook) is, in this order: the one given
(`--lineitem`); the one whose resourceId is the assignment id (the tool made it); the one the LMS made
for the assignment's graded activity, a resource link whose title (in the launch record or as the line
item's label) is the assignment's id or title; else one is made. Two at one step are refused: the
scores would go to a column the TA did not choose. One pass-back of an assignment runs at a time, so
that two cannot both make its line item.
"""

from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

from ..course import lms_launches
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.notebooks import maximum, read
from ..grading import results
from ..grading.unit import stale
from ..intake.submission_files import submitted_students
from ..records.gradebook import extensions, final_scores, open_gradebook
from ..records.late import deadline
from .roster import Member, read_roster
from .service import LINEITEM_SCOPE, NRPS_SCOPE, SCORE_SCOPE, Service, course_url

LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
FULLY_GRADED, PENDING = "FullyGraded", "Pending"


@dataclass(frozen=True)
class Score:
    student: str  # the hub name (nbgrader id)
    user_id: str  # the LMS's (the LTI sub)
    given: float
    maximum: float
    activity: str  # "Completed": submitted; "Initialized": never submitted (a zero the TA asked for)
    grading: str
    why_pending: str = ""

    def body(self) -> dict:
        return {"userId": self.user_id, "scoreGiven": self.given, "scoreMaximum": self.maximum,
                "activityProgress": self.activity, "gradingProgress": self.grading,
                # each post is newer than the last: the LMS replaces, never refuses an older one
                "timestamp": datetime.now(timezone.utc).isoformat(timespec="microseconds")}


@dataclass
class Passback:
    assignment_id: str
    label: str
    maximum: float
    lineitems_url: str
    lineitem: str | None  # the line item's URL; None: it does not exist yet (and a dry run does not make it)
    scores: list[Score]
    found_by: str = ""  # how the line item was found ("" where it is to be made)
    not_in_roster: list[tuple[str, str]] = field(default_factory=list)  # (student with a grade, why nothing is sent)
    ungraded: list[str] = field(default_factory=list)  # submitted, with no grading record yet: nothing is sent
    missing: list[str] = field(default_factory=list)  # students in the LMS who never submitted, past their deadline
    not_due: list[tuple[str, datetime]] = field(default_factory=list)  # never submitted, their deadline ahead
    unmapped: list[Member] = field(default_factory=list)  # members of the LMS, not staff, with no hub name
    sent: int = 0


def scores_url(lineitem: str) -> str:
    """The line item's scores endpoint: its URL's path with /scores added, its query kept (Moodle's
    line item URLs carry one)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _find_lineitem(service: Service, url: str, course: Course, assignment_id: str,
                   given: str | None) -> tuple[str | None, str]:
    """(the assignment's line item, how it was found), or (None, "") where there is none to find."""
    if given:
        item = service.request("GET", given, "read the line item given with --lineitem", accept=LINEITEM_MEDIA_TYPE)
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise CourseError(f"{given}, given with --lineitem, is no line item: the LMS's answer has no label",
                              hint=f"copy the line item's URL (its id) from `course passback {assignment_id} "
                                   "--dry-run` or from the LMS")
        return given, f"given with --lineitem, labelled {item['label']!r}"
    items = list(service.pages(url, "list the course's line items", accept=LINEITEMS_MEDIA_TYPE))
    for item in items:
        if not isinstance(item.get("id"), str):
            raise CourseError(f"a line item at {url} has no id (its URL): {item.get('label')!r}",
                              hint="the LMS answered against LTI AGS 2.0: check its version and its log")
    ours = {item["id"]: str(item.get("label")) for item in items if item.get("resourceId") == assignment_id}
    if ours:
        return _one(ours, url, assignment_id, f"with the resourceId {assignment_id!r}"), "its resourceId"
    # An LMS makes a graded activity's line item itself, tied to the resource link and labelled with the
    # activity's name; the tool did not give it a resourceId, so the name is what ties it to the assignment.
    names = {assignment_id, course.assignment(assignment_id)["title"]} - {None, ""}
    links = lms_launches.read(course.root).course(course.lms.context_id).get("links") or {}
    theirs = {entry["lineitem"]: str(entry.get("title")) for link_id, entry in sorted(links.items())
              if isinstance(entry, dict) and isinstance(entry.get("lineitem"), str) and entry["lineitem"]
              and (link_id in names or entry.get("title") in names)}
    theirs.update({item["id"]: item["label"] for item in items if item.get("resourceLinkId")
                   and not item.get("resourceId") and item.get("label") in names})
    if theirs:
        found = _one(theirs, url, assignment_id, "of a resource link named like the assignment")
        return found, f"the LMS's own column, labelled {theirs[found]!r}"
    return None, ""


def _one(found: dict[str, str], url: str, assignment_id: str, why: str) -> str:
    """The one line item of `found` (URL -> label); two or more: the TA chooses."""
    if len(found) > 1:
        listed = "; ".join(f"{item} ({label!r})" for item, label in sorted(found.items()))
        raise CourseError(f"{len(found)} line items at {url} could be {assignment_id}'s ({why}): {listed}",
                          hint=f"pass the one that is to hold its grades: `course passback {assignment_id} "
                               "--lineitem URL`; or delete the others in the LMS's gradebook")
    return next(iter(found))


def _waiting(course: Course, assignment_id: str, records: list[results.Result]) -> dict[str, str]:
    """Those graded whose final score is not final yet, and why."""
    waiting = {r.student_id: f"its grading did not finish ({r.status})" for r in records
               if r.status in results.UNFINISHED}
    waiting.update({r.student_id: "a newer submission is not graded yet" for r in records
                    if r.student_id not in waiting and stale(course, r)})
    if not records:  # opening the gradebook would make one
        return waiting
    with open_gradebook(course) as gb:
        for record in records:
            if gb.find_submission(assignment_id, record.student_id).needs_manual_grade:
                waiting.setdefault(record.student_id, "a TA has yet to grade part of it in formgrader")
    return waiting


def _due(course: Course, assignment_id: str, students: list[str]) -> dict[str, datetime]:
    """Of `students`, those who may still submit on time, and until when (their extension and the grace
    period counted). Without a deadline (an exam sat in the room) no one may."""
    due = deadline(course, assignment_id)
    if due is None or not students:
        return {}
    extended, now = extensions(course, assignment_id), datetime.now(timezone.utc)
    grace = timedelta(minutes=course.grading.late_grace_minutes)
    until = {sid: due + extended.get(sid, timedelta()) for sid in students}
    return {sid: when for sid, when in until.items() if now <= when + grace}


@contextmanager
def _one_at_a_time(course: Course, assignment_id: str, on_wait):
    """Held while a pass-back finds or makes the line item and posts: two at once would both make it."""
    folder = course.root / course.nbgrader.autograded_directory
    path = folder / f".passback-{assignment_id}.lock"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # flock needs no write access, so any TA can wait on a lock file another made; not through a link
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW, 0o640)
    except OSError as exc:
        what = "is a symbolic link" if exc.errno == errno.ELOOP else f"cannot be opened: {exc.strerror}"
        raise CourseError(f"the pass-back's lock {path} {what}",
                          hint=f"remove it (it holds nothing), then run `course passback {assignment_id}` again"
                          ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def passback(*, course: Course, assignment_id: str, zero_missing: bool = False, dry_run: bool = False,
             students: list[str] | None = None, lineitem: str | None = None, on_plan=None, on_sent=None,
             on_wait=None) -> Passback:
    """Post the final scores (of `students` only, where given; the others are left as the LMS has
    them); `dry_run`: read the roster and the line items, send nothing; `lineitem`: the line item's
    URL, where the TA chose it. `on_plan(passback)` before the first score is posted, `on_sent(score)`
    after each, `on_wait()` where another pass-back of the assignment holds the lock."""
    (assignment_id,) = course.resolve([assignment_id])
    submitted = students if students is not None else submitted_students(course, assignment_id)
    loaded = {sid: results.load(course.record_path(sid, assignment_id)) for sid in submitted}
    records = [record for record in loaded.values() if record is not None]
    if not records and not zero_missing:
        raise CourseError(f"no grading records for {assignment_id}", hint=f"run `course grade {assignment_id}` first")
    service = Service(course, [NRPS_SCOPE, LINEITEM_SCOPE, SCORE_SCOPE])
    roster = read_roster(course, service)
    url = course_url(course, "lineitems_url", "line items (LTI Assignment and Grade Services)")
    worth = maximum(read(course.source_notebooks(assignment_id)[0])).total
    finals = final_scores(course, assignment_id, records)
    waiting = _waiting(course, assignment_id, records)
    members = roster.students
    done = Passback(assignment_id, course.assignment(assignment_id)["title"] or assignment_id, worth, url, None,
                    scores=[], unmapped=roster.unmapped)
    for record in records:
        sid = record.student_id
        if sid not in members:
            done.not_in_roster.append((sid, roster.why_not_a_student(sid)))
            continue
        done.scores.append(Score(sid, members[sid].user_id, finals[sid].score, finals[sid].max_score, "Completed",
                                 PENDING if sid in waiting else FULLY_GRADED, waiting.get(sid, "")))
    if students is None:
        # "Never submitted" is what submitted/ says, not what grading has got to: a submission not graded
        # yet, or whose record cannot be read, is a student's work all the same.
        done.ungraded = sorted(sid for sid, record in loaded.items() if record is None)
        absent = sorted(set(members) - set(submitted))
        still = _due(course, assignment_id, absent)
        done.not_due = sorted(still.items())
        done.missing = [sid for sid in absent if sid not in still]
        if zero_missing:
            done.scores += [Score(sid, members[sid].user_id, 0.0, worth, "Initialized", FULLY_GRADED)
                            for sid in done.missing]
    with _one_at_a_time(course, assignment_id, on_wait):
        done.lineitem, done.found_by = _find_lineitem(service, url, course, assignment_id, lineitem)
        if on_plan:
            on_plan(done)
        if not dry_run and done.scores:
            _send(service, done, on_sent)
    return done


def _send(service: Service, done: Passback, on_sent) -> None:
    if done.lineitem is None:
        created = service.request("POST", done.lineitems_url, "create the assignment's line item",
                                  accept=LINEITEM_MEDIA_TYPE, content_type=LINEITEM_MEDIA_TYPE,
                                  body={"label": done.label, "scoreMaximum": done.maximum,
                                        "resourceId": done.assignment_id})
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            raise CourseError(f"the LMS made the line item of {done.assignment_id} at {done.lineitems_url} but gave "
                              "no id (its URL)", hint="the LMS answered against LTI AGS 2.0: check its log")
        done.lineitem = created["id"]
    url = scores_url(done.lineitem)
    for score in done.scores:
        try:
            service.request("POST", url, f"post {score.student}'s score", accept="application/json",
                            content_type=SCORE_MEDIA_TYPE, body=score.body())
        except CourseError as exc:
            again = f"`course passback {done.assignment_id}` again posts every score once more; the LMS keeps one each"
            raise CourseError(f"{exc.message} ({done.sent} of {len(done.scores)} scores were posted)",
                              hint=f"{exc.hint}; then {again}") from None
        done.sent += 1
        if on_sent:
            on_sent(score)
