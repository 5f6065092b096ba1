"""The requirement table beside an assignment's source: every requirement its prompt states, the
hidden check and the cell that guard it, and the known mistakes that prove the guard.

```toml
[[requirement]]
id = "softmax-stable"
prompt = "finite and silent for |z| up to 1000"   # the prompt's words (case, spaces, * ` $ aside)
cell = "test_softmax"                              # the graded test cell that guards it
check = "softmax"                                  # one of that cell's hidden checks
mistakes = ["softmax_naive_exp"]                   # known mistakes that cell must catch
note = "why the plan holds a row of 1000s"         # optional
```

`course validate` reads it: a row whose words are no longer in the prompt, that names no cell or
check that exists, or whose mistakes that cell does not catch, fails validation; and it prints
the coverage (rows, guarded, proven) of every assignment. A table is required of coursework; an
exam form's is read where it has one (a form is generated, its prompts follow its seed).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from .cases import stub_case

_FIELDS = {"id", "prompt", "cell", "check", "mistakes", "note"}
_REQUIRED = ("id", "prompt", "cell", "check", "mistakes")


@dataclass(frozen=True)
class Requirement:
    id: str
    prompt: str
    cell: str
    check: str
    mistakes: tuple[str, ...]
    note: str = ""


@dataclass
class Coverage:
    assignment_id: str
    table: Path
    rows: int = 0
    guarded: int = 0  # names a cell and one of its checks, and known mistakes that exist
    proven: int = 0  # and that cell's hidden checks failed every mistake it names
    problems: list[str] = field(default_factory=list)
    missing: bool = False  # no table (allowed for an exam form)


def load(path: Path, shown_as: str) -> list[Requirement]:
    """The table's rows; a CourseError saying what is wrong with the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{shown_as}: not valid TOML ({exc})", hint="fix the file's syntax") from None
    rows = data.get("requirement", [])
    if not isinstance(rows, list) or not rows:
        raise CourseError(f"{shown_as} has no [[requirement]] rows", hint="add one row per requirement the prompt states")
    requirements, seen = [], set()
    for number, row in enumerate(rows, start=1):
        where = f"{shown_as}, requirement {row.get('id', number)!s}"
        unknown = set(row) - _FIELDS
        missing = [name for name in _REQUIRED if not row.get(name)]
        if unknown or missing:
            raise CourseError(f"{where}: " + (f"unknown field {sorted(unknown)[0]!r}" if unknown else f"no {missing[0]!r}"),
                              hint=f"a row has {', '.join(_REQUIRED)} and optionally note")
        mistakes = row["mistakes"]
        if isinstance(mistakes, str) or not all(isinstance(m, str) for m in mistakes):
            raise CourseError(f"{where}: mistakes must be a list of case names", hint='mistakes = ["softmax_naive_exp"]')
        if row["id"] in seen:
            raise CourseError(f"{where}: the id is used twice", hint="give every row its own id")
        seen.add(row["id"])
        requirements.append(Requirement(row["id"], row["prompt"], row["cell"], row["check"], tuple(mistakes),
                                        row.get("note", "")))
    return requirements


def _folded(text: str) -> str:
    """Case, runs of whitespace, Markdown's emphasis and code marks and LaTeX's dollars do not count
    in a quote: "**float32**" and "$z > 0$" are quoted as the student reads them."""
    return " ".join(re.sub(r"[*`$]", "", text).lower().split())


def prompt_text(source_nb, config) -> str:
    """What the student reads: the markdown and the given code of the released notebook (its
    hidden tests aside), folded as quotes are."""
    released = stub_case(source_nb, config).notebook
    parts = [cell.source for cell in released.cells
             if cell.cell_type == "markdown" or not notebooks.nbgrader_meta(cell).get("grade")]
    return _folded("\n".join(parts))


def _check_of(requirement: Requirement, check_ids: list[str]) -> str | None:
    for check_id in check_ids:
        if requirement.check in (check_id, check_id.partition(":")[2]):
            return check_id
    return None


def row_problems(requirement: Requirement, prompt: str, test_cells: dict, mistakes_dir: Path) -> list[str]:
    """What keeps a row from being guarded, seen without running anything."""
    where = f"requirement {requirement.id}"
    problems = []
    if _folded(requirement.prompt) not in prompt:
        problems.append(f"{where}: the prompt no longer says {requirement.prompt!r}")
    cell = test_cells.get(requirement.cell)
    if cell is None:
        problems.append(f"{where}: {requirement.cell} is not a graded test cell")
    elif _check_of(requirement, cell.check_ids) is None:
        problems.append(f"{where}: cell {requirement.cell} has no hidden check {requirement.check!r}")
    for name in requirement.mistakes:
        if not (mistakes_dir / f"{name}.py").is_file():
            problems.append(f"{where}: no known mistake {name} in {mistakes_dir.name}/")
    return problems


def coverage(course: Course, assignment_id: str, source_nbs: list, results) -> Coverage:
    """The table's coverage of the assignment's source notebooks, proven against validate's `results`
    (CaseResults) of this assignment."""
    path = course.requirements_path(assignment_id)
    found = Coverage(assignment_id, path)
    if not path.is_file():
        found.missing = True
        if assignment_id in course.syllabus.assignments:
            found.problems.append(f"{course.relative(path)} is missing: write a row for every requirement the "
                                  "prompt states (autograder/authoring/requirements.py shows the format)")
        return found
    try:
        requirements = load(path, course.relative(path))
    except CourseError as exc:
        found.problems.append(exc.message)
        return found
    prompt = " ".join(prompt_text(nb, course.config) for nb in source_nbs)
    test_cells = {cell.grade_id: cell for nb in source_nbs for cell in notebooks.graded_cells(nb) if cell.is_test}
    caught = {(r.case.name, v.grade_id) for r in results if r.case.kind == "mistake" for v in r.verdicts if v.hidden}
    mistakes_dir = course.cases_dir(assignment_id) / "mistakes"
    found.rows = len(requirements)
    for requirement in requirements:
        problems = row_problems(requirement, prompt, test_cells, mistakes_dir)
        found.problems += problems
        if problems:
            continue
        found.guarded += 1
        missed = [m for m in requirement.mistakes if (m, requirement.cell) not in caught]
        if missed:
            found.problems.append(f"requirement {requirement.id}: {requirement.cell}'s hidden checks do not catch "
                                  f"{', '.join(missed)}")
        else:
            found.proven += 1
    return found
