"""solutions/ is the executed source with hidden tests removed, current and deterministic."""

import pytest

from autograder.errors import ValidationFailed
from autograder.solutions import build_solutions

pytestmark = pytest.mark.slow


def test_committed_solutions_are_current_and_hide_the_hidden_tests(course_copy, repo_course):
    written = build_solutions(course=course_copy)
    assert written
    for path in written:
        text = path.read_text()
        committed = repo_course.root / path.relative_to(course_copy.root)
        assert committed.read_text() == text, f"{committed} is stale: run `course solutions`"
        assert "HIDDEN TESTS" not in text and "hidden_check" not in text and "BEGIN SOLUTION" not in text
        assert '"output_type": "error"' not in text


def test_a_failing_solution_is_not_published(course_copy):
    source = course_copy.source_notebooks("01_layer_math")[0]
    source.write_text(source.read_text().replace("return 1 - np.tanh(z) ** 2", "return 1 - np.tanh(z)"))
    target = course_copy.solutions_dir("01_layer_math") / source.name
    before = target.read_bytes()
    with pytest.raises(ValidationFailed, match="test_activation_grads"):
        build_solutions(course=course_copy)
    assert target.read_bytes() == before
