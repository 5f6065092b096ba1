"""Bad input gets a one- or two-line error with a hint and exit code 2, never a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    out = " ".join((captured.out + captured.err).split())
    assert "Traceback" not in out
    return code, out


def _edit(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_unknown_assignment_suggests_the_close_one(course_copy, capsys):
    code, out = run(capsys, "--course-dir", str(course_copy.root), "release", "01_layer_mat")
    assert code == 2 and "unknown assignment '01_layer_mat'" in out and "did you mean '01_layer_math'?" in out


def test_no_course_folder(tmp_path, capsys):
    code, out = run(capsys, "--course-dir", str(tmp_path), "validate")
    assert code == 2 and "no course_config.py" in out and "hint:" in out


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"cells": [', "is not valid JSON (line 1"),
        ("{}", "notebook"),
        ("", "is empty"),
    ],
)
def test_broken_source_notebook(course_copy, capsys, content, message):
    course_copy.source_notebooks("01_layer_math")[0].write_text(content)
    code, out = run(capsys, "--course-dir", str(course_copy.root), "validate", "01_layer_math")
    assert code == 2 and message in out and "assignments/01_layer_math/layer_math.ipynb" in out


def test_assignment_without_notebook(course_copy, capsys):
    course_copy.source_notebooks("01_layer_math")[0].unlink()
    code, out = run(capsys, "--course-dir", str(course_copy.root), "release")
    assert code == 2 and "has no notebook" in out


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('c.Course.title = "', 'c.Course.title = = "', "course_config.py, line"),
        ("c.Course.assignments = {", "c.Course.assigments = {", "unknown option c.Course.assigments"),
        ('"deadline": "2027-01-15T23:59:00+00:00"', '"deadline": "next friday"', "not an ISO 8601 date"),
        ('"test_softmax": 2,', '"test_softmax": -2,', "must be a positive number"),
    ],
)
def test_broken_config(course_copy, capsys, old, new, message):
    _edit(course_copy.root / "course_config.py", old, new)
    code, out = run(capsys, "--course-dir", str(course_copy.root), "release")
    assert code == 2 and message in out


def test_misspelt_option_gets_a_suggestion(course_copy, capsys):
    _edit(course_copy.root / "course_config.py", "c.Course.assignments = {", "c.Course.assigments = {")
    _, out = run(capsys, "--course-dir", str(course_copy.root), "release")
    assert "did you mean 'assignments'?" in out


def test_release_through_the_installed_command(course_copy):
    command = Path(sys.executable).parent / "course"
    done = subprocess.run([str(command), "release"], cwd=course_copy.root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "wrote release/01_layer_math/layer_math.ipynb" in done.stdout


def test_plain_nbgrader_sees_the_same_settings(course_copy):
    """nbgrader_config.py defers to course_config.py: nbgrader itself finds the source folder."""
    command = Path(sys.executable).parent / "nbgrader"
    done = subprocess.run(
        [str(command), "generate_assignment", "01_layer_math", "--force"],
        cwd=course_copy.root, capture_output=True, text=True,
        env={"PATH": f"{command.parent}:/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (course_copy.root / "release/01_layer_math/layer_math.ipynb").exists()
