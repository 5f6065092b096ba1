"""The course's own options, declared once with their help text (set them in course_config.py)."""

from datetime import datetime

from traitlets import Dict, Int, TraitError, Unicode, validate
from traitlets.config import Configurable

_ASSIGNMENT_KEYS = {"title", "deadline", "points"}


class Course(Configurable):
    title = Unicode("", help="The course's name, shown in reports and feedback.").tag(config=True)
    solutions_directory = Unicode(
        "solutions", help="Where `course solutions` writes executed solution notebooks."
    ).tag(config=True)
    cases_directory = Unicode(
        "tests/submissions",
        help="Known-mistake and alternative-solution submissions, one folder per assignment.",
    ).tag(config=True)
    assignments = Dict(
        help="Assignment id -> {'title': str, 'deadline': ISO 8601 str, 'points': {grade_id: points}}."
    ).tag(config=True)

    @validate("assignments")
    def _check_assignments(self, proposal):
        for assignment_id, entry in proposal["value"].items():
            where = f"c.Course.assignments[{assignment_id!r}]"
            if not isinstance(entry, dict) or set(entry) != _ASSIGNMENT_KEYS:
                raise TraitError(f"{where} needs exactly the keys {sorted(_ASSIGNMENT_KEYS)}")
            try:
                datetime.fromisoformat(entry["deadline"])
            except (TypeError, ValueError):
                raise TraitError(f"{where}['deadline'] is not an ISO 8601 date: {entry['deadline']!r}")
            for grade_id, points in entry["points"].items():
                if not isinstance(points, (int, float)) or points <= 0:
                    raise TraitError(f"{where}['points'][{grade_id!r}] must be a positive number")
        return proposal["value"]


class Checks(Configurable):
    validate_seed = Int(
        0, help="Seed for the inputs hidden checks draw in `course validate` and `course solutions`."
    ).tag(config=True)
    workers = Int(0, help="Notebooks run at once by `course validate`; 0 means one per CPU core.").tag(
        config=True
    )
