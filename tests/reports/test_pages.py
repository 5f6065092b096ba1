"""Feedback hides the tests, grades reach the LMS CSV with late penalties, and the HTML report
loads in headless Chromium without console errors."""

import csv
import shutil
import subprocess

import pytest

from autograder.demo.cohort import synthesize
from autograder.grading.grade import grade
from autograder.reports.feedback import feedback
from autograder.reports.report import report

# One worker for the module, so its graded cohort is built once, not once per xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pages")]
AID = "01_layer_math"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from tests.conftest import make_course_copy

    course = make_course_copy(tmp_path_factory.mktemp("pages"))
    synthesize(course, AID, hostile=[], mistakes=3)
    (course.submission_dir("solution", AID) / "timestamp.txt").write_text("2027-01-17 12:00:00.000000 UTC")
    grade(course=course, assignment_id=AID)
    return course


def test_feedback_shows_verdicts_not_tests(graded):
    source = (graded.source_dir(AID) / "layer_math.ipynb").read_text()
    for page in feedback(course=graded, assignment_id=AID):
        html = page.read_text()
        assert "hidden_check" not in html and "BEGIN HIDDEN" not in html and "Traceback" not in html
        assert "Tests" in html
    mistaken = graded.feedback_file("mistake-autograd-float32", AID).read_text()
    assert "test_autograd_gradients" in mistaken and "failed" in mistaken
    assert "### BEGIN SOLUTION" in source  # the marker exists in the source, so the search above means something


def test_grades_csv_with_late_penalty(graded):
    report(course=graded, assignment_id=AID)
    rows = {r["student_id"]: r for r in csv.DictReader(open(graded.reports_dir(AID) / "grades.csv"))}
    late = rows["solution"]  # two started days late: 2 x 10 % of 30 points
    assert (late["score"], late["late_penalty"], late["status"]) == ("24", "6", "ok")
    assert rows["stub"]["score"] == "0" and rows["alternative-einsum"]["score"] == "30"


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs chromium (scripts/test.sh installs it)")
def test_report_renders_in_chromium(graded, tmp_path):
    report(course=graded, assignment_id=AID)
    page = graded.reports_dir(AID) / "report.html"
    shot = tmp_path / "report.png"
    run = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--allow-file-access-from-files", f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert shot.stat().st_size > 10_000
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Failed to load resource" in line]
    assert not console, console
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert "histogram.png" in dom and "solution" in dom
