"""`course export otter`: what otter assign makes from our sources, and what it must not leak.

Score parity with our grader is proven case by case in test_validate.py (`course validate --otter`)."""

import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.cli import main
from autograder.course import notebooks
from tests.conftest import PRACTICE_EXAM, PRACTICE_FORM

pytestmark = pytest.mark.xdist_group("otter-export")  # one export, shared by the module's tests
ASSIGNMENTS = ["01_layer_math", "02_training_loop", "03_kfold_cv", "04_transfer_resnet", PRACTICE_FORM]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from tests.conftest import make_course_copy

    course = make_course_copy(tmp_path_factory.mktemp("otter"), practice_form=True)
    assert main(["--course-dir", str(course.root), "export", "otter", *ASSIGNMENTS, "--no-run-tests"]) == 0
    return course


def _zip_of(folder: Path) -> zipfile.ZipFile:
    [path] = (folder / "dist" / "autograder").glob("*.zip")
    return zipfile.ZipFile(path)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_one_otter_question_per_graded_test_cell_with_its_points(exported, assignment_id):
    folder = exported.root / "exports" / "otter" / assignment_id
    points = exported.points(assignment_id)
    source = notebooks.read(exported.source_notebooks(assignment_id)[0])
    tests = {c.grade_id for c in notebooks.graded_cells(source) if c.is_test}
    manual = {c.grade_id for c in notebooks.graded_cells(source) if not c.is_test}
    archive = _zip_of(folder)
    files = {Path(n).stem for n in archive.namelist() if n.startswith("tests/")}
    assert files == tests
    for grade_id in tests:
        text = archive.read(f"tests/{grade_id}.py").decode()
        assert f"points = {points[grade_id]:g}" in text and "all_or_nothing = True" in text
        assert "hidden=True" in text  # every test cell has hidden checks
    master = notebooks.read(next(folder.glob("*.ipynb")))
    manual_questions = [c.source for c in master.cells if c.cell_type == "raw" and "manual: true" in c.source]
    assert len(manual_questions) == len(manual)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_the_student_version_carries_no_answers_and_no_hidden_checks(exported, assignment_id):
    folder = exported.root / "exports" / "otter" / assignment_id
    student_dir = folder / "dist" / "student"
    student = notebooks.read(next(student_dir.glob("*.ipynb")))
    text = nbformat.writes(student)
    assert "judge_in_kernel" not in text and "hidden=True" not in text
    assert "BEGIN SOLUTION" not in text
    code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    released = notebooks.read(next(exported.release_dir(assignment_id).glob("*.ipynb")))
    released_code = "\n".join(c.source for c in released.cells if c.cell_type == "code")
    source = notebooks.read(exported.source_notebooks(assignment_id)[0])
    for cell in source.cells:
        if notebooks.nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
            for answer in cell.source.split("### BEGIN SOLUTION")[1:]:
                for line in answer.split("### END SOLUTION")[0].splitlines():
                    # no answer line that nbgrader's release does not show too (demo cells reuse some)
                    assert len(line.strip()) < 25 or line.strip() in released_code or line.strip() not in code
    assert student.metadata["otter"]["assignment_name"] == assignment_id
    assert (student_dir / "dlmed" / "probe.py").exists()  # the helper library students import
    assert not (student_dir / "autograder").exists()  # the checks are the key: autograder zip only
    names = _zip_of(folder).namelist()
    assert "files/autograder/checks/__init__.py" in names and "files/dlmed/runtime.py" in names
    requirements = (folder / "requirements.txt").read_text()
    assert "torch==" in requirements and "scikit-learn==" in requirements  # pinned: Gradescope builds alike


def test_a_form_carries_its_key_in_the_autograder_zip_alone_and_students_keep_their_prompts(exported):
    folder = exported.root / "exports" / "otter" / PRACTICE_FORM
    key = json.loads(exported.exam_paper_file(PRACTICE_EXAM, "keys", "A").read_text())["questions"]
    carried = json.loads(_zip_of(folder).read("files/autograder/checks/exam/paper_key.json"))
    assert carried["paper"] == "A" and [q["question"] for q in carried["questions"]] == [k["question"] for k in key]
    for entry, full in zip(carried["questions"], key):  # what the checks judge by, and nothing to read an answer from
        assert entry.items() <= full.items() and not {"worked", "rubric", "seed"} & set(entry)
        assert ("value" in entry) == (full["kind"] != "free_text")
    student = notebooks.read(next((folder / "dist" / "student").glob("*.ipynb")))
    source = notebooks.read(exported.source_notebooks(PRACTICE_FORM)[0])
    prompts = {c.id: c.source.strip() for c in source.cells if c.id.startswith("answer-") and c.cell_type == "code"}
    assert {c.id: c.source.strip() for c in student.cells if c.get("id") in prompts} == prompts
    text = nbformat.writes(student)
    for entry in key:  # no worked answer, rubric, model answer or reference function reaches students
        secrets = [entry.get("worked"), entry.get("rubric"), entry["value"] if entry["kind"] in ("code", "free_text") else None]
        assert not [s for s in secrets if s and s in text], entry["question"]


def test_an_answer_text_otter_would_rewrite_is_refused_naming_the_cell(tmp_path, capsys):
    from tests.conftest import make_course_copy

    course = make_course_copy(tmp_path, practice_form=True)
    source = course.source_notebooks(PRACTICE_FORM)[0]
    nb = notebooks.read(source)
    cell = next(c for c in nb.cells if c.id == "answer-01")
    cell.source = "answer_01 = None  # SOLUTION: a whole number"  # otter would show students `answer_01 = ...`
    notebooks.write(nb, source)
    assert main(["--course-dir", str(course.root), "export", "otter", PRACTICE_FORM, "--no-run-tests"]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert "answer-01" in out and "otter would rewrite" in out and "Traceback" not in out
    assert not (course.root / "exports").exists()


def test_a_hidden_part_otter_cannot_express_is_refused_naming_the_cell(course_copy, capsys):
    source = course_copy.source_notebooks("01_layer_math")[0]
    nb = notebooks.read(source)
    cell = notebooks.cell_by_grade_id(nb, "test_softmax")
    cell.source = cell.source.replace("### END HIDDEN TESTS", "assert softmax is not None\n### END HIDDEN TESTS")
    notebooks.write(nb, source)
    assert main(["--course-dir", str(course_copy.root), "export", "otter", "01_layer_math", "--no-run-tests"]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert "test_softmax" in out and "otter test cannot express" in out and "Traceback" not in out


def test_otter_refuses_a_notebook_of_another_assignment(exported):
    from otter.api import grade_submission

    folder = exported.root / "exports" / "otter"
    other = next((folder / "02_training_loop" / "dist" / "student").glob("*.ipynb"))
    [zip_01] = (folder / "01_layer_math" / "dist" / "autograder").glob("*.zip")
    with pytest.raises(Exception, match="01_layer_math"):  # refused before anything runs
        grade_submission(str(other), str(zip_01), quiet=True)


def _run(nb_path: Path):
    nb = notebooks.read(nb_path)
    NotebookClient(nb, timeout=300, allow_errors=True, resources={"metadata": {"path": str(nb_path.parent)}}).execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
    return checks, [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _shown(cell) -> str:
    return "".join(o.get("text", "") + "".join(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)


@pytest.mark.slow
def test_grader_check_cells_pass_on_the_solution_and_fail_with_otters_message_on_the_stub(exported):
    folder = exported.root / "exports" / "otter" / "01_layer_math" / "dist"
    checks, errors = _run(folder / "autograder" / "layer_math.ipynb")
    assert checks and not errors
    assert all("passed" in _shown(c) for c in checks), [_shown(c) for c in checks]
    checks, _ = _run(folder / "student" / "layer_math.ipynb")
    assert checks
    for cell in checks:  # otter's report of the failing public test, not an error of the cell
        assert not any(o.get("output_type") == "error" for o in cell.outputs)
        assert "failed" in _shown(cell), _shown(cell)
    assert json.loads((folder / "autograder" / "otter_config.json").read_text())["assignment_name"] == "01_layer_math"
