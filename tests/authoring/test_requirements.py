"""The requirement tables: read, checked against the prompt and the test cells without running
anything, and proven by the known mistakes' verdicts (`course validate` proves the committed ones
in real kernels: tests/authoring/test_validate.py)."""

import pytest

from autograder.authoring.cases import Case
from autograder.authoring.requirements import coverage, load, prompt_text, row_problems
from autograder.course import notebooks
from autograder.course.errors import CourseError
from autograder.grading.verdicts import CellVerdict
from autograder.verbs.validate import CaseResult
from tests.conftest import PRACTICE_FORM, make_course_copy

ROW = '''[[requirement]]
id = "relu-zero"
prompt = "1 where z > 0, else 0"
cell = "test_activation_grads"
check = "relu_grad"
mistakes = ["relu_grad_one_at_zero"]
'''


def _write(course, text):
    path = course.requirements_path("01_layer_math")
    path.write_text(text)
    return path


def _mistake(name, caught_by=()):
    verdicts = [CellVerdict(cell, 2, ("wrong",), None) for cell in caught_by]
    return CaseResult("01_layer_math", "layer_math.ipynb", Case(name, "mistake", None), verdicts, [], 0.0)


def _coverage(course, results):
    return coverage(course, "01_layer_math", [notebooks.read(course.source_notebooks("01_layer_math")[0])], results)


@pytest.mark.parametrize("text, says", [
    ("[[requirement]\nid = 1", "not valid TOML"),
    ("title = 'no rows'\n", "has no [[requirement]] rows"),
    (ROW.replace('cell = "test_activation_grads"\n', ""), "no 'cell'"),
    (ROW + 'colour = "red"\n', "unknown field 'colour'"),
    (ROW.replace('["relu_grad_one_at_zero"]', '"relu_grad_one_at_zero"'), "mistakes must be a list"),
    (ROW + "\n" + ROW, "the id is used twice"),
])
def test_a_malformed_table_is_one_clear_error(course_copy, text, says):
    path = _write(course_copy, text)
    with pytest.raises(CourseError) as raised:
        load(path, "requirements.toml")
    assert says in raised.value.message and raised.value.message.startswith("requirements.toml")


def test_a_row_is_guarded_and_proven_only_when_its_mistakes_are_caught_by_its_own_cell(course_copy):
    _write(course_copy, ROW)
    proven = _coverage(course_copy, [_mistake("relu_grad_one_at_zero", ["test_activation_grads"])])
    assert (proven.rows, proven.guarded, proven.proven, proven.problems) == (1, 1, 1, [])
    elsewhere = _coverage(course_copy, [_mistake("relu_grad_one_at_zero", ["test_activations"])])
    assert (elsewhere.guarded, elsewhere.proven) == (1, 0)
    assert "test_activation_grads's hidden checks do not catch relu_grad_one_at_zero" in elsewhere.problems[0]


def test_each_broken_link_of_a_row_is_named(course_copy):
    nb = notebooks.read(course_copy.source_notebooks("01_layer_math")[0])
    prompt = prompt_text(nb, course_copy.config)
    cells = {c.grade_id: c for c in notebooks.graded_cells(nb) if c.is_test}
    mistakes = course_copy.cases_dir("01_layer_math") / "mistakes"
    (row,) = load(_write(course_copy, ROW), "t")
    assert row_problems(row, prompt, cells, mistakes) == []
    (moved,) = load(_write(course_copy, ROW.replace("1 where z > 0", "1 where z >= 0")), "t")
    assert "the prompt no longer says '1 where z >= 0, else 0'" in row_problems(moved, prompt, cells, mistakes)[0]
    (wrong,) = load(_write(course_copy, ROW.replace('"relu_grad"', '"softmax"').replace("_one_at_zero", "_gone")), "t")
    assert row_problems(wrong, prompt, cells, mistakes) == [
        "requirement relu-zero: cell test_activation_grads has no hidden check 'softmax'",
        "requirement relu-zero: no known mistake relu_grad_gone in mistakes/"]
    (hidden,) = load(_write(course_copy, ROW.replace('"1 where z > 0, else 0"', "'hidden_check(\"01_layer_math'")), "t")
    assert "no longer says" in row_problems(hidden, prompt, cells, mistakes)[0]  # hidden tests are not the prompt


def test_quotes_fold_case_whitespace_and_markdown_marks(course_copy):
    nb = notebooks.read(course_copy.source_notebooks("02_training_loop")[0])
    prompt = prompt_text(nb, course_copy.config)
    assert "float32 features and float32 targets" in prompt  # written **float32** in the markdown
    assert "make_loader(x, y, batch_size=32, shuffle=false, seed=0)" in prompt  # `...` in the markdown


def test_coursework_needs_a_table_and_an_exam_form_may_go_without(course_copy, tmp_path):
    course_copy.requirements_path("01_layer_math").unlink(missing_ok=True)
    missing = _coverage(course_copy, [])
    assert missing.missing and "requirements.toml is missing" in missing.problems[0]
    form = make_course_copy(tmp_path / "form", practice_form=True)
    form.requirements_path(PRACTICE_FORM).unlink(missing_ok=True)
    nb = notebooks.read(form.source_notebooks(PRACTICE_FORM)[0])
    assert coverage(form, PRACTICE_FORM, [nb], []).problems == []


def test_the_committed_tables_are_guarded_row_by_row(repo_course):
    """Proof needs the mistakes run (course validate); the links of every row hold already."""
    for assignment_id in [*repo_course.assignment_ids, PRACTICE_FORM]:
        path = repo_course.requirements_path(assignment_id)
        nb = notebooks.read(repo_course.source_notebooks(assignment_id)[0])
        found = coverage(repo_course, assignment_id, [nb], [])
        assert not found.missing, f"{path} is missing"
        assert found.guarded == found.rows > 0, [p for p in found.problems if "do not catch" not in p]
