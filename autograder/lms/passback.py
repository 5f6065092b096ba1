"""`course passback`: each student's final score of an assignment, as the gradebook holds it, posted
to the assignment's line item in the LMS (LTI Assignment and Grade Services 2.0).

The scores are `course report`'s (records.gradebook.final_scores: manual grades, overrides, extra
credit, extensions and late penalties under the current config). A score is `FullyGraded` only where
nothing waits for a TA in formgrader, else `Pending`. AGS keeps one result per student and line item
and a newer score replaces it, so a pass-back that stopped halfway is simply run again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.notebooks import maximum, read
from ..grading import results
from ..intake.submission_files import submitted_students
from ..records.gradebook import final_scores, open_gradebook
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
    not_in_roster: list[tuple[str, str]] = field(default_factory=list)  # (student with a grade, why nothing is sent)
    missing: list[str] = field(default_factory=list)  # students in the LMS without a submission
    unmapped: list[Member] = field(default_factory=list)  # members of the LMS, not staff, with no hub name
    sent: int = 0


def scores_url(lineitem: str) -> str:
    """The line item's scores endpoint: its URL's path with /scores added, its query kept (Moodle's
    line item URLs carry one)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _find_lineitem(service: Service, url: str, assignment_id: str) -> str | None:
    found = [item for item in service.pages(url, "list the course's line items", accept=LINEITEMS_MEDIA_TYPE,
                                            params={"resource_id": assignment_id})
             if item.get("resourceId") == assignment_id]
    if len(found) > 1:
        raise CourseError(f"{len(found)} line items at {url} have the resourceId {assignment_id!r}: the tool would "
                          "not know which one is the assignment's", hint="delete the extra columns in the LMS's "
                          "gradebook, keeping the one that holds the grades")
    if found and not isinstance(found[0].get("id"), str):
        raise CourseError(f"the line item of {assignment_id} at {url} has no id (its URL)",
                          hint="the LMS answered against LTI AGS 2.0: check its version and its log")
    return found[0]["id"] if found else None


def _graded(course: Course, assignment_id: str, students: list[str] | None) -> list[results.Result]:
    records = [results.load(course.record_path(s, assignment_id))
               for s in (students if students is not None else submitted_students(course, assignment_id))]
    return [r for r in records if r is not None]


def _waiting(course: Course, assignment_id: str, students) -> dict[str, str]:
    """Those of `students` whose final score is not final yet, and why."""
    if not students:  # opening the gradebook would make one
        return {}
    with open_gradebook(course) as gb:
        return {sid: "a TA has yet to grade part of it in formgrader" for sid in students
                if gb.find_submission(assignment_id, sid).needs_manual_grade}


def passback(*, course: Course, assignment_id: str, zero_missing: bool = False, dry_run: bool = False,
             students: list[str] | None = None, on_plan=None, on_sent=None) -> Passback:
    """Post the final scores (of `students` only, where given; the others are left as the LMS has
    them); `dry_run`: read the roster and the line items, send nothing. `on_plan(passback)` before
    the first score is posted, `on_sent(score)` after each."""
    (assignment_id,) = course.resolve([assignment_id])
    records = _graded(course, assignment_id, students)
    if not records and not zero_missing:
        raise CourseError(f"no grading records for {assignment_id}", hint=f"run `course grade {assignment_id}` first")
    service = Service(course, [NRPS_SCOPE, LINEITEM_SCOPE, SCORE_SCOPE])
    roster = read_roster(course, service)
    url = course_url(course, "lineitems_url", "line items (LTI Assignment and Grade Services)")
    lineitem = _find_lineitem(service, url, assignment_id)
    worth = maximum(read(course.source_notebooks(assignment_id)[0])).total
    finals = final_scores(course, assignment_id, records)
    waiting = _waiting(course, assignment_id, finals)
    waiting.update({r.student_id: f"its grading did not finish ({r.status})" for r in records
                    if r.status in results.UNFINISHED})
    members = roster.students
    done = Passback(assignment_id, course.assignment(assignment_id)["title"] or assignment_id, worth, url, lineitem,
                    scores=[], unmapped=roster.unmapped)
    for record in records:
        sid = record.student_id
        if sid not in members:
            done.not_in_roster.append((sid, roster.why_not_a_student(sid)))
            continue
        done.scores.append(Score(sid, members[sid].user_id, finals[sid].score, finals[sid].max_score, "Completed",
                                 PENDING if sid in waiting else FULLY_GRADED, waiting.get(sid, "")))
    if students is None:
        done.missing = sorted(set(members) - {r.student_id for r in records})
        if zero_missing:
            done.scores += [Score(sid, members[sid].user_id, 0.0, worth, "Initialized", FULLY_GRADED)
                            for sid in done.missing]
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
