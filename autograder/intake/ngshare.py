"""The exchange as a hub service: ngshare, reached over HTTP with the staff's JupyterHub token.

Moving files stays with ngshare-exchange's nbgrader classes (exchange_service.py hands them to
NbGraderAPI). This module does what those classes do not: say in one line when the service is down
or refuses (they log the failure and carry on), keep the service's roster (ngshare knows a course's
students, nbgrader's folder exchange needs no roster), and ask which submissions the service holds.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

import requests
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import parse_utc

from ..course.errors import CourseError
from ..course.identity import student
from ..course.settings import ExchangeService

TOKEN_ENV = "JUPYTERHUB_API_TOKEN"  # where ngshare-exchange's classes read the caller's token


@dataclass
class Service:
    """The course's ngshare, as c.ExchangeService describes it."""

    settings: ExchangeService

    @property
    def url(self) -> str:
        return self.settings.url

    @cached_property
    def token(self) -> str:
        """The staff's token, read once: $JUPYTERHUB_API_TOKEN, else c.ExchangeService.token_file."""
        if os.environ.get(TOKEN_ENV):
            return os.environ[TOKEN_ENV]
        where = self.settings.token_file
        if not where:
            raise CourseError(f"the exchange service {self.url} needs the staff's JupyterHub token",
                              hint="set c.ExchangeService.token_file in course_config.py (scripts/hub.sh writes one), "
                                   f"or ${TOKEN_ENV}")
        try:
            return Path(where).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CourseError(f"the staff's token file {where} cannot be read ({exc.strerror})",
                              hint="run as the user scripts/hub.sh gave it to (root), or fix c.ExchangeService.token_file") from None

    def call(self, method: str, path: str, what: str, *, absent_ok: bool = False, **data) -> dict | None:
        """One request to ngshare; any failure becomes a one-line error naming what was tried, where, and
        what to check. `absent_ok`: None when the service has no such course, assignment or endpoint (404)."""
        timeout = self.settings.timeout
        try:
            reply = requests.request(method, self.url.rstrip("/") + path, data=data or None, timeout=timeout,
                                     headers={"Authorization": f"token {self.token}"})
        except requests.Timeout:
            raise CourseError(f"could not {what}: the exchange service {self.url} did not answer within {timeout:g} s",
                              hint="check that the hub and its ngshare service are running (`scripts/hub.sh start`); "
                              "nothing was changed, so run this again then") from None
        except requests.ConnectionError as exc:
            reason = "connection refused" if "refused" in str(exc) else type(exc).__name__
            raise CourseError(f"could not {what}: the exchange service {self.url} is not reachable ({reason})",
                              hint="check that the hub and its ngshare service are running (`scripts/hub.sh start`) and "
                              "c.ExchangeService.url; nothing was changed, so run this again then") from None
        if absent_ok and reply.status_code == 404:
            return None
        try:
            answer = reply.json()
        except ValueError:
            answer = {}
        if reply.status_code in (401, 403) and "Permission denied" not in answer.get("message", ""):
            raise CourseError(f"could not {what}: the exchange service {self.url} did not accept the staff's token "
                              f"(HTTP {reply.status_code})", hint="check c.ExchangeService.token_file against the hub's "
                              "course-staff service token (scripts/hub.sh writes both)")
        if not answer.get("success"):
            why = answer.get("message") or f"HTTP {reply.status_code}"
            raise CourseError(f"could not {what}: the exchange service {self.url} answered: {why}",
                              hint="see the hub's log for ngshare's side")
        return answer

    def check(self, what: str) -> None:
        """Before nbgrader's classes run: the service is up and knows the staff (they would only log it)."""
        self.call("GET", "/courses", what)

    def courses(self) -> set[str]:
        return set(self.call("GET", "/courses", "list the exchange's courses")["courses"])

    def enroll(self, course_id: str, students: list[str], *, known: set[str] | None = None) -> None:
        """Make `course_id` on the service if it is new, with the staff and c.ExchangeService.instructors
        teaching it, and these students (nbgrader ids) taking it (ngshare serves a course only to its own people)."""
        if course_id not in (self.courses() if known is None else known):
            self.call("POST", f"/course/{course_id}", f"create the course {course_id} on the exchange")
        for instructor in self.settings.instructors:
            self.call("POST", f"/instructor/{course_id}/{instructor}", f"make {instructor} an instructor of {course_id}",
                      first_name=instructor, last_name="", email="")
        users = [student(sid).exchange_user for sid in students]
        for start in range(0, len(users), self.settings.enroll_batch):
            part = users[start:start + self.settings.enroll_batch]
            roster = [{"username": user, "first_name": user, "last_name": "", "email": ""} for user in part]
            answer = self.call("POST", f"/students/{course_id}", f"enroll {len(part)} students in {course_id}"
                               + (f" (from the {start + 1}th of {len(users)})" if start else ""),
                               students=json.dumps(roster))
            refused = [entry for entry in answer.get("status", []) if not entry.get("success")]
            if refused:
                raise CourseError(f"the exchange did not enroll {refused[0]['username']} in {course_id}: "
                                  f"{refused[0].get('message', '')}", hint="an instructor of the course cannot also take it")

    def released_files(self, course_id: str, assignment_id: str, what: str) -> dict[str, str] | None:
        """Path -> MD5 of the files of `assignment_id` released in `course_id`; None where it is not released."""
        answer = self.call("GET", f"/assignment/{quote(course_id, safe='')}/{quote(assignment_id, safe='')}"
                           "?list_only=true", what, absent_ok=True)
        return None if answer is None else {entry["path"]: entry["checksum"] for entry in answer["files"]}

    def submission_count(self, course_id: str, assignment_id: str, what: str) -> int:
        answer = self.call("GET", f"/submissions/{quote(course_id, safe='')}/{quote(assignment_id, safe='')}", what,
                           absent_ok=True)
        return 0 if answer is None else len(answer["submissions"])

    def assignments(self, course_id: str, what: str) -> list[str]:
        """The assignments the service has released in `course_id`."""
        return self.call("GET", f"/assignments/{course_id}", what)["assignments"]

    def newest(self, assignment_id: str, course_ids: list[str], what: str) -> dict[str, dict[str, str]]:
        """Course -> exchange user -> the time of their newest submission of `assignment_id` there, for
        those of `course_ids` that hold the assignment. A roster exam's many courses are asked in one
        request where the service is deploy/ngshare_service.py, else (ngshare's own command, as the
        Kubernetes chart runs it) one request each: ngshare lists one course at a time."""
        if len(course_ids) > 1:
            prefix = os.path.commonprefix(course_ids)  # ids hold what student ids hold: "+", "@", any letter
            answer = self.call("GET", f"/newest-submissions/{quote(assignment_id, safe='')}/{quote(prefix, safe='')}",
                               what, absent_ok=True)
            if answer is not None:
                return {course_id: found for course_id, found in answer["courses"].items() if course_id in course_ids}
        newest = {}
        for course_id in course_ids:
            answer = self.call("GET", f"/submissions/{quote(course_id, safe='')}/{quote(assignment_id, safe='')}", what,
                               absent_ok=True)
            if answer is not None:
                newest[course_id] = {}
                for entry in sorted(answer["submissions"], key=lambda entry: parse_utc(entry["timestamp"])):
                    newest[course_id][entry["student_id"]] = entry["timestamp"]
        return newest

    def submission_times(self, course_id: str, assignment_id: str, student_id: str) -> list[str]:
        """The timestamps of the service's submissions of one student, as its collect writes them."""
        user = student(student_id).exchange_user
        answer = self.call("GET", f"/submissions/{course_id}/{assignment_id}/{user}",
                           f"list {student_id}'s submissions of {assignment_id}")
        return [entry["timestamp"] for entry in answer["submissions"]]

    @contextlib.contextmanager
    def token_for_nbgrader(self):
        """ngshare-exchange's classes read the caller's token from the environment and nowhere else, so
        the staff's is put there only while they talk to the service: grading kernels started later by
        this process must not inherit it."""
        token, before = self.token, os.environ.get(TOKEN_ENV)
        os.environ[TOKEN_ENV] = token
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(TOKEN_ENV, None)
            else:
                os.environ[TOKEN_ENV] = before


def due(coursedir: CourseDirectory, submission: Path, when: datetime) -> bool:
    """Whether the service's submission of time `when` (parse_utc's) is still to be collected into
    `submission`: newer than the one there, and not the one collect refused already."""
    kept = marker(submission)
    if kept.is_file() and kept.read_text(encoding="utf-8").split("\n")[0] == when.isoformat():
        return False  # refused and reported already: the student has not submitted since
    before = coursedir.get_existing_timestamp(str(submission)) if submission.is_dir() else None
    return before is None or when > before


def marker(submission: Path) -> Path:
    """Where the staff's collect keeps why it refused a student's newest submission on the service
    (ngshare_collect.py): beside the submission's folder, a dot file nbgrader never takes for one."""
    return submission.with_name(f".{submission.name}.refused")

