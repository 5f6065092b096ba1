"""Late penalties and final scores: the one rule every output applies.

A submission's final score depends on three things that change at different times: its grades in
the gradebook (autograded, a TA's overrides and manual grades, extra credit), its extension (also
in the gradebook), and the deadline and penalty rule in course_config.py. `assess` is the only
place they are combined; the gradebook stores its penalty for formgrader and `nbgrader export`, and
`gradebook.final_scores` brings that copy up to date before anything of ours reads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..course.coursedir import Course


@dataclass(frozen=True)
class FinalScore:
    points: float  # before the penalty: every graded cell's score in the gradebook, extra credit included
    max_score: float
    days_late: int  # started days after the student's deadline (extension and grace counted)
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
           extension: timedelta | None, points: float, max_score: float) -> FinalScore:
    """The final score under the current config: a share of the maximum per started day late, capped."""
    policy = course.grading
    days = days_late(submitted_at, deadline(course, assignment_id), policy.late_grace_minutes, extension)
    share = min(policy.late_penalty_max, days * policy.late_penalty_per_day)
    return FinalScore(points, max_score, days, round(share * max_score, 2))
