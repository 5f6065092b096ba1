"""Late penalties and final scores: the one rule every output applies.

A submission's final score depends on things that change at different times: its grades in the
gradebook (autograded, a TA's overrides and manual grades, extra credit), its extension (also in
the gradebook), the deadline and penalty rule in course_config.py, and what the assignment is worth.
`assess` is the only place they are combined; the gradebook stores its penalty for formgrader and
`nbgrader export`, and `gradebook.final_scores` brings that copy up to date before anything of ours
reads it. What an assignment is worth comes from one place too, `notebooks.maximum`: a record's maximum (its
autograded tests) and the final score's (hand-graded cells too) are two parts of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..course.coursedir import Course
from ..course.notebooks import Maximum


@dataclass(frozen=True)
class FinalScore:
    points: float  # before the penalty: every graded cell's score in the gradebook, extra credit included
    max_score: float  # every graded cell's, hand-graded ones included
    by_hand: float  # of max_score, the points a person grades
    due: datetime | None  # the student's own deadline, their extension counted; None without a deadline
    days_late: int  # started days after the student's deadline (grace counted)
    penalty: float

    @property
    def score(self) -> float:
        """After the penalty, never below 0: as `nbgrader export` computes it from the same two numbers."""
        return max(0.0, self.points - self.penalty)


def utc(moment: str | datetime | None) -> datetime | None:
    """An ISO 8601 text or a datetime as an aware UTC datetime; a naive one is read as UTC, as the
    gradebook stores it."""
    if moment is None or moment == "":
        return None
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


def deadline(course: Course, assignment_id: str) -> datetime | None:
    """The deadline course_config.py gives now; None for an exam sat in the room."""
    return utc(course.assignment(assignment_id)["deadline"])


def days_late(submitted_at: str | datetime | None, due: str | datetime | None, grace_minutes: int,
              extension: timedelta | None = None) -> int:
    """Started days after the deadline (moved by the student's extension, plus the grace period);
    0 when on time, of unknown time, or without a deadline."""
    submitted_at, due = utc(submitted_at), utc(due)
    if submitted_at is None or due is None:
        return 0
    late = submitted_at - due - (extension or timedelta())
    if late <= timedelta(minutes=grace_minutes):
        return 0
    return math.ceil(late / timedelta(days=1))


def assess(course: Course, assignment_id: str, *, submitted_at: str | datetime | None,
           extension: timedelta | None, points: float, worth: Maximum) -> FinalScore:
    """The final score under the current config: a share of the maximum per started day late, capped."""
    policy = course.grading
    due = deadline(course, assignment_id)
    days = days_late(submitted_at, due, policy.late_grace_minutes, extension)
    share = min(policy.late_penalty_max, days * policy.late_penalty_per_day)
    return FinalScore(points, worth.total, worth.by_hand, due and due + (extension or timedelta()), days,
                      round(share * worth.total, 2))
