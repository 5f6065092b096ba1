"""Feedback hides the tests, grades reach the LMS CSV with late penalties, and the HTML report
loads in headless Chromium without console errors."""

import csv
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from markupsafe import escape  # what the pages are escaped with

from autograder.demo.cohort import synthesize
from autograder.grading import results
from autograder.records.gradebook import grant_extension
from autograder.reports.feedback import feedback
from autograder.reports.report import report
from autograder.verbs.grade import grade

# One worker for the module, so its graded cohort is built once, not once per xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pages")]
AID = "01_layer_math"
BEFORE_DEADLINE = datetime(2027, 1, 1, tzinfo=timezone.utc)  # 01's deadline is 2027-01-15
AFTER_DEADLINE = datetime(2027, 2, 1, tzinfo=timezone.utc)


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
    for page in feedback(course=graded, assignment_id=AID, now=AFTER_DEADLINE):
        html = page.read_text()
        assert "hidden_check" not in html and "BEGIN HIDDEN" not in html and "Traceback" not in html
        assert "Tests" in html
    mistaken = graded.feedback_file("mistake-autograd-float32", AID).read_text()
    assert "test_autograd_gradients" in mistaken and "failed" in mistaken
    assert "### BEGIN SOLUTION" in source  # the marker exists in the source, so the search above means something


@pytest.mark.parametrize("shown", ["visible", "none"])
def test_before_the_deadline_feedback_shows_nothing_that_probes_the_hidden_tests(graded, shown):
    student = "mistake-autograd-float32"
    record = results.load(graded.record_path(student, AID))
    hidden = [t.message for t in record.tests if not t.passed and not t.visible_error]
    assert hidden, "the mistake must be one only a hidden check catches, or this test means nothing"
    [after] = feedback(course=graded, assignment_id=AID, students=[student], now=AFTER_DEADLINE)
    assert all(escape(message) in after.read_text() for message in hidden)  # so the search below means something
    graded.grading.feedback_before_deadline = shown
    try:
        [page] = feedback(course=graded, assignment_id=AID, students=[student], now=BEFORE_DEADLINE)
    finally:
        graded.grading.feedback_before_deadline = "visible"
    html = page.read_text()
    assert "received and graded" in html and "Score: " not in html
    assert not any(escape(message) in html for message in hidden)
    assert ("test_autograd_gradients" in html) == (shown == "visible")


def test_an_extension_moves_the_deadline_feedback_waits_for(graded):
    student = "alternative-einsum"
    grant_extension(graded, AID, student, timedelta(days=30))
    try:
        [page] = feedback(course=graded, assignment_id=AID, students=[student], now=AFTER_DEADLINE)
        assert "received and graded" in page.read_text()
    finally:
        grant_extension(graded, AID, student, timedelta())


def test_an_extension_lifts_the_late_penalty_in_the_lms_csv(graded):
    grant_extension(graded, AID, "solution", timedelta(days=3))  # it came two started days late
    try:
        report(course=graded, assignment_id=AID)
        rows = {r["student_id"]: r for r in csv.DictReader(open(graded.reports_dir(AID) / "grades.csv"))}
        assert (rows["solution"]["score"], rows["solution"]["late_penalty"]) == ("30", "0")
    finally:
        grant_extension(graded, AID, "solution", timedelta())


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
