"""Late penalties from the deadlines in course_config.py."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from ..course.settings import Grading


def days_late(submitted_at: str | None, deadline: str | None, grace_minutes: int,
              extension: timedelta | None = None) -> int:
    """Started days after the deadline (moved by the student's extension, plus the grace period);
    0 when on time, of unknown time, or without a deadline (an exam sat in the room)."""
    if not submitted_at or not deadline:
        return 0
    late = datetime.fromisoformat(submitted_at) - datetime.fromisoformat(deadline) - (extension or timedelta())
    if late <= timedelta(minutes=grace_minutes):
        return 0
    return math.ceil(late / timedelta(days=1))


def penalty(submitted_at: str | None, deadline: str | None, max_score: float, policy: Grading,
            extension: timedelta | None = None) -> float:
    """Points deducted: a share of the maximum per started day late, capped."""
    days = days_late(submitted_at, deadline, policy.late_grace_minutes, extension)
    share = min(policy.late_penalty_max, days * policy.late_penalty_per_day)
    return round(share * max_score, 2)
