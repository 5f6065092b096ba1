"""One final score everywhere: after staff edit the deadline or the penalty rule in course_config.py,
or grade by hand in formgrader, `course report`, `course status`, feedback pages and nbgrader's own
export (what formgrader and the LMS export read) show the same late penalty and score, without
grading again. Records are written here as grading writes them, so no kernel runs."""

import csv
import hashlib
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from nbgrader.plugins.export import CsvExportPlugin

from autograder.authoring.release import release
from autograder.course import notebooks
from autograder.course.coursedir import Course
from autograder.course.errors import CourseError
from autograder.course.notebooks import maximum
from autograder.grading import results
from autograder.records.gradebook import ingest, open_gradebook
from autograder.records.late import assess, deadline
from autograder.reports.feedback import feedback
from autograder.reports.report import report
from autograder.reports.status import status
from tests.conftest import REPO, course_main, make_course_copy

AID = "01_layer_math"
AFTER_DEADLINES = datetime(2027, 3, 1, tzinfo=timezone.utc)
# 01 is worth 30 points, due 2027-01-15T23:59 UTC, 10 % off per started day late
ARRIVED = {"was-late": "2027-01-17 12:00:00.000000 UTC",  # two started days late: 6 points
           "was-on-time": "2027-01-10 12:00:00.000000 UTC",
           "never-ingested": "2027-01-10 12:00:00.000000 UTC"}  # grading stopped before the gradebook
# The edit: a deadline five days earlier, and 5 % a day
MOVED = '\nc.Course.assignments["01_layer_math"]["deadline"] = "{}"\nc.Grading.late_penalty_per_day = 0.05\n'


def _graded(course, student: str) -> results.Result:
    """The record grading writes for a full-marks submission that arrived at ARRIVED[student]."""
    folder = course.submission_dir(student, AID)
    folder.mkdir(parents=True)
    notebook = folder / "layer_math.ipynb"
    shutil.copy(course.release_dir(AID) / "layer_math.ipynb", notebook)
    (folder / "timestamp.txt").write_text(ARRIVED[student])
    tests = [results.TestResult(grade_id, points, points, "passed") for grade_id, points in course.points(AID).items()]
    arrived = datetime.strptime(ARRIVED[student], "%Y-%m-%d %H:%M:%S.%f UTC").replace(tzinfo=timezone.utc)
    record = results.Result(AID, student, results.OK, "", 30.0, 30.0, tests, notebook="layer_math.ipynb",
                            submission_sha256=hashlib.sha256(notebook.read_bytes()).hexdigest(),
                            submitted_at=arrived.isoformat())
    results.save(record, course.record_path(student, AID))
    return record


def _report_rows(course) -> dict[str, tuple[str, str]]:
    report(course=course, assignment_id=AID)
    with open(course.reports_dir(AID) / "grades.csv") as grades:
        return {r["student_id"]: (r["score"], r["late_penalty"]) for r in csv.DictReader(grades)}


def _nbgrader_export(course, tmp_path) -> dict[str, tuple[float, float, str]]:
    out = tmp_path / "export.csv"
    with open_gradebook(course) as gb:
        CsvExportPlugin(to=str(out), assignment=[AID]).export(gb)
    return {r["student_id"]: (float(r["score"]), float(r["late_submission_penalty"]), r["duedate"])
            for r in csv.DictReader(open(out))}


def test_an_edited_deadline_penalty_rule_and_hand_grades_reach_every_output_at_once(tmp_path):
    course = make_course_copy(tmp_path)
    release(course=course, assignment_ids=[AID])
    records = [_graded(course, student) for student in ARRIVED]
    ingest(course, records[:2])
    assert _report_rows(course) == {"was-late": ("24", "6"), "was-on-time": ("30", "0"), "never-ingested": ("30", "0")}

    with open(course.root / "course_config.py", "a") as config:
        config.write(MOVED.format("2027-01-10T00:00:00+01:00"))
    course = Course.load(course.root)
    with open_gradebook(course) as gb:  # in formgrader: an override of an autograded cell, and extra credit
        grades = {g.name: g for g in gb.find_submission(AID, "was-on-time").notebooks[0].grades}
        grades["test_softmax"].manual_score = 1.0
        grades["test_mlp_backward"].extra_credit = 0.5
        gb.db.commit()

    # The new deadline is 2027-01-09T23:00 UTC. was-late: 7 days 13 hours after it, 8 started days x 5 %
    # of 30 points; the others: 13 hours, 1.5 points
    expected = {"was-late": ("18", "12"), "was-on-time": ("28", "1.5"), "never-ingested": ("28.5", "1.5")}
    found = status(course=course, assignment_id=AID)
    assert found.statuses == {results.OK: 3} and not found.ungraded  # the records answer for their submissions
    assert found.late == {"was-late": 8, "was-on-time": 1, "never-ingested": 1}
    for page in feedback(course=course, assignment_id=AID, now=AFTER_DEADLINES):
        student = page.parent.parent.name
        assert f"late: {expected[student][1]} points deducted" in page.read_text()
        assert f"Score: {expected[student][0]} / 30" in page.read_text()  # the TA's grades too
    assert _report_rows(course) == expected
    exported = _nbgrader_export(course, tmp_path)
    assert {s: (f"{score:g}", f"{penalty:g}") for s, (score, penalty, _) in exported.items()} == expected
    assert {due for _, _, due in exported.values()} == {"2027-01-09 23:00:00"}

    code, printed = course_main(course, "status", AID)
    assert code == 0 and "was-late (8 d)" in printed and "was-on-time (1 d)" in printed


def test_without_a_gradebook_report_and_status_say_how_to_make_one(tmp_path):
    course = make_course_copy(tmp_path)
    _graded(course, "was-late")
    for verb in ("report", "status"):
        code, printed = course_main(course, verb, AID)
        assert code != 0 and "the gradebook has no grades of 01_layer_math" in printed, printed
        assert "Traceback" not in printed and f"course grade {AID} --resume" in printed
    assert not course.sqlite_gradebook().exists()  # looking never makes an empty gradebook


def test_a_deadline_without_a_time_zone_is_refused_when_the_config_loads(tmp_path):
    with pytest.raises(CourseError, match=r"\['deadline'\] names no time zone: '2027-01-10T00:00:00' \(add \+00:00"):
        make_course_copy(tmp_path, MOVED.format("2027-01-10T00:00:00"))


def test_the_maximum_is_the_source_notebooks_and_the_penalty_a_share_of_all_of_it():
    """02 is worth 20 points: 17 autograded, 3 for the discussion a TA grades (its config agrees,
    `course release` sees to that). A day's penalty is 10 % of the 20, and an extension moves the
    student's own deadline, which feedback reads to decide what a page shows."""
    course = Course.load(REPO)
    aid = "02_training_loop"
    worth = maximum(notebooks.read(course.source_notebooks(aid)[0]))
    assert (worth.tests, worth.by_hand, worth.total) == (17, 3, sum(course.points(aid).values()))
    due = deadline(course, aid)
    final = assess(course, aid, submitted_at=due + timedelta(days=1, hours=1), extension=None, points=15, worth=worth)
    assert (final.max_score, final.by_hand, final.days_late, final.penalty, final.score) == (20, 3, 2, 4, 11)
    extended = assess(course, aid, submitted_at=due + timedelta(days=1, hours=1), extension=timedelta(days=2),
                      points=15, worth=worth)
    assert (extended.due, extended.days_late, extended.score) == (due + timedelta(days=2), 0, 15)
