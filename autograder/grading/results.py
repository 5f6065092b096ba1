"""The record every graded submission ends with, saved as JSON (never pickled: it is read back
by the TA's tools, the gradebook ingest and the Slurm backend's collector)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..course.files import write_atomically

SCHEMA_VERSION = 1
OK, TESTS_FAILED, TIMEOUT, OUT_OF_MEMORY, OUT_OF_DISK, CRASHED, INVALID, INFRA, CANCELLED = (
    "ok", "tests_failed", "timeout", "out_of_memory", "out_of_disk", "crashed", "invalid_notebook", "infra_error",
    "cancelled",
)
STATUSES = (OK, TESTS_FAILED, TIMEOUT, OUT_OF_MEMORY, OUT_OF_DISK, CRASHED, INVALID, INFRA, CANCELLED)
UNFINISHED = (INFRA, CANCELLED)  # not a verdict on the submission: `course grade --resume` grades it again
EXPLAINED = {
    OK: "every autograded test passed",
    TESTS_FAILED: "some tests failed",
    TIMEOUT: "the notebook ran out of time",
    OUT_OF_MEMORY: "the notebook used too much memory",
    OUT_OF_DISK: "the notebook wrote more than its disk budget",
    CRASHED: "the kernel died while running the notebook",
    INVALID: "the submission could not be read as the assignment's notebook",
    INFRA: "grading itself failed (not the student's fault); it is retried",
    CANCELLED: "grading was cancelled before it finished (not the student's fault); --resume grades it again",
}


def _doc(text: str, **default) -> dict:
    """A field with what it means, which the documentation's record reference shows (docs/_ext)."""
    return field(metadata={"doc": text}, **default)


@dataclass
class TestResult:
    """One graded test cell of the submission, in ``tests``."""

    grade_id: str = _doc("the test cell's nbgrader grade_id, as in the source notebook")
    points: float = _doc("points given: all of the cell's or none (nbgrader's rule)")
    max_points: float = _doc("the cell's points in ``course_config.py``")
    message: str = _doc("what the student reads: the hidden checks' verdicts, or \"passed\"")
    visible_error: str | None = _doc(
        "the error the cell's own visible asserts raised, null when they passed: all that feedback shows before the "
        "deadline under ``c.Grading.feedback_before_deadline = 'visible'``", default=None)

    @property
    def passed(self) -> bool:
        return self.points == self.max_points


@dataclass
class Result:
    """The record of one graded submission, ``autograded/<student>/<assignment>/result.json``: JSON, written whole
    or not at all, never pickled. Every submission ends with one, whatever it holds."""

    assignment_id: str = _doc("the assignment, as in ``course_config.py``")
    student_id: str = _doc("the student, as nbgrader knows them")
    status: str = _doc("how grading ended: one of the statuses below")
    message: str = _doc("one or more sentences on the whole submission: why it ended so, and how its cells were "
                        "resolved (a pasted or relabelled cell)")
    score: float = _doc("the tests' points together, before any late penalty (the gradebook's final score has it)")
    max_score: float = _doc("what the assignment's graded test cells are worth")
    tests: list[TestResult] = _doc("one entry per graded test cell, below", default_factory=list)
    notebook: str = _doc("the file graded, as submitted", default="")
    submission_sha256: str = _doc("the submitted notebook's SHA-256: a record is stale once the submission "
                                  "changes", default="")
    submitted_at: str | None = _doc("ISO 8601 UTC, from nbgrader's ``timestamp.txt``; null without one",
                                    default=None)
    device: str = _doc("the slot it ran on: ``cpu slot N`` or ``cuda:N`` (with its share of the card's memory, "
                      "and the node and job on Slurm)", default="")
    isolation: str = _doc("the isolation it ran under: ``bubblewrap``, or the weaker fallback the machine "
                                  "allowed (``c.Sandbox.mode``)", default="")
    started_at: str = _doc("when grading it began, ISO 8601 UTC", default="")
    seconds: float = _doc("wall-clock seconds of the whole unit", default=0.0)
    peak_memory_mb: float = _doc("the run's largest resident memory, all its processes together", default=0.0)
    started_ahead: bool = _doc("its kernel was started while the slot's previous submission ran "
                               "(``c.Grading.warm_kernels``)", default=False)
    attempts: int = _doc("tries it took: more than 1 after an ``infra_error`` was retried", default=1)
    profile: dict[str, float] = _doc("seconds per stage of grading it, which ``course grade --profile`` shows",
                                     default_factory=dict)
    schema_version: int = _doc("the record format's version; a record of another version is graded again",
                               default=SCHEMA_VERSION)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Result":
        data = json.loads(text)
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"result schema {data.get('schema_version')} is not {SCHEMA_VERSION}")
        data["tests"] = [TestResult(**t) for t in data.get("tests", [])]
        return cls(**data)


def save(result: Result, path: Path) -> None:
    write_atomically(path, result.to_json())


def load(path: Path) -> Result | None:
    """The record at `path`, or None when there is none or it cannot be read (then it is regraded)."""
    try:
        return Result.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        return None
