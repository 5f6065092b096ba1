"""Per-cell verdicts of one run: the hidden checks judged here, plus the cell's own visible asserts."""

from __future__ import annotations

from dataclasses import dataclass

from .. import checks
from ..course.notebooks import cell_by_grade_id, graded_cells
from .execute import Run


@dataclass(frozen=True)
class CellVerdict:
    grade_id: str
    max_points: float
    hidden: tuple[str, ...]  # failure messages of the hidden checks (judged outside the kernel)
    visible: str | None  # the error the cell raised in the kernel, if any

    @property
    def passed(self) -> bool:
        return not self.hidden and self.visible is None

    @property
    def points(self) -> float:
        return self.max_points if self.passed else 0.0

    @property
    def messages(self) -> list[str]:
        shown = list(self.hidden)
        if self.visible:
            shown.append(f"a visible test failed: {self.visible}")
        return shown


def cell_error(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip().rstrip(":")
    return None


def judge_run(source_nb, run: Run, plan: dict[str, list[checks.Call]], paper=None, draw: int = 0,
              judge=checks.judge) -> list[CellVerdict]:
    """Judge every autograded test cell of `source_nb` (the trusted copy) on the run's results
    (`draw`: on those of the plan's further draw of that number, which is `plan`; `judge`: what
    gives one check's verdict, checks.judge's signature)."""
    captures = run.draw_captures.get(draw, {}) if draw else run.captures
    verdicts = []
    for graded in graded_cells(source_nb):
        if not graded.is_test:
            continue
        hidden = tuple(
            message
            for check_id in graded.check_ids
            if (message := judge(check_id, plan[check_id], captures.get(check_id), paper))
        )
        executed = cell_by_grade_id(run.notebook, graded.grade_id)
        if executed is None:
            visible = "the test cell is missing from the notebook"
        elif run.error and not executed.get("outputs") and executed.get("execution_count") is None:
            visible = f"not reached: {run.error}"
        else:
            visible = cell_error(executed)
        verdicts.append(CellVerdict(graded.grade_id, graded.points, hidden, visible))
    return verdicts
