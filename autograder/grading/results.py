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


@dataclass
class TestResult:
    grade_id: str
    points: float
    max_points: float
    message: str  # what the student reads: the verdicts of the hidden checks, or "passed"
    # The error the cell's own (visible) asserts raised, None when they passed: all that feedback
    # shows before the deadline with c.Grading.feedback_before_deadline = "visible".
    visible_error: str | None = None

    @property
    def passed(self) -> bool:
        return self.points == self.max_points


@dataclass
class Result:
    assignment_id: str
    student_id: str
    status: str
    message: str
    score: float
    max_score: float
    tests: list[TestResult] = field(default_factory=list)
    notebook: str = ""  # the file graded, as submitted
    submission_sha256: str = ""
    submitted_at: str | None = None  # ISO 8601 UTC, from nbgrader's timestamp.txt
    device: str = ""
    isolation: str = ""
    started_at: str = ""
    seconds: float = 0.0
    peak_memory_mb: float = 0.0
    started_ahead: bool = False  # its kernel was started while the slot's previous submission ran
    attempts: int = 1
    # Seconds per stage of grading it (`course grade --profile`): where a unit's time goes besides the cells.
    profile: dict[str, float] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

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
