"""Every hostile and broken submission of the cohort, graded in one real batch (bubblewrap jail,
real kernels): each ends with its status and the right score, nothing leaks, nothing outlives it,
and the gradebook holds every grade."""

import re
import shutil
import socket
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import markupsafe
import psutil
import pytest

from autograder.course import notebooks
from autograder.demo.cohort import EDITED, FULL, HOST_PLACES, HOSTILE, PLANTED, ROOT_ONLY_FILE, synthesize
from autograder.grading import results
from autograder.reports.feedback import feedback
from autograder.verbs.grade import grade

# One worker for the whole module: under xdist each worker would build its own batch (the same
# sandbox users), and one worker's leftover check would see the other's kernels still running.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile")]
AID = "01_layer_math"
CANARY = "CANARY-7f3a9c"  # planted in files student code must not read
AFTER_DEADLINE = datetime(2027, 3, 1, tzinfo=timezone.utc)  # feedback pages show every verdict
EXCHANGE = {"timestamp.txt": "2027-01-10 12:00:00.000000 UTC", "submission_secret.txt": "a-secret-of-the-exchange"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from tests.conftest import make_course_copy

    course = make_course_copy(tmp_path_factory.mktemp("hostile"), extra_config="""
# 30 s: a loaded 2-core runner takes seconds to import torch in a cell, and the memory hog's cell
# must touch 2 GB of fresh pages before the memory watch stops it: at 20 s it once timed out first.
c.Execute.timeout = 30
c.Grading.notebook_timeout = 60
# Three times what a run of 01 holds (600-700 MB). Low, because the memory hog must touch every
# page it holds, and on a loaded 2-core VM fresh pages come at 2-10 s a GiB: with 3000 MB the hog
# once ran into the cell timeout (20 s) at 2.7 GB, before the memory watch could stop it. Not
# lower: the fork bomb's processes together hold about 1.55 GB before the process limit stops it.
c.Grading.memory_mb = 2000
c.Grading.max_processes = 256
c.Sandbox.uid_base = 62000  # users of its own, so the leftover check sees only this batch
c.Grading.disk_mb = 64
c.Grading.max_submission_mb = 1  # the oversized notebook is 2 MB
c.Grading.source_chars = 200_000  # the long markdown cell is 600,000 characters
""")
    for secret in (course.solutions_dir(AID) / "canary.txt", course.root / "assignments" / AID / "canary.txt"):
        secret.write_text(CANARY)
    planted = _plant_host_canaries()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    connections = []
    threading.Thread(target=lambda: connections.append(listener.accept()), daemon=True).start()
    kinds = synthesize(course, AID, hostile=HOSTILE, mistakes=0, port=listener.getsockname()[1])
    for name, text in EXCHANGE.items():  # as nbgrader's submit leaves them, for the feedback control
        (course.submission_dir("solution", AID) / name).write_text(text)
    # the solution and the stub are the controls; the alternatives' own tests grade them elsewhere
    students = [s for s, kind in kinds.items() if kind != "alternative"]
    try:
        summary = grade(course=course, assignment_id=AID, students=students)
    finally:
        listener.close()
        for folder in planted:
            shutil.rmtree(folder, ignore_errors=True)
    return course, {r.student_id: r for r in summary.records}, connections


def _plant_host_canaries() -> list[Path]:
    """World-readable files where a grading host keeps what is not the run's (another course's files
    under /srv or /opt, a home, the host's /tmp, services' state): none may be readable inside."""
    planted = []
    for place in HOST_PLACES:
        folder = Path(place) / "dlmed-canary-hostile"
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
        canary = folder / "canary.txt"
        canary.write_text(f"{CANARY} {place}")
        canary.chmod(0o644)
        planted.append(folder)
    return planted


@pytest.mark.parametrize("case", HOSTILE, ids=lambda h: h.name)
def test_status_and_score(batch, case):
    _, records, _ = batch
    record = records[f"hostile-{case.name}".replace("_", "-")]
    assert record.status == case.status, record.message
    assert record.score == (record.max_score if case.score == FULL else 0), [t.message for t in record.tests if not t.passed]
    assert record.message
    assert case.says in record.message


def test_correct_and_blank_controls(batch):
    _, records, _ = batch
    assert records["solution"].status == results.OK and records["solution"].score == records["solution"].max_score
    assert records["stub"].score == 0


def test_nothing_read_nothing_sent(batch):
    course, _, connections = batch
    assert not connections, "a submission reached a server on the grading machine"
    for executed in (course.root / "autograded").glob("*/*/*.ipynb"):
        assert CANARY not in executed.read_text()
    text = next((course.root / "autograded").glob("hostile-read-secrets/*/*.ipynb")).read_text()
    assert "blocked" in text and "READ " not in text
    host = next((course.root / "autograded").glob("hostile-read-host-files/*/*.ipynb")).read_text()
    assert "READ " not in host


def test_disk_budget_ends_the_run_and_leaves_nothing_mounted(batch):
    _, records, _ = batch
    for student in ("hostile-fill-workdir", "hostile-fill-tmp", "hostile-fill-shm"):
        assert "64 MB of disk" in records[student].message, records[student].message
    # a million empty files run out of files, not bytes: the message names the limit they hit
    assert "as many files as it may, 16384" in records["hostile-many-files"].message, records["hostile-many-files"].message
    # Another test may be grading beside this one: a mount counts as left behind when its maker is gone.
    makers = [int(m) for m in re.findall(r"course-run-(\d+)-", Path("/proc/self/mountinfo").read_text())]
    assert not [pid for pid in makers if not psutil.pid_exists(pid)]


def test_no_process_outlives_its_run(batch):
    course, _, _ = batch
    base = course.sandbox.uid_base
    left = [p.info for p in psutil.process_iter(["pid", "uids", "cmdline"])
            if p.info["uids"] and base <= p.info["uids"].real < base + 64]
    assert not left


def test_gradebook_intact_and_complete(batch):
    course, records, _ = batch
    with sqlite3.connect(course.sqlite_gradebook()) as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        students = {row[0] for row in db.execute("select id from student")}
    assert set(records) <= students


def test_output_flood_is_cut(batch):
    course, records, _ = batch
    executed = next((course.root / "autograded").glob("hostile-print-100mb/*/*.ipynb"))
    assert executed.stat().st_size < 5 * 2**20
    assert "Output over the limit was cut" in records["hostile-print-100mb"].message


def test_planted_links_lead_nowhere(batch):
    """Nothing a planted link or pipe points at is graded, kept or copied into feedback; only what the
    grader read from plain files reaches the feedback folder."""
    course, records, _ = batch
    planted = [f"hostile-{case.name}".replace("_", "-") for case in PLANTED if case.plant]
    feedback(course=course, assignment_id=AID, students=[*planted, "solution"])
    shadow = ROOT_ONLY_FILE.read_bytes()
    source = course.source_notebooks(AID)[0].read_text()
    for student in planted:
        assert records[student].score == 0 and not records[student].submission_sha256
        for kept in (course.feedback_file(student, AID).parent, course.autograded_dir(student, AID)):
            assert sorted(p.name for p in kept.iterdir()) in (["layer_math.html"], ["result.json"])
            for path in kept.iterdir():
                assert shadow not in path.read_bytes() and "BEGIN SOLUTION" not in path.read_text()
    assert "BEGIN SOLUTION" in source  # so the search above means something
    given = course.feedback_file("solution", AID).parent
    assert {name: (given / name).read_text() for name in EXCHANGE} == EXCHANGE


def test_graded_copy_keeps_sources_within_the_limit(batch):
    course, _, _ = batch
    executed = next((course.root / "autograded").glob("hostile-long-markdown/*/*.ipynb"))
    assert executed.stat().st_size < 400_000
    assert "characters cut from the graded copy" in executed.read_text()



def test_feedback_shows_the_answers_as_graded(batch):
    """A pasted or relabelled answer is shown once, as the cell that was graded, and the page says
    what was resolved: it reads the graded copy, not the notebook as handed in."""
    course, records, _ = batch
    source = notebooks.read(course.source_notebooks(AID)[0])
    answers = sum(1 for cell in source.cells if notebooks.nbgrader_meta(cell).get("solution"))
    edited = [f"hostile-{case.name}".replace("_", "-") for case in EDITED if case.base == "solution"]
    for student, page in zip(edited, feedback(course=course, assignment_id=AID, students=edited, now=AFTER_DEADLINE)):
        shown = page.read_text()
        assert shown.count("<pre>") == answers, student
        assert str(markupsafe.escape(records[student].message)) in shown
