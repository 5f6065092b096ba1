"""`course report`: grades for the LMS, per-test pass rates, two plots and an HTML page showing them.

Scores are the gradebook's final scores (records.gradebook.final_scores: manual grades, overrides
and extra credit given in formgrader, and late penalties under the current config all count);
statuses and messages come from the grading records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402

from ..course.coursedir import Course  # noqa: E402
from ..course.errors import CourseError  # noqa: E402
from ..course.files import write_atomically
from ..grading import results  # noqa: E402
from ..intake.submission_files import submitted_students  # noqa: E402
from ..records.gradebook import final_scores  # noqa: E402
from .pages import csv_text, render  # noqa: E402


@dataclass
class Row:
    student_id: str
    score: float  # after the late penalty, never below 0
    max_score: float
    status: str
    late_penalty: float
    message: str


@dataclass
class TestStats:
    grade_id: str
    max_points: float
    passed: int
    graded: int
    common_failure: str

    @property
    def pass_rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


def _rows(course: Course, assignment_id: str, records: list[results.Result]) -> list[Row]:
    scores = final_scores(course, assignment_id, records)
    rows = []
    for record in records:
        final = scores[record.student_id]
        rows.append(Row(record.student_id, final.score, final.max_score, record.status, final.penalty, record.message))
    return rows


def _tests(records: list[results.Result]) -> list[TestStats]:
    """Per test cell, by grade_id (a record graded before the source gained or reordered a cell lists
    other tests, or the same in another order), in the order the records first list them."""
    outcomes: dict[str, list[results.TestResult]] = {}
    for record in records:
        for test in record.tests:
            outcomes.setdefault(test.grade_id, []).append(test)
    stats = []
    for grade_id, tests in outcomes.items():
        failures = Counter(t.message for t in tests if not t.passed)
        stats.append(TestStats(grade_id, tests[0].max_points, sum(t.passed for t in tests), len(tests),
                               failures.most_common(1)[0][0] if failures else ""))
    return stats


def _histogram(rows: list[Row], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 3.5))
    top = max((r.max_score for r in rows), default=1)
    ax.hist([r.score for r in rows], bins=min(20, max(5, int(top))), range=(0, top), color="#3465a4")
    ax.set(xlabel="score after late penalty", ylabel="submissions", title="Score distribution")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _failure_chart(tests: list[TestStats], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 0.4 * max(3, len(tests)) + 1))
    names = [t.grade_id for t in tests]
    ax.barh(names, [100 * (1 - t.pass_rate) for t in tests], color="#a4161a")
    ax.invert_yaxis()
    ax.set(xlabel="% of graded submissions failing", xlim=(0, 100), title="Failure rate per test")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(*, course: Course, assignment_id: str) -> list[Path]:
    (assignment_id,) = course.resolve([assignment_id])
    records = [results.load(course.record_path(s, assignment_id)) for s in submitted_students(course, assignment_id)]
    records = [r for r in records if r is not None]
    if not records:
        raise CourseError(f"no grading records for {assignment_id}", hint=f"run `course grade {assignment_id}` first")
    rows, tests = _rows(course, assignment_id, records), _tests(records)
    folder = course.reports_dir(assignment_id)
    folder.mkdir(parents=True, exist_ok=True)
    grades, per_test = folder / "grades.csv", folder / "tests.csv"
    write_atomically(grades, csv_text(
        ["student_id", "score", "max_score", "status", "late_penalty"],
        [[r.student_id, f"{r.score:g}", f"{r.max_score:g}", r.status, f"{r.late_penalty:g}"] for r in rows]))
    write_atomically(per_test, csv_text(
        ["grade_id", "max_points", "passed", "graded", "pass_rate"],
        [[t.grade_id, f"{t.max_points:g}", t.passed, t.graded, f"{t.pass_rate:.3f}"] for t in tests]))
    _histogram(rows, folder / "histogram.png")
    _failure_chart(tests, folder / "failure_rates.png")
    html = render(
        "report.html.j2",
        title=course.assignment(assignment_id)["title"],
        rows=rows, tests=tests, counts=sorted(Counter(r.status for r in rows).items()),
        mean=sum(r.score for r in rows) / len(rows), max_score=max(r.max_score for r in rows),
    )
    page = folder / "report.html"
    write_atomically(page, html)
    return [grades, per_test, folder / "histogram.png", folder / "failure_rates.png", page]
