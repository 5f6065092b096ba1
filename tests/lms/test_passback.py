"""`course passback` against the test LMS: the scores it holds afterwards are the gradebook's final
scores as `course report` writes them (late penalty and a TA's grades applied), Pending where a TA has
yet to grade or a newer submission waits; a student outside the roster and a member who never submitted
are listed, and the latter gets a zero only when asked and once their deadline (extension included) has
passed, never one whose submission is not graded yet; a dry run sends nothing; the LMS's own column for
the assignment's activity gets the scores, no second one is made, two that could be it are refused
unless --lineitem names one; two pass-backs at once make one line item; a pass-back the LMS stops
halfway ends, run again, with every score there once; the LMS refusing the token or the scores, down,
failing or slow is one error; `course watch --passback` posts each new grade once, and one it could not
post on its next pass. Records are written as grading writes them, so no kernel runs."""

import csv
import hashlib
import shutil
import threading
from datetime import datetime, timedelta, timezone

import pytest

from autograder.authoring.release import release
from autograder.course import lms_launches
from autograder.course.coursedir import Course
from autograder.grading import results
from autograder.lms.passback import LINEITEM_MEDIA_TYPE, LINEITEMS_MEDIA_TYPE, passback
from autograder.lms.service import LINEITEM_SCOPE, Service
from autograder.records.gradebook import ingest, open_gradebook
from tests.conftest import course_main, make_course_copy
from tests.lms.lms_course import dead_url, lms_settings, roster_platform

pytestmark = pytest.mark.xdist_group("lms-passback")  # one LMS and one released course for the module
TRAINING, LAYERS = "02_training_loop", "01_layer_math"  # the LMS has no line item for 02; 01's it made itself
# 01 is worth 30, due 2027-01-15T23:59 UTC; 02 20 (17 autograded, a 3-point discussion a TA grades), due
# 2027-01-29T23:59 UTC; 10 % off a started day late
ON_TIME, LATE = datetime(2027, 1, 10, tzinfo=timezone.utc), datetime(2027, 1, 31, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def platform(tmp_path_factory, lms_tool_key):
    with roster_platform(tmp_path_factory.mktemp("lms"), lms_tool_key[1]) as started:
        yield started


@pytest.fixture(scope="module")
def released(tmp_path_factory, platform, lms_tool_key) -> Course:
    """Both assignments released (their gradebook entries made) once: nbgrader takes seconds."""
    course = make_course_copy(tmp_path_factory.mktemp("released"), lms_settings(platform, lms_tool_key[0]))
    release(course=course, assignment_ids=[LAYERS, TRAINING])
    return course


@pytest.fixture
def course(released, tmp_path) -> Course:
    shutil.copytree(released.root, tmp_path / "course")
    return Course.load(tmp_path / "course")


def _submitted(course, aid: str, student: str, arrived: datetime):
    """A submission as collecting leaves it in submitted/: the released notebook and its timestamp."""
    notebook = course.submission_dir(student, aid) / course.source_notebooks(aid)[0].name
    notebook.parent.mkdir(parents=True)
    shutil.copy(course.release_dir(aid) / notebook.name, notebook)
    (notebook.parent / "timestamp.txt").write_text(arrived.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    return notebook


def _graded(course, aid: str, student: str, arrived: datetime) -> results.Result:
    """The record grading writes for a submission whose every autograded test passed."""
    notebook = _submitted(course, aid, student, arrived)
    by_hand = {"discussion"}
    tests = [results.TestResult(grade_id, points, points, "passed")
             for grade_id, points in course.points(aid).items() if grade_id not in by_hand]
    total = sum(t.points for t in tests)
    record = results.Result(aid, student, results.OK, "", total, total, tests, notebook=notebook.name,
                            submission_sha256=hashlib.sha256(notebook.read_bytes()).hexdigest(),
                            submitted_at=arrived.isoformat())
    results.save(record, course.record_path(student, aid))
    return record


def _ta_grades_the_discussion(course, student: str, points: float) -> None:
    """What formgrader does when a TA grades a cell."""
    with open_gradebook(course) as gb:
        (grade,) = [g for g in gb.find_submission(TRAINING, student).notebooks[0].grades if g.name == "discussion"]
        grade.manual_score, grade.needs_manual_grade = points, False
        gb.db.commit()


def _passback(course, *args) -> tuple[int, str]:
    code, printed = course_main(course, "passback", *args)
    return code, " ".join(printed.split())


def _report(course, aid: str) -> dict[str, float]:
    course_main(course, "report", aid)
    with open(course.reports_dir(aid) / "grades.csv") as grades:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(grades)}


def test_the_lms_gets_the_final_scores_the_report_has_and_each_student_one_result(course, platform):
    ingest(course, [_graded(course, TRAINING, "learner1", ON_TIME), _graded(course, TRAINING, "learner2", LATE),
                    _graded(course, TRAINING, "learner4", ON_TIME), _graded(course, TRAINING, "ghost", ON_TIME),
                    _graded(course, TRAINING, "former", ON_TIME)])
    _ta_grades_the_discussion(course, "learner1", 2)
    _ta_grades_the_discussion(course, "learner2", 3)

    code, printed = _passback(course, TRAINING, "--dry-run")
    assert code == 0 and "dry run: 3 scores would be sent, nothing was" in printed
    assert f"the LMS has no line item for {TRAINING}: it would be made at {platform.lineitems_url}" in printed
    assert TRAINING not in platform.gradebook()  # no line item made, no score sent

    code, printed = _passback(course, TRAINING)
    assert code == 0 and "posted 3 scores to the LMS" in printed
    assert "not sent ghost: not in the LMS's roster" in printed and "not sent former: inactive in the LMS" in printed
    assert "not submitted yet, may still submit until 2027-01-29 23:59 UTC: learner3 (nothing sent)" in printed
    assert "not mapped No Login (u-1006)" in printed and "not mapped Not Root (u-6002)" in printed
    # learner1 19 of 20; learner2 17 + 3 less 2 days late (4); learner4's discussion waits for a TA
    final = _report(course, TRAINING)
    assert {s: final[s] for s in ("learner1", "learner2", "learner4")} == {"learner1": 19, "learner2": 16,
                                                                             "learner4": 17}
    book = platform.gradebook()[TRAINING]
    assert {user: (r["scoreGiven"], r["scoreMaximum"], r["gradingProgress"], r["activityProgress"], r["posts"])
            for user, r in book.items()} == {"u-1001": (19, 20, "FullyGraded", "Completed", 1),
                                              "u-1002": (16, 20, "FullyGraded", "Completed", 1),
                                              "u-1005": (17, 20, "Pending", "Completed", 1)}

    _ta_grades_the_discussion(course, "learner4", 1)
    # learner2 submitted again since: the grade of the older submission stands, Pending, until the new one's
    (course.submission_dir("learner2", TRAINING) / "timestamp.txt").write_text("2027-01-31 13:00:00.000000 UTC")
    code, printed = _passback(course, TRAINING, "--zero-missing")
    assert code == 0 and "posted 3 scores to the LMS" in printed and "a newer submission is not graded yet" in printed
    assert "may still submit until 2027-01-29 23:59 UTC: learner3" in printed  # no zero before the deadline
    assert f"sent to {platform.lineitems_url}/2 (its resourceId)" in printed  # the same line item, not made again
    book = platform.gradebook()[TRAINING]
    assert {user: (r["scoreGiven"], r["gradingProgress"], r["activityProgress"], r["posts"])
            for user, r in book.items()} == {"u-1001": (19, "FullyGraded", "Completed", 2),
                                              "u-1002": (16, "Pending", "Completed", 2),
                                              "u-1005": (18, "FullyGraded", "Completed", 2)}


def test_zero_missing_zeros_only_members_with_no_submission_whose_deadline_has_passed(course, platform):
    past = (datetime.now(timezone.utc) - timedelta(days=1)).replace(microsecond=0)
    with open(course.root / "course_config.py", "a") as config:
        config.write(f'\nc.Course.assignments["{TRAINING}"]["deadline"] = "{past.isoformat()}"\n')
    course = Course.load(course.root)
    _submitted(course, TRAINING, "learner2", past)  # collected, not graded yet
    _graded(course, TRAINING, "learner4", past)
    course.record_path("learner4", TRAINING).write_text("{not json")  # a record grading will write again
    code, printed = course_main(course, "extend", TRAINING, "learner3", "--days", "3")
    assert code == 0, printed
    before = platform.gradebook().get(TRAINING, {})

    code, printed = _passback(course, TRAINING, "--zero-missing")
    assert code == 0 and "posted 1 scores to the LMS" in printed, printed
    assert "submitted, not graded yet: learner2, learner4 (nothing sent;" in printed
    assert f"may still submit until {past + timedelta(days=3):%Y-%m-%d %H:%M} UTC: learner3 (nothing sent)" in printed
    assert "never submitted: learner1 (sent a zero)" in printed
    after = platform.gradebook()[TRAINING]
    zero = after.pop("u-1001")
    assert (zero["scoreGiven"], zero["gradingProgress"], zero["activityProgress"]) == (0, "FullyGraded", "Initialized")
    assert zero["posts"] == before.get("u-1001", {}).get("posts", 0) + 1
    assert after == {user: result for user, result in before.items() if user != "u-1001"}  # no one else's changed


def test_a_passback_the_lms_stops_halfway_ends_with_every_score_once_when_run_again(course, platform):
    ingest(course, [_graded(course, LAYERS, student, ON_TIME) for student in ("learner1", "learner2", "learner4")])
    platform.set_faults(scores="fail_after:2")
    try:
        code, printed = _passback(course, LAYERS)
    finally:
        platform.set_faults()
    assert code == 2 and printed.startswith("error: the LMS answered 503") and "(2 of 3 scores were posted)" in printed
    assert f"`course passback {LAYERS}` again posts every score once more; the LMS keeps one each" in printed
    assert len(platform.gradebook()[LAYERS]) == 2

    code, printed = _passback(course, LAYERS)
    assert code == 0 and "posted 3 scores" in printed and "the LMS has no line item" not in printed
    # The column the LMS made for the graded activity (no resourceId: its label is the assignment's title)
    assert (f"sent to {platform.lineitems_url}/1 (the LMS's own column, labelled 'Layer math and manual "
            "backpropagation')") in printed
    assert [column for column in platform.gradebook() if column.startswith(LAYERS)] == [LAYERS]  # no second one
    assert {user: (r["scoreGiven"], r["scoreMaximum"]) for user, r in platform.gradebook()[LAYERS].items()} == {
        "u-1001": (30, 30), "u-1002": (30, 30), "u-1005": (30, 30)}


@pytest.mark.parametrize("fault, changed, said", [
    ({"token": "refuse"}, {}, "error: the LMS refused the tool's token request (401 invalid_client) at {token_url} "
                              "hint: check c.LMS.client_id and c.LMS.key_id, and that the LMS has the tool's public "
                              "keyset (`course lms jwks` prints it)"),
    ({}, {"token_url": "DEAD"}, "error: cannot reach the LMS to get a token at {dead}: [Errno 111] Connection refused"),
    ({"scores": "slow"}, {}, "error: the LMS did not answer within 1 s when the tool tried to post learner1's score "
                             "at {lineitems_url}/1/scores (0 of 1 scores were posted) hint: check that the LMS is up, "
                             "or raise c.LMS.timeout; then `course passback 01_layer_math` again"),
    ({"scores": "refuse"}, {}, "error: the LMS answered 403 the tool may not use the scores service here (fault "
                               "injection) when the tool tried to post learner1's score at {lineitems_url}/1/scores (0 "
                               "of 1 scores were posted) hint: check that the tool's registration in the LMS grants"),
    ({"scores": "error"}, {}, "error: the LMS answered 500 the scores service failed (fault injection) when the tool "
                              "tried to post learner1's score at {lineitems_url}/1/scores (0 of 1 scores were posted) "
                              "hint: the LMS failed: check its log, then run the command again (nothing was lost); "
                              "then `course passback 01_layer_math` again"),
])
def test_an_lms_that_refuses_is_down_or_slow_is_one_error(course, platform, lms_tool_key, fault, changed, said):
    dead = dead_url()
    with open(course.root / "course_config.py", "a") as config:
        config.write(lms_settings(platform, lms_tool_key[0],
                                  **{key: dead if value == "DEAD" else value for key, value in changed.items()}))
    course = Course.load(course.root)
    ingest(course, [_graded(course, LAYERS, "learner1", ON_TIME)])
    platform.set_faults(**fault)
    try:
        code, printed = _passback(course, LAYERS)
    finally:
        platform.set_faults()
    assert code == 2 and printed.count("hint: ") == 1 and "Traceback" not in printed, printed
    assert said.format(dead=dead, token_url=platform.token_url, lineitems_url=platform.lineitems_url) in printed


def test_watch_passes_back_each_new_grade_once_and_one_the_lms_missed_on_its_next_pass(course, platform,
                                                                                        lms_tool_key):
    _graded(course, LAYERS, "learner2", ON_TIME)  # graded, not yet released: a watch's next pass releases it
    before = platform.gradebook()[LAYERS].get("u-1002", {}).get("posts", 0)
    with open(course.root / "course_config.py", "a") as config:
        config.write(lms_settings(platform, lms_tool_key[0], token_url=dead_url()))
    code, printed = course_main(Course.load(course.root), "watch", LAYERS, "--once", "--passback")
    assert code == 2 and "cannot reach the LMS to get a token" in printed

    with open(course.root / "course_config.py", "a") as config:
        config.write(lms_settings(platform, lms_tool_key[0]))
    passes = [course_main(Course.load(course.root), "watch", LAYERS, "--once", "--passback") for _ in range(2)]
    assert [code for code, _ in passes] == [0, 0], passes
    assert "passed back to the LMS: learner2" in passes[0][1] and "passed back" not in passes[1][1]  # nothing new
    assert platform.gradebook()[LAYERS]["u-1002"]["posts"] == before + 1


def _lineitems(course, platform) -> tuple[Service, list[dict]]:
    service = Service(course, [LINEITEM_SCOPE])
    return service, list(service.pages(platform.lineitems_url, "list", accept=LINEITEMS_MEDIA_TYPE))


def test_two_passbacks_at_once_make_one_line_item(course, platform):
    service, items = _lineitems(course, platform)
    for item in items:  # the assignment's line item is to be made by the pass-backs below
        if item.get("resourceId") == TRAINING:
            service.request("DELETE", item["id"], "delete", accept="application/json")
    ingest(course, [_graded(course, TRAINING, "learner1", ON_TIME)])
    planned, go, waited, done = threading.Event(), threading.Event(), threading.Event(), {}

    def first(plan):  # the first has found no line item, and is about to make it
        planned.set()
        go.wait(30)

    def run(name, **callbacks):
        try:
            done[name] = passback(course=course, assignment_id=TRAINING, **callbacks)
        except Exception as exc:  # the assertions below say which one failed
            done[name] = exc

    threads = [threading.Thread(target=run, args=("first",), kwargs={"on_plan": first})]
    threads[0].start()
    assert planned.wait(30)
    threads.append(threading.Thread(target=run, args=("second",), kwargs={"on_wait": waited.set}))
    threads[1].start()
    assert waited.wait(30)  # the second waits for the first
    go.set()
    for thread in threads:
        thread.join(30)
    assert (done["first"].found_by, done["second"].found_by) == ("", "its resourceId"), done
    made = [item for item in _lineitems(course, platform)[1] if item.get("resourceId") == TRAINING]
    assert [item["id"] for item in made] == [done["first"].lineitem] == [done["second"].lineitem]


def test_the_lms_column_is_found_by_the_launch_of_its_link_and_one_of_two_is_chosen_with_lineitem(course, platform):
    ingest(course, [_graded(course, LAYERS, "learner1", ON_TIME)])
    title, own = course.assignment(LAYERS)["title"], f"{platform.lineitems_url}/1"
    service, _ = _lineitems(course, platform)
    change = {"accept": LINEITEM_MEDIA_TYPE, "content_type": LINEITEM_MEDIA_TYPE}
    # The teacher renamed the LMS's column: only the launch of its link still ties it to the assignment.
    service.request("PUT", own, "rename", body={"label": "Week 1", "scoreMaximum": 30, "resourceLinkId": LAYERS},
                    **change)
    try:
        code, printed = _passback(course, LAYERS, "--dry-run")
        assert code == 0 and f"the LMS has no line item for {LAYERS}: it would be made" in printed
        lms_launches.record(course.root, {
            "iss": platform.issuer, "sub": "u-9001", lms_launches.CONTEXT_CLAIM: {"id": "adlm"},
            lms_launches.RESOURCE_LINK_CLAIM: {"id": LAYERS, "title": title},
            lms_launches.AGS_CLAIM: {"lineitems": platform.lineitems_url, "lineitem": own}}, "teacher", staff=True,
            context_id="adlm")
        code, printed = _passback(course, LAYERS, "--dry-run")
        assert code == 0 and f"would be sent to {own} (the LMS's own column, labelled {title!r})" in printed

        other = service.request("POST", platform.lineitems_url, "add a column",
                                body={"label": title, "scoreMaximum": 30, "resourceLinkId": LAYERS}, **change)["id"]
        code, printed = _passback(course, LAYERS)
        assert code == 2 and (f"error: 2 line items at {platform.lineitems_url} could be {LAYERS}'s (of a resource "
                              f"link named like the assignment): {own} ({title!r}); {other} ({title!r})") in printed
        assert f"hint: pass the one that is to hold its grades: `course passback {LAYERS} --lineitem URL`" in printed

        before = platform.gradebook()[LAYERS].get("u-1001", {}).get("posts", 0)
        code, printed = _passback(course, LAYERS, "--lineitem", other)
        assert code == 0 and f"sent to {other} (given with --lineitem, labelled {title!r})" in printed
        chosen = platform.gradebook()[f"{LAYERS}#{other.rsplit('/', 1)[1]}"]
        assert list(chosen) == ["u-1001"] and chosen["u-1001"]["scoreGiven"] == 30
        assert platform.gradebook()[LAYERS].get("u-1001", {}).get("posts", 0) == before  # the other untouched
        service.request("DELETE", other, "delete", accept="application/json")
    finally:
        service.request("PUT", own, "rename back", body={"label": title, "scoreMaximum": 30, "resourceLinkId": LAYERS},
                        **change)
