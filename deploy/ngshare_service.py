"""ngshare as the hub's service, with what its own command cannot be told. Run it in ngshare's
environment instead of `python -m ngshare`, with ngshare's own options after ours:

    python ngshare_service.py --max-file-mb 20 --max-submission-mb 50 --admins course-staff --database ... --storage ...

It starts ngshare's own `main` (its options, its database upgrade, its handlers) and changes three
things, because ngshare 0.6.0 has no option for any of them, and adds one request:
- where it listens: ngshare binds every interface; here only the address the hub gave the service
  (JUPYTERHUB_SERVICE_URL), which is where the hub's proxy reaches it.
- a request with no token, or one the hub does not know, is answered 401 or 403 with a message:
  ngshare's handlers use the caller unchecked and answer 500.
- what a student may submit: each file and the whole submission have a size limit, and each path
  must be one a file system can store (no name over 255 bytes, no control characters); anything
  else is refused with HTTP 413 or 400 and a message that the student's Assignments panel shows.
  ngshare stores files under names of its own, so a name only fails later, at the staff's collect.
- GET /newest-submissions/<assignment>/<course prefix>: each student's newest submission time in every
  course of that prefix the caller teaches. ngshare lists one course at a time, and a roster exam
  gives each student a course of their own: `course watch` would ask once per student every pass.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from urllib.parse import urlparse

from ngshare import ngshare
from sqlalchemy import func
from tornado.httpserver import HTTPServer
from tornado.web import authenticated

MB = 2**20
NAME_MAX = 255  # bytes in one file or folder name: ext4, XFS, btrfs and tmpfs store no more
PATH_MAX = 1024  # characters in a whole path: far beyond any assignment's, short of every system's limit
# A submission reaches the service base64-encoded in JSON in a form-encoded body, which makes it up to
# about 1.5 times larger (3 times in the worst case); tornado refuses a body beyond this many times
# the submission limit before reading it, so a body of any size costs no memory.
BODY_FACTOR = 3
LIMITS = {"file": 0, "submission": 0}  # bytes, from the command line


def _size(encoded: str) -> int:
    """The size of a base64 text once decoded, without decoding it."""
    encoded = "".join(encoded.split())
    return len(encoded) * 3 // 4 - len(encoded) + len(encoded.rstrip("="))


def _bad_name(path: str) -> str | None:
    if len(path) > PATH_MAX:
        return f"a file path of {len(path)} characters (at most {PATH_MAX} can be stored)"
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return f"the file name {path!r}, which holds a control character"
    for name in path.split("/"):
        if len(name.encode("utf-8", "surrogatepass")) > NAME_MAX:
            return f"a file name of {len(name)} characters ({name[:20]}...; at most {NAME_MAX} bytes can be stored)"
    return None


class LimitedSubmit(ngshare.SubmitAssignment):
    """ngshare's submit, refusing what cannot be kept before ngshare stores any of it."""

    def json_files_unpack(self, json_str, target):
        try:
            files = json.loads(json_str or "null")
        except ValueError:
            files = None  # ngshare's own unpack answers a body that is not JSON
        if files is not None:
            self._check(files)
        super().json_files_unpack(json_str, target)

    def _check(self, files) -> None:
        # ngshare's own unpack fails with a 500 on a list of anything but {path, content} strings
        well_formed = isinstance(files, list) and all(
            isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("content"), str) for e in files)
        if not well_formed:
            self.json_error(400, "its files are not a list of {path, content} strings: submit again from Jupyter.")
        total = 0
        for entry in files:
            why = _bad_name(entry.get("path"))
            if why:
                self.json_error(400, f"it holds {why}: rename it, then submit again.")
            size = _size(entry["content"])
            total += size
            if size > LIMITS["file"]:
                self.json_error(413, f"{entry['path']} is {size / MB:.1f} MB, over the course's limit of "
                                     f"{LIMITS['file'] / MB:g} MB a file: leave it out or make it smaller, "
                                     "then submit again.")
        if total > LIMITS["submission"]:
            self.json_error(413, f"its files come to {total / MB:.1f} MB, over the course's limit of "
                                 f"{LIMITS['submission'] / MB:g} MB a submission: leave out large files, "
                                 "then submit again.")


_prepare = ngshare.MyRequestHandler.prepare


def _prepare_known_callers(self):
    _prepare(self)
    # ngshare's home page and its scripts send a browser to the hub's login; its API answers here.
    if self.user is None and not isinstance(self, (ngshare.HomePage, ngshare.Static)):
        if self.auth_token:
            self.json_error(403, "The hub does not know this token: log in to the hub again.")
        self.json_error(401, "No token: send the hub's API token as 'Authorization: token ...'.")


class NewestSubmissions(ngshare.MyRequestHandler):
    """/newest-submissions/<assignment_id>/<course prefix>: {course: {student: time}} for the courses
    whose id starts with the prefix, that hold the assignment and that the caller teaches (an admin:
    all), times as ngshare's own listing writes them; a course without submissions maps to {}."""

    @authenticated
    def get(self, assignment_id, prefix):
        newest = (self.db.query(ngshare.Course, ngshare.Submission.student_id, func.max(ngshare.Submission.timestamp))
                  .join(ngshare.Assignment, ngshare.Assignment.course_id == ngshare.Course._id)
                  .outerjoin(ngshare.Submission, ngshare.Submission.assignment_id == ngshare.Assignment._id)
                  .filter(ngshare.Assignment.id == assignment_id, ngshare.Course.id.startswith(prefix, autoescape=True))
                  .group_by(ngshare.Course._id, ngshare.Submission.student_id))
        found = {}
        for course, student, when in newest:
            if self.is_admin() or self.is_course_instructor(course, self.user):
                students = found.setdefault(course.id, {})
                if student:  # None: the row of a course nobody has submitted to yet
                    students[student] = self.strftime(when)
        self.json_success(courses=found)


_init_application = ngshare.MyApplication.__init__


def _init_application_with_ours(self, prefix, *args, **kwargs):
    _init_application(self, prefix, *args, **kwargs)
    self.wildcard_router.add_rules([(prefix + "newest-submissions/([^/]+)/([^/]+)", NewestSubmissions)])
    rules = self.wildcard_router.rules
    rules.append(rules.pop(-2))  # ngshare's last handler answers every other path 404: it stays last


class _Server(HTTPServer):
    def initialize(self, application, **settings):
        body = BODY_FACTOR * LIMITS["submission"] + MB
        super().initialize(application, max_body_size=body, max_buffer_size=max(body, 100 * MB), **settings)

    def listen(self, port, address="", **kwargs):
        # ngshare's main asks for every interface; the hub's proxy reaches it at the service's URL.
        super().listen(port, urlparse(os.environ["JUPYTERHUB_SERVICE_URL"]).hostname, **kwargs)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-file-mb", type=float, required=True, help="largest file a student may submit")
    parser.add_argument("--max-submission-mb", type=float, required=True,
                        help="largest submission, all its files together")
    ours, theirs = parser.parse_known_args(argv)
    LIMITS.update(file=int(ours.max_file_mb * MB), submission=int(ours.max_submission_mb * MB))
    # ngshare's main takes these from its module when it builds the application and its server.
    ngshare.SubmitAssignment = LimitedSubmit
    ngshare.MyRequestHandler.prepare = _prepare_known_callers
    ngshare.HTTPServer = _Server
    ngshare.MyApplication.__init__ = _init_application_with_ours
    ngshare.main(theirs)


if __name__ == "__main__":
    main(sys.argv[1:])
