"""release/ is what nbgrader makes of assignments/, is current, and leaks nothing."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.authoring.release import release, release_library
from autograder.course import notebooks
from autograder.course.errors import CourseError

SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def _lines(text):
    return {line.strip() for line in text.splitlines() if len(line.strip()) > 8}


def _secret_lines(source_nb, region):
    """Lines that appear only inside `region`s of the source's code, never outside them."""
    inside, outside = set(), set()
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        for block in region.findall(cell.source):
            inside |= _lines(block)
        outside |= _lines(region.sub("", cell.source))
    return inside - outside


def _released_code(path):
    return "\n".join(c.source for c in notebooks.read(path).cells if c.cell_type == "code")


def test_committed_release_is_current(course_copy, repo_course):
    written = release(course=course_copy)
    assert written
    for path in written:
        committed = repo_course.root / path.relative_to(course_copy.root)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale: run `course release`"
    # the requirement tables and equivalent mutants beside the sources name every known mistake: staff only
    released = {p.name for p in (course_copy.root / "release").rglob("*")}
    assert not released & {"requirements.toml", "equivalent_mutants.toml"}


def test_the_committed_wheel_is_current_and_one_pip_command_installs_the_library(course_copy, repo_course, tmp_path):
    wheel = release_library(course=course_copy)
    committed = repo_course.root / wheel.relative_to(course_copy.root)
    assert committed.read_bytes() == wheel.read_bytes(), f"{committed} is stale: run `course release`"
    student = repo_course.root / "student"
    with zipfile.ZipFile(wheel) as archive:
        packed = {name: archive.read(name) for name in archive.namelist() if name.startswith("dlmed/")}
        requires = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA"))).decode()
    assert packed == {str(p.relative_to(student)): p.read_bytes() for p in (student / "dlmed").rglob("*.py")}
    assert "Requires-Dist: torch" in requires  # the one command brings what the notebooks import
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target",
                    str(tmp_path / "site"), str(committed)], check=True)
    where = subprocess.run([sys.executable, "-c", "import dlmed.runtime; print(dlmed.__file__)"], check=True, text=True,
                           capture_output=True, env={"PYTHONPATH": str(tmp_path / "site")}).stdout
    assert Path(where.strip()).is_relative_to(tmp_path / "site")


def _leaks(source_path, released_path) -> set:
    source_nb = notebooks.read(source_path)
    secrets = _secret_lines(source_nb, SOLUTION_REGION) | _secret_lines(source_nb, HIDDEN_REGION)
    assert secrets  # the search has something to look for
    return secrets & _lines(_released_code(released_path))


def test_release_has_no_solution_code_and_no_hidden_test(repo_course):
    for assignment_id in repo_course.assignment_ids:
        for source_path in repo_course.source_notebooks(assignment_id):
            released_path = repo_course.release_dir(assignment_id) / source_path.name
            leaked = _leaks(source_path, released_path)
            assert not leaked, f"{source_path.name}: the release contains solution or hidden-test lines {sorted(leaked)[:3]}"
            for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "hidden_check"):
                assert marker not in released_path.read_text()


def test_the_leak_search_finds_a_planted_solution_line(course_copy):
    source_path = course_copy.source_notebooks("02_training_loop")[0]
    released_path = course_copy.release_dir("02_training_loop") / source_path.name
    nb = notebooks.read(released_path)
    next(c for c in nb.cells if c.cell_type == "code").source += "\nscaler = StandardScaler().fit(X_train)"
    notebooks.write(nb, released_path)
    assert _leaks(source_path, released_path) == {"scaler = StandardScaler().fit(X_train)"}


def test_points_disagreeing_with_the_config_stop_the_release(course_copy):
    config = course_copy.root / "course_config.py"
    config.write_text(config.read_text().replace('"test_softmax": 2,', '"test_softmax": 5,'))
    from autograder.course.coursedir import Course

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
