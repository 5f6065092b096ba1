"""`course export otter`: each assignment as an otter-grader assignment, for Gradescope.

Our code writes only otter's *master notebook* (otter-assign format v1: raw-cell markers) from the
nbgrader source; otter's own `otter assign` makes the student notebook (with `grader.check` cells
and the public tests) and the Gradescope autograder zip from it.

The mapping keeps nbgrader's scoring exactly: one otter question per graded test cell (its
grade_id and points), graded all or nothing like the cell. The cell's visible code becomes a public
test and its hidden checks a hidden test; both are exception-based tests that run in the notebook's
own globals, as nbgrader runs a test cell (otter's OK-format doctests would run on a copy and
mis-score). On Gradescope everything runs inside the student's container, so the hidden test judges
in the kernel with the checks' authoring mode; the zip carries the checks and the student library
(`autograder_files`, `files`), so nothing is fetched at grading time. Manually graded cells become
otter's `manual` questions.

An exam form exports the same way, from its worked notebook: each answer cell's student text (an
`answer_07 = None` line) stays the prompt, and the form's key travels in the autograder zip only,
beside the exam checks that judge against it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import nbformat
import yaml

import dlmed

from ..authoring.cases import is_demo
from ..checks.exam.answers import PaperKey, write_exported_key
from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..exam.worked import form_key, worked_notebook

# What the hidden tests import, copied into the autograder zip only (the checks are the answer key).
_GRADER_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the `autograder` package
_CHECK_FILES = ("autograder/__init__.py", "autograder/checks", "autograder/course/errors.py")
_EXAM_CHECKS = "autograder/checks/exam"  # the exam family: in an exam form's zip only, with the form's key
_HIDDEN_REGION = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*\n?",
                            re.M | re.S)
_SOLUTION_MARKER = re.compile(r"^([ \t]*)### (BEGIN|END) SOLUTION[ \t]*$", re.M)
# Lines otter rewrites or drops in a student version (solutions, prompts, seeds, ignored lines).
_OTTER_MARKER = re.compile(r"#\s*(BEGIN |END )?(SOLUTION|PROMPT|SEED|IGNORE)\b", re.I)
_HIDDEN_CALL = re.compile(r"""^hidden_check\(\s*["'][^"']+["']\s*,\s*globals\(\)\s*\)$""")


@dataclass
class Export:
    assignment_id: str
    master: Path  # the master notebook we wrote
    student: Path  # otter's student notebook
    autograder_zip: Path  # otter's Gradescope autograder


def _raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def _config_cell(marker: str, config: dict):
    return _raw(f"# {marker}\n" + yaml.safe_dump(config, sort_keys=False).strip())


def _pinned_requirements() -> str:
    """The student library's needs at the versions this grader runs: what Gradescope installs when it
    builds the image, so that it grades with the same libraries and fetches nothing while grading."""
    lines = []
    for need in metadata.requires("dlmed") or []:
        name = re.split(r"[ ;<>=!\[]", need, maxsplit=1)[0]
        lines.append(f"{name}=={metadata.version(name)}\n")
    return "".join(lines)


def _split_test_cell(cell, grade_id: str) -> tuple[list[str], str]:
    """A test cell's hidden checks (in order) and its visible code."""
    check_ids, hidden_code = [], []
    for region in _HIDDEN_REGION.findall(cell.source):
        hidden_code += [line.strip() for line in region.splitlines() if line.strip()]
    for line in hidden_code:
        if line == "from dlmed import hidden_check":
            continue
        if not _HIDDEN_CALL.match(line):
            raise CourseError(
                f"test cell {grade_id}: its hidden part holds {line!r}, which an otter test cannot express",
                hint="keep only `hidden_check(\"<id>\", globals())` calls between the hidden-test markers",
            )
        check_ids.append(re.search(r"""["']([^"']+)["']""", line).group(1))
    visible = _HIDDEN_REGION.sub("", cell.source).strip()
    return check_ids, visible


def _test_cell(name: str, body: str, *, hidden: bool):
    """An exception-based otter test: `body` runs in the notebook's own globals, as in nbgrader."""
    first = "# HIDDEN\n" if hidden else ""
    return nbformat.v4.new_code_cell(f"{first}def {name}(env):\n" + textwrap.indent(body, "    "))


def _public_test(grade_id: str, visible: str):
    return _test_cell(f"{grade_id}_visible", f"code = {visible!r}\nexec(compile(code, {grade_id!r}, 'exec'), env)",
                      hidden=False)


def _hidden_test(grade_id: str, check_ids: list[str], *, exam: bool):
    if exam:  # judged against the form's key, which only the autograder zip holds
        head = "from autograder.checks.exam.answers import exported_key\n"
        judged = "judge_in_kernel(check, env, paper=exported_key())"
    else:
        head, judged = "", "judge_in_kernel(check, env)"
    return _test_cell(
        f"{grade_id}_hidden",
        f"from autograder.checks import judge_in_kernel\n{head}\n"
        f"for check in {check_ids!r}:\n    {judged}",
        hidden=True,
    )


def _prompted_solution(grade_id: str, prompt: str, solution: str) -> str:
    """An answer cell whose student version is `prompt` (an exam's `answer_07 = None`) rather than otter's
    `...`: otter drops the marker lines of a prompt block and keeps its text, and drops a NO PROMPT
    solution. In the solution the prompt is a bare raw string, which does nothing."""
    if marked := next((line for line in prompt.splitlines() if _OTTER_MARKER.search(line)), None):
        raise CourseError(f"answer cell {grade_id}: its text holds {marked.strip()!r}, which otter would rewrite "
                          "in the student's version", hint="word that comment differently")
    quote = next((q for q in ('"""', "'''") if q not in prompt), None)
    if quote is None:
        raise CourseError(f"answer cell {grade_id}: its text holds both kinds of triple quotes, which an otter "
                          "prompt cannot hold", hint="use one kind of triple quote in the student's starting text")
    return (f"r{quote} # BEGIN PROMPT\n{prompt.rstrip()}\n{quote};  # END PROMPT\n"
            f"# BEGIN SOLUTION NO PROMPT\n{solution.rstrip()}\n# END SOLUTION")


def _solution_source(source: str) -> str:
    return _SOLUTION_MARKER.sub(lambda m: f"{m.group(1)}# {m.group(2)} SOLUTION", source)


def _init_code(course: Course) -> str:
    # otter seeds numpy and `random` only (and only when told to); the course's runtime seeds torch
    # and sets its determinism flags exactly as our grader's kernels do.
    return ("import os\n"
            f"os.environ.setdefault(\"DLMED_SEED\", \"{course.grading.seed}\")\n"
            "from dlmed import runtime\n"
            "runtime.configure()")


def master_notebook(course: Course, assignment_id: str, source_nb, prompts: dict[str, str] | None = None):
    """The otter master notebook for one nbgrader source notebook. For an exam form, `source_nb` is its
    worked notebook and `prompts` the form's own cells by id: the text students start from in the
    cells the worked notebook made solutions."""
    prompts = prompts or {}
    points = course.points(assignment_id)
    config = {
        "name": assignment_id,  # otter refuses a submission of another assignment
        "requirements": "requirements.txt",
        "overwrite_requirements": False,
        "files": ["dlmed"],
        "autograder_files": ["autograder"],
        "export_cell": False,
        "check_all_cell": False,
        "init_cell": True,
        "run_tests": True,
        "tests": {"files": False, "ok_format": False},
        "generate": {"pdf": False, "filtering": False, "show_hidden": False},
    }
    cells = [_config_cell("ASSIGNMENT CONFIG", config), nbformat.v4.new_code_cell(_init_code(course))]
    question_at = None  # where the open question's BEGIN QUESTION goes, once its test cell names it
    for cell in source_nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if meta.get("grade") and meta.get("solution"):  # a manually graded answer
            if question_at is not None:
                raise CourseError(f"cell {grade_id}: a manually graded answer follows solution cells that no "
                                  "test cell grades", hint="end the question with its test cell first")
            cells += [
                _config_cell("BEGIN QUESTION", {"name": grade_id, "manual": True, "points": points[grade_id]}),
                _raw("# BEGIN SOLUTION"),
                nbformat.v4.new_markdown_cell(cell.source) if cell.cell_type == "markdown"
                else nbformat.v4.new_code_cell(_solution_source(cell.source)),
                _raw("# END SOLUTION"),
                _raw("# END QUESTION"),
            ]
            continue
        if meta.get("solution"):
            if cell.cell_type != "code":
                raise CourseError(f"cell {grade_id}: an ungraded answer cell of type {cell.cell_type}",
                                  hint="otter questions take code solutions or manually graded answers")
            if question_at is None:
                question_at = len(cells)
            solution = (_prompted_solution(cell.id, prompts[cell.id], cell.source) if cell.id in prompts
                        else _solution_source(cell.source))
            cells += [_raw("# BEGIN SOLUTION"), nbformat.v4.new_code_cell(solution, id=cell.id), _raw("# END SOLUTION")]
            continue
        if meta.get("grade"):  # a test cell ends its question
            check_ids, visible = _split_test_cell(cell, grade_id)
            question = {"name": grade_id, "points": points[grade_id], "all_or_nothing": True}
            cells.insert(len(cells) if question_at is None else question_at, _config_cell("BEGIN QUESTION", question))
            cells += [_raw("# BEGIN TESTS")]
            if visible:
                cells.append(_public_test(grade_id, visible))
            if check_ids:
                cells.append(_hidden_test(grade_id, check_ids, exam=bool(prompts)))
            cells += [_raw("# END TESTS"), _raw("# END QUESTION")]
            question_at = None
            continue
        copied = (nbformat.v4.new_markdown_cell if cell.cell_type == "markdown" else
                  nbformat.v4.new_raw_cell if cell.cell_type == "raw" else nbformat.v4.new_code_cell)(cell.source, id=cell.id)
        if is_demo(cell):
            copied.metadata["tags"] = ["demo"]
        cells.append(copied)
    if question_at is not None:
        raise CourseError("solution cells at the end that no test cell grades",
                          hint="add their test cell, or make them ordinary cells")
    return nbformat.v4.new_notebook(cells=cells, metadata=dict(source_nb.metadata))


def _copy_support(folder: Path, paper: PaperKey | None) -> None:
    """The student library and the checks, from the packages this grader runs (not the course folder);
    for an exam form, the exam checks and the form's key too."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(Path(dlmed.__file__).parent, folder / "dlmed", ignore=ignore)
    for relative in _CHECK_FILES:
        source, target = _GRADER_ROOT / relative, folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
    if paper:
        write_exported_key(paper, folder / _EXAM_CHECKS)
    else:
        shutil.rmtree(folder / _EXAM_CHECKS)
    (folder / "requirements.txt").write_text(_pinned_requirements())


def export(*, course: Course, assignment_ids: list[str] | None = None, out: Path | None = None,
           run_tests: bool = True) -> list[Export]:
    """Write each assignment's master notebook under `out/<id>/` and run `otter assign` on it."""
    from otter.assign import main as otter_assign

    out = Path(out) if out else course.root / "exports" / "otter"
    exports = []
    # every assignment is checked before any is written: a refused one leaves no half-done export
    papers = {assignment_id: form_key(course, assignment_id) for assignment_id in course.resolve(assignment_ids)}
    for assignment_id, paper in papers.items():
        sources = course.source_notebooks(assignment_id)
        if len(sources) != 1:
            raise CourseError(f"{assignment_id} has {len(sources)} notebooks; an otter assignment is one notebook",
                              hint="export each notebook as an assignment of its own")
        source = sources[0]
        source_nb = notebooks.read(source, shown_as=course.relative(source))
        try:
            if paper:
                prompts = {cell.id: cell.source for cell in source_nb.cells}
                master = master_notebook(course, assignment_id, worked_notebook(source_nb, paper, explained=False),
                                         prompts)
            else:
                master = master_notebook(course, assignment_id, source_nb)
        except CourseError as exc:
            raise CourseError(f"{course.relative(source)}: {exc.message}", hint=exc.hint) from None
        folder = out / assignment_id
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        _copy_support(folder, paper)
        master_path = folder / source.name
        notebooks.write(master, master_path)
        dist = folder / "dist"
        log = io.StringIO()
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log), _quiet_otter():
                otter_assign(str(master_path), str(dist), no_pdfs=True, no_run_tests=not run_tests)
        except Exception as exc:  # otter raises many types; its message says what it refused
            raise CourseError(f"otter assign refused {assignment_id}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                              hint=f"the master notebook it read is {course.relative(master_path)}") from None
        zips = sorted((dist / "autograder").glob("*.zip"))
        exports.append(Export(assignment_id, master_path, dist / "student" / source.name, zips[-1]))
    return exports


@contextlib.contextmanager
def _quiet_otter():
    """otter logs every step at INFO; the command shows its own progress instead. The kernel otter starts
    to run the tests on the solution inherits the process's stderr and warns there of its TCP
    transport, so that descriptor goes nowhere meanwhile (what otter refuses comes back as its error)."""
    loggers = [logging.getLogger(name) for name in ("otter", "otter.assign")]
    levels = [lg.level for lg in loggers]
    saved = os.dup(2)
    try:
        for lg in loggers:
            lg.setLevel(logging.WARNING)
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
