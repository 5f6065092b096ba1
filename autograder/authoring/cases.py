"""The submissions `course validate` grades: the solution, the released stub, and the known
mistakes and alternative solutions kept under tests/submissions/<assignment>/.

A mistake or an alternative is a small Python file of function definitions (and, for an exam
form, answers: `answer_07 = 0.25`). Applied to the solution, each definition replaces the
solution's definition of the same name (new helpers go first), so a case file shows exactly the
student code it stands for. A mistake may
say which cells must catch it, and with which words, in `EXPECT = {"grade_id": "fragment"}`.

Code cells tagged "demo" (training runs, plots: nothing a test cell uses) run for the solution
and the stub but are left out of mistakes and alternatives, whose point is the test cells.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions

from ..course.errors import CourseError
from ..course.notebooks import nbgrader_meta

DEMO_TAG = "demo"
EXPECT = "EXPECT"


def is_demo(cell) -> bool:
    return DEMO_TAG in cell.get("metadata", {}).get("tags", [])


@dataclass
class Case:
    name: str
    kind: str
    notebook: nbformat.NotebookNode
    description: str = ""
    expect: dict[str, str] = field(default_factory=dict)


def solution_case(source_nb) -> Case:
    return Case("solution", "solution", copy.deepcopy(source_nb), "the instructor's solution")


def stub_case(source_nb, config) -> Case:
    """The released stub as grading sees it: solutions cleared by nbgrader, test cells (with
    their hidden parts) as in the source, which is what nbgrader restores before grading."""
    stub, _ = ClearSolutions(config=config).preprocess(copy.deepcopy(source_nb), {})
    return Case("stub", "stub", stub, "the released notebook, unanswered")


def top_level_defs(tree: ast.Module) -> dict[str, ast.AST]:
    """Functions, classes and names bound by a plain assignment (an exam answer, `answer_07 = 0.25`)."""
    defs = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs[node.name] = node
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            defs[node.targets[0].id] = node
    defs.pop(EXPECT, None)  # a case file's expectations, not student code
    return defs


def _span(node) -> tuple[int, int]:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first, node.end_lineno


def replace_def(cell_source: str, name: str, new_code: str) -> str:
    lines = cell_source.splitlines()
    first, last = _span(top_level_defs(ast.parse(cell_source))[name])
    return "\n".join(lines[: first - 1] + new_code.splitlines() + lines[last:])


def _solution_cells_defining(nb) -> dict[str, nbformat.NotebookNode]:
    owners = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            try:
                names = top_level_defs(ast.parse(cell.source))
            except SyntaxError:
                continue
            owners.update({name: cell for name in names})
    return owners


def patched_case(source_nb, path: Path, kind: str) -> Case:
    """Apply the definitions in `path` to a copy of the source notebook."""
    text = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise CourseError(f"{path.name}: not valid Python (line {exc.lineno}: {exc.msg})") from None
    imports = "\n".join(
        ast.get_source_segment(text, node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
    )
    expect: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [EXPECT]:
            expect = ast.literal_eval(node.value)
    nb = copy.deepcopy(source_nb)
    nb.cells = [cell for cell in nb.cells if not is_demo(cell)]
    owners = _solution_cells_defining(nb)
    defs = top_level_defs(tree)
    replaced = [name for name in defs if name in owners]
    if not replaced:
        raise CourseError(
            f"{path.name} defines none of the notebook's solution functions",
            hint=f"define one of: {', '.join(sorted(owners))}",
        )
    first_cell = owners[replaced[0]]
    for name, node in defs.items():
        lines = text.splitlines()
        first, last = _span(node)
        code = "\n".join(lines[first - 1 : last])
        if name in owners:
            owners[name].source = replace_def(owners[name].source, name, code)
        else:  # a helper of the case's own: defined before the code that uses it
            first_cell.source = code + "\n\n\n" + first_cell.source
    if imports:
        for cell in {id(owners[n]): owners[n] for n in replaced}.values():
            cell.source = imports + "\n\n" + cell.source
    return Case(path.stem, kind, nb, ast.get_docstring(tree) or "", expect)


def cases_for(source_nb, config, cases_dir: Path, solution_nb=None) -> list[Case]:
    """`solution_nb`: where the solution is not the source itself (an exam form's worked answers);
    mistakes and alternatives are patched into it."""
    solution_nb = solution_nb or source_nb
    cases = [solution_case(solution_nb), stub_case(source_nb, config)]
    for kind, folder in (("mistake", "mistakes"), ("alternative", "alternatives")):
        for path in sorted((cases_dir / folder).glob("*.py")):
            cases.append(patched_case(solution_nb, path, kind))
    return cases
