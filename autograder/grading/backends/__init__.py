"""Backends run "grade one submission" units somewhere and hand back their records.

A backend is an object with `run(units, slots, on_done) -> list[Result]`: `on_done` is called
once per finished unit, and every unit it was given comes back with a record (an `infra_error`
one when the backend itself failed), in any order. `describe(slots)` says where units run.
"""

from __future__ import annotations

from typing import Callable, Protocol

from ...course.coursedir import Course
from ..results import Result
from ..slots import Slot
from ..unit import Unit


class Backend(Protocol):
    name: str

    def describe(self, slots: list[Slot]) -> str: ...

    def run(self, units: list[Unit], slots: list[Slot], on_done: Callable[[Result], None]) -> list[Result]: ...


def backend_named(name: str, course: Course, **options) -> Backend:
    """The backend `name`, set up for `course`; `options` are the backend's own (e.g. Slurm's --partition)."""
    from ...course.errors import CourseError
    from .local import LocalBackend
    from .slurm import SlurmBackend

    known = {LocalBackend.name: LocalBackend, SlurmBackend.name: SlurmBackend}
    if name not in known:
        raise CourseError(f"unknown backend {name!r}", hint=f"known: {', '.join(sorted(known))}")
    return known[name](course, **options)
