"""nbgrader's exchange without a hub: what goes wrong says what to fix in one line, a submission
that is not the assignment's notebook scores 0 without stopping anything, and `course watch`
grades only what is new or changed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from autograder.cli import main
from tests.conftest import REPO, make_course_copy

AID = "01_layer_math"


@pytest.fixture
def course(tmp_path):
    return make_course_copy(tmp_path, extra_config=f'\nc.Exchange.root = "{tmp_path}/exchange"\n')


def course_says(course, capsys, *args: str) -> tuple[int, str]:
    code = main(["--course-dir", str(course.root), *args])
    return code, " ".join(capsys.readouterr().out.split())


def submit(course, folder_name: str, files: dict[str, str]) -> None:
    """nbgrader's own `submit`, as root (its student is then "root"), from a folder of its own."""
    home = course.root.parent / "student-home"
    work = home / folder_name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name, text in files.items():
        (work / name).write_text(text)
    (home / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "{course.nbgrader.course_id}"\n'
        f'c.Exchange.root = "{course.root.parent}/exchange"\n')
    subprocess.run([sys.executable, "-m", "nbgrader", "submit", folder_name], cwd=home, check=True,
                   capture_output=True, timeout=120)


def test_a_missing_or_closed_exchange_folder_says_how_to_fix_it(course, capsys):
    code, out = course_says(course, capsys, "release", AID, "--exchange")
    assert code == 2 and "exchange folder" in out and "does not exist" in out and "mkdir -p -m 1777" in out
    exchange = course.root.parent / "exchange"
    exchange.mkdir(mode=0o755)
    exchange.chmod(0o755)
    code, out = course_says(course, capsys, "collect", AID, "--exchange")
    assert code == 2 and "students cannot submit" in out and "chmod 1777" in out
    exchange.chmod(0o1777)
    code, out = course_says(course, capsys, "collect", AID, "--exchange")
    assert code == 2 and "never released into the exchange" in out and f"course release {AID} --exchange" in out
    assert "Traceback" not in out and not course.submissions_root().exists()


@pytest.mark.slow
def test_watch_grades_what_arrives_once_and_a_wrong_notebook_scores_zero(course, capsys):
    (course.root.parent / "exchange").mkdir(mode=0o1777)
    (course.root.parent / "exchange").chmod(0o1777)
    assert course_says(course, capsys, "release", AID, "--exchange")[0] == 0
    submit(course, AID, {"notes.ipynb": json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
                         "answers.txt": "the notebook is somewhere else"})
    code, out = course_says(course, capsys, "watch", AID, "--exchange", "--once")
    assert code == 0 and "graded root" in out and "feedback released for root" in out
    record = json.loads(course.record_path("root", AID).read_text())
    assert (record["score"], record["status"]) == (0, "invalid_notebook") and "notes.ipynb" in record["message"]

    code, out = course_says(course, capsys, "watch", AID, "--exchange", "--once")
    assert code == 0 and "graded" not in out and "feedback" not in out  # nothing new: nothing graded or sent

    shutil.copy(REPO / "release" / AID / "layer_math.ipynb", course.root.parent / "layer_math.ipynb")
    submit(course, AID, {"layer_math.ipynb": (course.root.parent / "layer_math.ipynb").read_text()})
    code, out = course_says(course, capsys, "watch", AID, "--exchange", "--once")
    assert code == 0 and "graded root" in out, out
    record = json.loads(course.record_path("root", AID).read_text())
    assert record["notebook"] == "layer_math.ipynb" and record["status"] == "tests_failed"
