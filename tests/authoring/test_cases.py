import textwrap

import pytest

from autograder.authoring.cases import patched_case, stub_case
from autograder.course import notebooks
from autograder.course.errors import CourseError


@pytest.fixture
def source_nb(repo_course):
    return notebooks.read(repo_course.source_notebooks("01_layer_math")[0])


def _source_of(nb, name):
    return next(c.source for c in nb.cells if f"def {name}(" in c.source)


def test_patch_replaces_only_the_named_definition(source_nb, tmp_path):
    patch = tmp_path / "relu_abs.py"
    patch.write_text('"""relu as abs."""\nimport numpy as np\n\n\ndef relu(z):\n    return np.abs(z)\n')
    case = patched_case(source_nb, patch, "mistake")
    cell = _source_of(case.notebook, "relu")
    assert "return np.abs(z)" in cell and "np.maximum(z, 0.0)" not in cell
    assert "def sigmoid(z):" in cell and cell.startswith("import numpy as np")
    assert case.description == "relu as abs." and case.expect == {}
    assert _source_of(source_nb, "relu") != cell  # the source notebook itself is untouched


def test_helpers_and_expectations_are_carried(source_nb, tmp_path):
    patch = tmp_path / "helper.py"
    patch.write_text(textwrap.dedent('''
        EXPECT = {"test_activations": "wrong"}

        def _double(v):
            return 2 * v

        def relu(z):
            return _double(z)
    '''))
    case = patched_case(source_nb, patch, "mistake")
    cell = _source_of(case.notebook, "relu")
    assert cell.index("def _double") < cell.index("def relu") and case.expect == {"test_activations": "wrong"}


def test_a_patch_that_defines_nothing_known_is_an_error(source_nb, tmp_path):
    patch = tmp_path / "nothing.py"
    patch.write_text("def unrelated():\n    pass\n")
    with pytest.raises(CourseError, match="defines none"):
        patched_case(source_nb, patch, "mistake")


def test_stub_keeps_hidden_tests_and_clears_solutions(source_nb, repo_course):
    stub = stub_case(source_nb, repo_course.config).notebook
    text = "\n".join(c.source for c in stub.cells)
    assert "raise NotImplementedError()" in text and "np.maximum(z, 0.0)" not in text
    assert "BEGIN HIDDEN TESTS" in text
