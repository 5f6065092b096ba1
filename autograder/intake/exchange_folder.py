"""nbgrader's own exchange: a folder every user sees (c.Exchange.root), one implementation of exchange.Exchange.

Every user writes into its inbound folder, so collect screens what is there first (inbound.py) and
copies with GuardedCollect. A folder cannot keep one student's paper from the others: a roster exam
is refused here.
"""

from __future__ import annotations

import stat
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.exchange.default import ExchangeCollect

from ..course.coursedir import Course
from ..course.errors import CourseError
from .exchange import nbgrader_api, never_released, own_papers, root, succeeded
from .inbound import GuardedCollect, screen
from .submission_files import SECRET_FILE, exchange_texts

# Every user writes their submissions into the exchange's root: nbgrader's own mode for it.
_SHARED_MODE = 0o777


class FolderExchange:
    def __init__(self, course: Course):
        self.course = course

    def _root(self) -> Path:
        folder = root(self.course)
        if not folder.is_dir():
            raise CourseError(f"the exchange folder {folder} does not exist",
                              hint=f"create it with `mkdir -p -m 1777 {folder}`, or set c.Exchange.root in course_config.py")
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & _SHARED_MODE != _SHARED_MODE:
            raise CourseError(f"students cannot submit into the exchange folder {folder} (mode {mode:04o})",
                              hint=f"run `chmod 1777 {folder}`")
        return folder

    def _api(self, **settings) -> NbGraderAPI:
        self._root()
        return nbgrader_api(self.course, ExchangeFactory={"collect": GuardedCollect}, **settings)

    def where(self) -> str:
        return str(root(self.course))

    def check_setup(self) -> None:
        self._root()

    def check(self, what: str) -> None:
        self._root()

    def release(self, assignment_ids: list[str]) -> None:
        # force: releasing again must replace the exchange's copy, as `course release` replaces release/.
        api = self._api(ExchangeReleaseAssignment={"force": True})
        for assignment_id in assignment_ids:
            if own_papers(self.course, assignment_id):
                raise CourseError(f"{assignment_id} gives each student their own paper, which a shared exchange folder "
                                  "cannot keep from the others", hint="hand the papers out through the LMS, or run the "
                                  "hub with the ngshare exchange (HUB_EXCHANGE=ngshare scripts/hub.sh start)")
            succeeded(api.release_assignment(assignment_id), f"release {assignment_id} into the exchange",
                      hint=f"run `nbgrader release_assignment {assignment_id} --force` to see nbgrader's full log")

    def collect(self, assignment_id: str) -> list[tuple[str, str]]:
        outbound = self._root() / self.course.nbgrader.course_id / "outbound" / assignment_id
        if not outbound.is_dir():
            raise never_released(assignment_id)
        refused = screen(outbound.parents[1] / "inbound", assignment_id,
                         check_owner=ExchangeCollect(config=self.course.config).check_owner)
        succeeded(self._api().collect(assignment_id, update=True), f"collect {assignment_id} from the exchange",
                  hint=f"run `nbgrader collect {assignment_id} --update` to see nbgrader's full log")
        return refused

    def came_through(self, assignment_id: str, student_id: str) -> bool:
        """Whether the submission has the secret nbgrader's submit gave it (an LMS zip has none)."""
        return SECRET_FILE in exchange_texts(self.course, student_id, assignment_id)

    def release_feedback(self, assignment_id: str, student_id: str) -> None:
        succeeded(self._api().release_feedback(assignment_id, student_id),
                  f"release {student_id}'s feedback on {assignment_id}",
                  hint=f"run `nbgrader release_feedback {assignment_id} --student {student_id}` to see nbgrader's full log")

    def enroll(self, students: list[str]) -> None:
        raise CourseError("the folder exchange has no roster: every user who sees the folder can fetch and submit",
                          hint="set c.ExchangeService.url to enroll students on the ngshare service")

    def holds(self, assignment_ids: list[str]) -> set[str]:
        outbound = root(self.course) / self.course.nbgrader.course_id / "outbound"
        return {aid for aid in assignment_ids if (outbound / aid).is_dir()}
