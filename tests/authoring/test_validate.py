"""`course validate` on the real assignments, and on broken ones it must reject."""

import re
import shutil
from pathlib import Path

import pytest

from autograder import checks
from autograder.authoring.cases import Case
from autograder.cli import main
from autograder.course import notebooks
from autograder.course.coursedir import Course
from autograder.grading.execute import RunLimits
from autograder.grading.verdicts import CellVerdict
from autograder.verbs.validate import expectation_problems, structure_problems
from tests.authoring.conftest import OTTER_KINDS, SEEDS, by_assignment
from tests.conftest import PRACTICE_FORM

pytestmark = pytest.mark.slow


# One test per assignment (and the committed practice form), so that pytest-xdist spreads the long validations over its workers.
ASSIGNMENTS = [*Course.load(Path(__file__).resolve().parents[2]).assignment_ids, PRACTICE_FORM]


@by_assignment(ASSIGNMENTS)
def test_every_assignment_validates(validated, assignment_id):
    code, out, course = validated(assignment_id)
    assert code == 0, out[-3000:]
    assert f"validate {assignment_id}" in out
    assert "0 failed, 0 structural problems" in out
    rows = int(re.search(rf"requirements {assignment_id}: (\d+) rows", out).group(1))
    assert rows >= 10 and f"{rows} rows, {rows} guarded, {rows} proven ok" in out
    # every case judged under the seeds CI gives it, its mistakes too
    assert re.search(rf"\({SEEDS.get(assignment_id, course.validation.validate_seeds)} seeds? each", out)
    mistakes, alternatives = map(int, re.search(r"\((\d+) known mistakes, (\d+) alternative solutions\)", out).groups())
    assert mistakes >= 12 and alternatives >= 3
    if assignment_id in OTTER_KINDS:  # the others' otter parity runs outside CI only (conftest)
        assert f"otter parity {assignment_id}" in out and re.search(r"cases graded by otter in \d+ s \([\d.]+ s a case\), 0 differ", out)


def test_a_mistake_no_test_catches_fails_validation(course_copy, capsys):
    mistakes = course_copy.cases_dir("01_layer_math") / "mistakes"
    shutil.rmtree(mistakes)
    mistakes.mkdir()
    (mistakes / "not_a_mistake.py").write_text('"""relu written differently, but right."""\nimport numpy as np\n\n\ndef relu(z):\n    return np.clip(z, 0, None)\n')
    shutil.rmtree(course_copy.cases_dir("01_layer_math") / "alternatives")
    assert main(["--course-dir", str(course_copy.root), "validate", "01_layer_math"]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert "not_a_mistake" in out and "no hidden check catches this mistake" in out


def test_a_test_cell_that_passes_on_the_stub_fails_validation(course_copy):
    source = course_copy.source_notebooks("01_layer_math")[0]
    text = source.read_text()
    # Make the relu cell's hidden check and visible asserts vanish: the cell then passes on anything.
    text = text.replace('hidden_check(\\"01_layer_math:relu\\", globals())\\n', "")
    source.write_text(text)
    problems = structure_problems(course_copy, "01_layer_math", notebooks.read(source), source.name)
    assert any("hidden check 01_layer_math:relu is defined but no test cell uses it" in p for p in problems)


def _verdict(grade_id, hidden=(), visible=None):
    return CellVerdict(grade_id, 2, tuple(hidden), visible)


def test_expectations_of_each_kind():
    mistake = Case("m", "mistake", None, expect={"test_a": "sum"})
    assert expectation_problems(mistake, [_verdict("test_a", ["you summed"]), _verdict("test_b")]) == []
    assert "without saying 'sum'" in expectation_problems(mistake, [_verdict("test_a", ["wrong"])])[0]
    assert "no hidden check" in expectation_problems(mistake, [_verdict("test_a", visible="AssertionError")])[0]
    stub = Case("s", "stub", None)
    assert "points for nothing" in expectation_problems(stub, [_verdict("test_a")])[0]
    alternative = Case("a", "alternative", None)
    assert "test_a failed" in expectation_problems(alternative, [_verdict("test_a", ["wrong"])])[0]


def test_a_verdict_that_depends_on_the_seed_fails_validation_naming_cell_and_seeds(course_copy, capsys):
    """A relu memoised by the input's shape answers the first seed's inputs right and every later
    seed's with the first one's results: caught on some seeds and not on others."""
    cases = course_copy.cases_dir("01_layer_math")
    shutil.rmtree(cases / "alternatives")
    shutil.rmtree(cases / "mistakes")
    (cases / "mistakes").mkdir()
    (cases / "mistakes" / "relu_memoised_by_shape.py").write_text(
        '"""relu remembers its answer for each shape it has seen."""\nimport numpy as np\n\nEXPECT = {"test_activations": "relu"}\n\n'
        "def relu(z, _seen={}):\n    key = np.shape(z)\n    if key not in _seen:\n        _seen[key] = np.maximum(z, 0)\n"
        "    return _seen[key]\n")
    assert main(["--course-dir", str(course_copy.root), "validate", "01_layer_math", "--seeds", "3"]) == 2
    out = " ".join(capsys.readouterr().out.split())
    seeds = [course_copy.validation.validate_seed + k for k in range(3)]
    assert "(3 seeds each" in out
    assert "test_activations's verdict depends on the seed" in out
    assert f"points on seed {seeds[0]};" in out and f"0 points on seeds {seeds[1]}, {seeds[2]}" in out


def test_seed_problems_name_each_cell_whose_points_differ():
    from autograder.verbs.validate import seed_problems

    same = [_verdict("test_a"), _verdict("test_b", ["wrong"])]
    differ = [_verdict("test_a", ["relu(z): wrong result"]), _verdict("test_b", ["wrong"])]
    assert seed_problems([1, 2, 3], [same, same, same]) == []
    (problem,) = seed_problems([1, 2, 3], [same, differ, same])
    assert problem.startswith("test_a's verdict depends on the seed (2 points on seeds 1, 3; 0 points on seed 2)")
    assert "relu(z): wrong result" in problem


def _run_case_where(monkeypatch, fails, retries):
    """_run_case with its run replaced by `fails`, which is told the try's number."""
    from autograder.verbs import validate as validate_module

    tries = []

    def run(*args, **kwargs):
        tries.append(len(tries) + 1)
        fails(len(tries))

    monkeypatch.setattr(validate_module, "run_and_judge", run)
    monkeypatch.setattr(validate_module, "template_for", lambda *args: None)
    result = validate_module._run_case("01_layer_math", Path("a.ipynb"), "a.ipynb", None, Case("s", "solution", None),
                                       [1], [{}], Path("."), None, RunLimits(10), retries, 1)
    return result, tries


def test_a_case_whose_kernel_cannot_start_is_tried_again_then_is_that_cases_problem_only(monkeypatch):
    """A kernel killed as it starts (load on the instructor's machine, or CI's) is tried again
    c.Checks.case_retries times; then it fails one row of the table, saying to run again, instead
    of ending validate with a traceback."""
    def dies(attempt):
        raise RuntimeError("Kernel died before replying to kernel_info")

    result, tries = _run_case_where(monkeypatch, dies, retries=2)
    assert tries == [1, 2, 3]
    (problem,) = result.problems
    assert "could not run (RuntimeError: Kernel died before replying to kernel_info), 3 tries" in problem
    assert "run validate again" in problem


def test_a_checks_own_defect_is_reported_at_once_not_tried_again(monkeypatch):
    def crashes(attempt):
        raise checks.CheckCrashed("test_x's checks crashed")

    result, tries = _run_case_where(monkeypatch, crashes, retries=2)
    assert tries == [1] and result.problems == ["test_x's checks crashed"]
