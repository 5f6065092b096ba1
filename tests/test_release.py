"""release/ is what nbgrader makes of assignments/, is current, and leaks nothing."""

import re

import pytest

from autograder import notebooks
from autograder.errors import CourseError
from autograder.release import release

SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def _secret_lines(source_nb, region):
    lines = set()
    for cell in source_nb.cells:
        for block in region.findall(cell.source):
            lines |= {line.strip() for line in block.splitlines() if len(line.strip()) > 8}
    return lines


def test_committed_release_is_current(course_copy, repo_course):
    written = release(course=course_copy)
    assert written
    for path in written:
        committed = repo_course.root / path.relative_to(course_copy.root)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale: run `course release`"


def test_release_has_no_solution_code_and_no_hidden_test(repo_course):
    for assignment_id in repo_course.assignment_ids:
        for source_path in repo_course.source_notebooks(assignment_id):
            source_nb = notebooks.read(source_path)
            released = (repo_course.release_dir(assignment_id) / source_path.name).read_text()
            solution_lines = _secret_lines(source_nb, SOLUTION_REGION)
            hidden_lines = _secret_lines(source_nb, HIDDEN_REGION)
            assert solution_lines and hidden_lines  # the search has something to look for
            for line in solution_lines | hidden_lines:
                assert line not in released, f"{source_path.name}: released file contains {line!r}"
            for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "hidden_check"):
                assert marker not in released


def test_points_disagreeing_with_the_config_stop_the_release(course_copy):
    config = course_copy.root / "course_config.py"
    config.write_text(config.read_text().replace('"test_softmax": 2,', '"test_softmax": 5,'))
    from autograder.coursedir import Course

    with pytest.raises(CourseError, match="test_softmax.*worth 2 points, course_config.py says 5"):
        release(course=Course.load(course_copy.root))


def test_sources_carry_no_outputs_and_are_nbformat_4_5(repo_course):
    for assignment_id in repo_course.assignment_ids:
        for path in repo_course.source_notebooks(assignment_id):
            nb = notebooks.read(path)
            assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
            for cell in nb.cells:
                assert cell.get("id"), f"{path.name}: a cell has no id"
                if cell.cell_type == "code":
                    assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: {cell.id} has outputs"
                assert cell.metadata.get("nbgrader", None) != {}, "an empty nbgrader key confuses nbgrader"
