"""The exchange as a hub service: ngshare, reached over HTTP with the staff's JupyterHub token.

Moving files stays with ngshare-exchange's nbgrader classes (exchange.py hands them to NbGraderAPI).
This module does what those classes do not: say in one line when the service is down or refuses
(they log the failure and carry on), keep the service's roster (ngshare knows a course's students,
nbgrader's folder exchange needs no roster), and ask which submissions the service holds.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
from pathlib import Path

import requests

from ..course.coursedir import Course
from ..course.errors import CourseError

TOKEN_ENV = "JUPYTERHUB_API_TOKEN"  # where ngshare-exchange's classes read the caller's token


def enabled(course: Course) -> bool:
    return bool(course.exchange_service.url)


def token(course: Course) -> str:
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV]
    where = course.exchange_service.token_file
    if not where:
        raise CourseError(f"the exchange service {course.exchange_service.url} needs the staff's JupyterHub token",
                          hint="set c.ExchangeService.token_file in course_config.py (scripts/hub.sh writes one), "
                               f"or ${TOKEN_ENV}")
    try:
        return Path(where).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CourseError(f"the staff's token file {where} cannot be read ({exc.strerror})",
                          hint="run as the user scripts/hub.sh gave it to (root), or fix c.ExchangeService.token_file") from None


def call(course: Course, method: str, path: str, what: str, **data) -> dict:
    """One request to ngshare; any failure becomes a one-line error naming what was tried, where, and what to check."""
    url = course.exchange_service.url.rstrip("/") + path
    service = course.exchange_service.url
    try:
        reply = requests.request(method, url, data=data or None, timeout=course.exchange_service.timeout,
                                 headers={"Authorization": f"token {token(course)}"})
    except requests.Timeout:
        raise CourseError(f"could not {what}: the exchange service {service} did not answer within "
                          f"{course.exchange_service.timeout:g} s", hint="check that the hub and its ngshare service "
                          "are running (`scripts/hub.sh start`); nothing was changed, so run this again then") from None
    except requests.ConnectionError as exc:
        reason = "connection refused" if "refused" in str(exc) else type(exc).__name__
        raise CourseError(f"could not {what}: the exchange service {service} is not reachable ({reason})",
                          hint="check that the hub and its ngshare service are running (`scripts/hub.sh start`) and "
                          "c.ExchangeService.url; nothing was changed, so run this again then") from None
    try:
        answer = reply.json()
    except ValueError:
        answer = {}
    if reply.status_code in (401, 403) and "Permission denied" not in answer.get("message", ""):
        raise CourseError(f"could not {what}: the exchange service {service} did not accept the staff's token "
                          f"(HTTP {reply.status_code})", hint="check c.ExchangeService.token_file against the hub's "
                          "course-staff service token (scripts/hub.sh writes both)")
    if not answer.get("success"):
        why = answer.get("message") or f"HTTP {reply.status_code}"
        raise CourseError(f"could not {what}: the exchange service {service} answered: {why}",
                          hint="see the hub's log for ngshare's side")
    return answer


def check(course: Course, what: str) -> None:
    """Before nbgrader's classes run: the service is up and knows the staff (they would only log it)."""
    call(course, "GET", "/courses", what)


def courses(course: Course) -> set[str]:
    return set(call(course, "GET", "/courses", "list the exchange's courses")["courses"])


def enroll(course: Course, course_id: str, students: list[str], *, known: set[str] | None = None) -> None:
    """Make `course_id` on the service if it is new, with the staff and c.ExchangeService.instructors
    teaching it, and these students taking it (ngshare serves a course only to its own people)."""
    if course_id not in (courses(course) if known is None else known):
        call(course, "POST", f"/course/{course_id}", f"create the course {course_id} on the exchange")
    for instructor in course.exchange_service.instructors:
        call(course, "POST", f"/instructor/{course_id}/{instructor}", f"make {instructor} an instructor of {course_id}",
             first_name=instructor, last_name="", email="")
    if students:
        roster = [{"username": s, "first_name": s, "last_name": "", "email": ""} for s in students]
        answer = call(course, "POST", f"/students/{course_id}", f"enroll {len(students)} students in {course_id}",
                      students=json.dumps(roster))
        refused = [entry for entry in answer.get("status", []) if not entry.get("success")]
        if refused:
            raise CourseError(f"the exchange did not enroll {refused[0]['username']} in {course_id}: "
                              f"{refused[0].get('message', '')}", hint="an instructor of the course cannot also take it")


def assignments(course: Course, course_id: str, what: str) -> list[str]:
    """The assignments the service has released in `course_id`."""
    return call(course, "GET", f"/assignments/{course_id}", what)["assignments"]


def submission_times(course: Course, course_id: str, assignment_id: str, student_id: str) -> list[str]:
    """The timestamps of the service's submissions of one student, as its collect writes them."""
    answer = call(course, "GET", f"/submissions/{course_id}/{assignment_id}/{student_id}",
                  f"list {student_id}'s submissions of {assignment_id}")
    return [entry["timestamp"] for entry in answer["submissions"]]


@contextlib.contextmanager
def staff_token(course: Course):
    """The token in the environment only while ngshare-exchange's classes talk to the service: grading
    kernels started later by this process must not inherit it. Nothing on the folder exchange."""
    if not enabled(course):
        yield
        return
    before = os.environ.get(TOKEN_ENV)
    os.environ[TOKEN_ENV] = token(course)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(TOKEN_ENV, None)
        else:
            os.environ[TOKEN_ENV] = before


def marker(submission: Path) -> Path:
    """Where the staff's collect keeps why it refused a student's newest submission on the service
    (ngshare_collect.py): beside the submission's folder, a dot file nbgrader never takes for one."""
    return submission.with_name(f".{submission.name}.refused")


def exchange_config(course: Course) -> dict:
    """nbgrader settings that route its exchange through ngshare-exchange's classes."""
    # ngshare_exchange reads $USER when it is imported (it names the submitter); a service shell may have none.
    os.environ.setdefault("USER", getpass.getuser())
    import ngshare_exchange

    from .ngshare_collect import GuardedServiceCollect

    factory = {role: getattr(ngshare_exchange, name) for role, name in (
        ("exchange", "Exchange"), ("fetch_assignment", "ExchangeFetchAssignment"),
        ("fetch_feedback", "ExchangeFetchFeedback"), ("release_assignment", "ExchangeReleaseAssignment"),
        ("release_feedback", "ExchangeReleaseFeedback"), ("list", "ExchangeList"), ("submit", "ExchangeSubmit"))}
    factory["collect"] = GuardedServiceCollect
    return {"ExchangeFactory": factory, "Exchange": {"_ngshare_url": course.exchange_service.url}}
