"""Reading and writing notebooks, and what the course needs to know about their graded cells."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import CourseError

NBFORMAT_VERSION = 4
# A hidden test cell names the checks that judge it, e.g. hidden_check("01_layer_math:relu", ...).
_HIDDEN_CHECK = re.compile(r"""hidden_check\(\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Contents:
    """A notebook file's bytes, read elsewhere (a submission is read without following links), given to
    `read` in place of its path."""

    data: bytes
    name: str


def read(path: Path | Contents, *, shown_as: str | None = None) -> nbformat.NotebookNode:
    """Read and validate a notebook; any defect becomes a one-line CourseError."""
    name = shown_as or (path.name if isinstance(path, Contents) else str(path))
    try:
        # A byte-order mark, as Windows editors write, is no defect.
        text = path.data.decode("utf-8-sig") if isinstance(path, Contents) else Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CourseError(f"{name} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseError(f"{name} cannot be read: {exc}") from None
    if not text.strip():
        raise CourseError(f"{name} is empty", hint="restore it from version control")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise CourseError(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            hint="restore it from version control, or fix the JSON in an editor",
        ) from None
    try:
        nb = nbformat.reads(text, as_version=NBFORMAT_VERSION)
    except Exception as exc:  # nbformat raises several types for structural defects
        raise CourseError(f"{name} is not a notebook: {exc}", hint="open it in Jupyter and save it again") from None
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise CourseError(
            f"{name} does not follow the notebook format: {exc.message}",
            hint="open it in Jupyter and save it again",
        ) from None
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@dataclass(frozen=True)
class GradedCell:
    grade_id: str
    points: float
    check_ids: tuple[str, ...]
    is_test: bool


def graded_cells(nb) -> list[GradedCell]:
    """Every cell nbgrader scores, in notebook order, with the hidden checks each one names."""
    cells = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not meta.get("grade"):
            continue
        cells.append(
            GradedCell(
                grade_id=meta["grade_id"],
                points=float(meta.get("points", 0)),
                check_ids=tuple(_HIDDEN_CHECK.findall(cell.source)),
                is_test=not meta.get("solution", False),
            )
        )
    return cells


def cell_by_grade_id(nb, grade_id: str):
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return cell
    return None


def imports_of(source_nb) -> list[str]:
    """The modules the source notebook imports at the top level of its code cells."""
    found = []
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Maximum:
    tests: float  # the autograded test cells', a grading record's maximum
    by_hand: float  # the cells a person grades in formgrader (nbgrader's answer cells with points)

    @property
    def total(self) -> float:
        return self.tests + self.by_hand


def maximum(source_nb) -> Maximum:
    """What an assignment is worth, from its source notebook's graded cells: grading scores its test
    cells from them, nbgrader's gradebook copies them when it is released, and `course release`
    refuses a config whose points differ."""
    cells = graded_cells(source_nb)
    return Maximum(sum(c.points for c in cells if c.is_test), sum(c.points for c in cells if not c.is_test))
