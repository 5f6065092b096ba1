"""`course enroll --from-lms`: the LMS's students enrolled here: in nbgrader's gradebook (formgrader
lists them, `nbgrader export` carries their LMS user id) and, where the ngshare service is the
exchange, in its course (the folder exchange has no roster to add them to)."""

from __future__ import annotations

from ..course.coursedir import Course
from ..intake import exchange
from ..records.gradebook import open_gradebook
from .roster import Roster, read_roster


def enroll_from_lms(course: Course) -> tuple[Roster, str | None]:
    """The roster read, and the exchange service the students were enrolled on (None: the folder)."""
    roster = read_roster(course)
    students = roster.students
    with open_gradebook(course) as gb:
        for name, member in students.items():
            known = {"first_name": member.given_name, "last_name": member.family_name, "email": member.email,
                     "lms_user_id": member.user_id}
            gb.update_or_create_student(name, **{key: value for key, value in known.items() if value})
    if not course.exchange_service.url or not students:
        return roster, None
    exchange.enroll(course=course, students=sorted(students))
    return roster, exchange.where(course)
