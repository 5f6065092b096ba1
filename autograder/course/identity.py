"""One student, however each part of the course names them.

nbgrader's student id is the name everything is filed under (submitted/<id>/, the gradebook,
feedback/). On a hub it is the login name, so it is also the student's hub (Unix) user and their user
on the exchange, folder or service. An LMS export names the student in its file names
(c.Collect.student_pattern): that name becomes the nbgrader id as it is. Seeds and exam papers know
the student by a key that is the same however a roster spells the id, and paper files by that key
made safe as a file name. Every one of these is derived here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def safe_file_name(text: str) -> str:
    """`text` as a file name; not one-to-one, so callers refuse ids that come out the same."""
    return re.sub(r"[^A-Za-z0-9._@-]", "_", text)


@dataclass(frozen=True)
class Student:
    nbgrader_id: str
    lms_id: str | None = None  # the name an LMS export gave, where the student came from one

    @property
    def hub_user(self) -> str:
        return self.nbgrader_id

    @property
    def exchange_user(self) -> str:
        return self.nbgrader_id

    @property
    def seed_key(self) -> str:
        """The id as seeds and exam papers see it: the same student however a roster spells it."""
        return unicodedata.normalize("NFKC", self.nbgrader_id).strip().casefold()

    @property
    def file_name(self) -> str:
        """Their exam paper's files are named so (exams/<exam>/<folder>/<file_name>.*)."""
        return safe_file_name(self.seed_key)


def student(name: str, *, from_lms: bool = False) -> Student:
    """The student any of their names stands for: an nbgrader id, a hub or exchange user, a roster's or
    a paper's id, or (`from_lms`) the id an LMS export's file name gives."""
    return Student(nbgrader_id=name, lms_id=name if from_lms else None)
