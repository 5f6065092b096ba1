"""The exchange as the hub's ngshare service (c.ExchangeService.url), one implementation of exchange.Exchange.

Files move through ngshare-exchange's nbgrader classes (the list in dlmed.ngshare_classes, which the
students' servers use too, with our collect, ngshare_collect.py); nothing here touches a folder of
the exchange. ngshare.py asks the service what those classes only log. A student's own exam paper
goes out in a course of its own on the service, which serves it to that student alone.
"""

from __future__ import annotations

import getpass
import glob
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.utils import parse_utc

from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.identity import student
from .exchange import nbgrader_api, never_released, own_papers, paper_course, roster_exam, succeeded
from .ngshare import Service, due, marker
from .submission_files import TIMESTAMP_FILE, exchange_texts


def _same_release(folder: Path, held: dict[str, str]) -> bool:
    """Whether the service's files (path -> MD5, as ngshare lists them) are `folder`'s, every notebook in it
    included (files nbgrader's release leaves out, such as checkpoints, are not asked about)."""
    for path, checksum in held.items():
        file = folder / path
        if not file.is_file() or hashlib.md5(file.read_bytes()).hexdigest() != checksum:
            return False
    notebooks = {str(p.relative_to(folder)) for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    return notebooks <= set(held)


def exchange_config(url: str) -> dict:
    """nbgrader settings that route its exchange through ngshare-exchange's classes, the staff's collect ours."""
    # ngshare_exchange reads $USER when it is imported (it names the submitter); a service shell may have none.
    os.environ.setdefault("USER", getpass.getuser())
    from dlmed.ngshare_classes import exchange_factory

    from .ngshare_collect import GuardedServiceCollect

    return {"ExchangeFactory": exchange_factory(collect=GuardedServiceCollect), "Exchange": {"_ngshare_url": url}}


class ServiceExchange:
    def __init__(self, course: Course):
        self.course = course
        self.service = Service(course.exchange_service)

    def _api(self, course_id: str | None = None, **settings) -> NbGraderAPI:
        """`course_id`: one of a student's own exam papers' courses; else the course's own."""
        return nbgrader_api(self.course, course_id, **exchange_config(self.service.url), **settings)

    def where(self) -> str:
        return self.service.url

    def check_setup(self) -> None:
        self.service.token  # noqa: B018 - reading it is the check: a missing or unreadable token file

    def check(self, what: str) -> None:
        self.service.check(what)

    def release(self, assignment_ids: list[str]) -> None:
        self.service.check(f"release {assignment_ids[0]} into the exchange")
        known = self.service.courses()
        course_id = self.course.nbgrader.course_id
        if course_id not in known:
            raise CourseError(f"the exchange service has no course {course_id} yet",
                              hint="enroll the students first: `course enroll STUDENT...` (scripts/hub.sh does it)")
        for assignment_id in assignment_ids:
            papers = own_papers(self.course, assignment_id)
            if not papers:
                self._release_one(assignment_id, course_id, self.course.release_dir(assignment_id))
            for user, paper in papers.items():
                # The student's paper in a course only they take: ngshare serves a course's releases to its people.
                own = paper_course(self.course, assignment_id, user)
                self.service.enroll(own, [user], known=known)
                with tempfile.TemporaryDirectory() as staging:
                    folder = Path(staging) / assignment_id
                    shutil.copytree(self.course.release_dir(assignment_id), folder)
                    shutil.copyfile(paper, folder / f"{roster_exam(self.course, assignment_id)['exam']}.ipynb")
                    self._release_one(assignment_id, own, folder)

    def _release_one(self, assignment_id: str, course_id: str, folder: Path) -> None:
        """ngshare-exchange releases release/<id>/ of the course directory it is given: here, `folder`.

        Its forced release deletes the assignment on the service first, and ngshare deletes its
        submissions and feedback with it: a release the service holds as it is is left alone (a hub
        restart publishes again), and a changed one is refused while students have submitted it."""
        what = f"release {assignment_id} into the exchange"
        held = self.service.released_files(course_id, assignment_id, what)
        if held is not None:
            if _same_release(folder, held):
                return
            submitted = self.service.submission_count(course_id, assignment_id, what)
            if submitted:
                raise CourseError(
                    f"release/{assignment_id} differs from what the exchange holds in {course_id}, and releasing it "
                    f"again would delete the {submitted} submissions students made of it there",
                    hint=f"collect them first (`course collect {assignment_id} --exchange`), or release the change "
                         "as a new assignment id")
        api = self._api(course_id, ExchangeReleaseAssignment={"force": True},
                        CourseDirectory={"release_directory": str(folder.parent)})
        with self.service.token_for_nbgrader():
            succeeded(api.release_assignment(assignment_id), f"release {assignment_id} into the exchange",
                      hint="see the hub's log for ngshare's side")
        # Its classes only log a refused upload: ask the service whether the release is there.
        if assignment_id not in self.service.assignments(course_id, f"check the release of {assignment_id}"):
            raise CourseError(f"the exchange service did not keep {assignment_id} in {course_id}",
                              hint="see the hub's log for ngshare's side, then release again")

    def _refusals(self, assignment_id: str) -> dict[str, str]:
        """Student -> why their newest submission on the service was refused, from the markers collect leaves."""
        found = {}
        for kept in sorted(self.course.submissions_root().glob(f"*/{glob.escape(marker(Path(assignment_id)).name)}")):
            when, _, why = kept.read_text(encoding="utf-8").partition("\n")
            found[kept.parent.name] = f"{why.strip()} (their submission of {when.replace('T', ' ')[:19]} UTC)"
        return found

    def collect(self, assignment_id: str) -> list[tuple[str, str]]:
        # The service keeps no hand-made entries (submissions reach it only through its API), but a file
        # the staff's disk cannot store is refused for its student, with a marker that says why.
        refusals = self._refusals(assignment_id)
        what = f"collect {assignment_id} from the exchange"
        self.service.check(what)
        course_ids = [paper_course(self.course, assignment_id, user) for user in own_papers(self.course, assignment_id)]
        course_ids = course_ids or [self.course.nbgrader.course_id]
        # Asked once a pass for all of them: a watch's idle pass costs the same for 5 students as for 300.
        newest = self.service.newest(assignment_id, course_ids, what)
        if set(course_ids) - set(newest):
            raise never_released(assignment_id)
        for course_id, found in newest.items():
            # nbgrader's collect lists its course again and downloads: only where something is new
            if any(due(self.course.nbgrader, self.course.submission_dir(student(user).nbgrader_id, assignment_id),
                       parse_utc(when)) for user, when in found.items()):
                with self.service.token_for_nbgrader():
                    succeeded(self._api(course_id).collect(assignment_id, update=True), what,
                              hint="see the hub's log for ngshare's side")
        return sorted(set(self._refusals(assignment_id).items()) - set(refusals.items()))

    def came_through(self, assignment_id: str, student_id: str) -> bool:
        """Whether the service holds a submission of the student of the time their collected one has."""
        texts = exchange_texts(self.course, student_id, assignment_id)
        course_id = paper_course(self.course, assignment_id, student_id) or self.course.nbgrader.course_id
        return TIMESTAMP_FILE in texts and texts[TIMESTAMP_FILE].strip() in self.service.submission_times(
            course_id, assignment_id, student_id)

    def release_feedback(self, assignment_id: str, student_id: str) -> None:
        api = self._api(paper_course(self.course, assignment_id, student_id))
        with self.service.token_for_nbgrader():
            succeeded(api.release_feedback(assignment_id, student_id), f"release {student_id}'s feedback on {assignment_id}",
                      hint=f"run `nbgrader release_feedback {assignment_id} --student {student_id}` to see nbgrader's full log")

    def enroll(self, students: list[str]) -> None:
        self.service.check("enroll students on the exchange")
        self.service.enroll(self.course.nbgrader.course_id, students)

    def holds(self, assignment_ids: list[str]) -> set[str]:
        course_id = self.course.nbgrader.course_id
        what = "check which papers students hold on the exchange"
        known = self.service.courses()
        shared = set(self.service.assignments(course_id, what)) if course_id in known else set()
        # each student's own paper sits in a course of its own, named as exchange.paper_course names it
        own = {aid for aid in assignment_ids if any(c.startswith(f"{course_id}-{aid}-") for c in known)}
        return (shared | own) & set(assignment_ids)
