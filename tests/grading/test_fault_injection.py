"""Grading survives being killed outright at any moment: a cohort of nine graded by a `course
grade --resume` that is SIGKILLed ten times (at random moments from start-up to mid-kernel, and
twice inside the gradebook ingest) and started again each time ends exactly
as an uninterrupted run of the same cohort does, with nothing graded twice and nothing left over."""

import random
import shutil
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from autograder.course.coursedir import Course
from autograder.demo.cohort import synthesize
from autograder.grading import results
from autograder.grading.unit import sha256_of
from autograder.intake.submission_files import submitted_notebook
from autograder.records.gradebook import open_gradebook
from autograder.verbs.grade import grade
from tests.conftest import alive, make_course_copy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fault-injection")]
AID = "01_layer_math"
# Eight: six at random moments, two inside the gradebook's write (ten took 107 s of CI's time; the
# random moments of eight still reach start-up, between units and mid-kernel).
KILLS = 8
AT_INGEST = 2  # the last kills wait for the gradebook's write transaction (its journal file)
REVISED = "solution"  # handed in again after a TA adjusted its grades by hand
ADJUSTED_CELL = "test_softmax"


def _cohort(folder: Path, uid_base: int):
    course = make_course_copy(folder, extra_config=f"c.Sandbox.uid_base = {uid_base}\n")
    # Nine units: enough that kills land before, between and inside them (twelve cost CI 30 s more).
    students = sorted(synthesize(course, AID, hostile=[], mistakes=5, alternatives=2))
    assert len(students) == 9
    for n, student in enumerate(students[::4]):  # every fourth one late, by one more day each
        stamp = f"2027-01-{16 + n} 10:00:00.000000 UTC"
        (course.submission_dir(student, AID) / "timestamp.txt").write_text(stamp)
    # A TA overrides one autograded score and gives extra credit in formgrader; then the student
    # hands in again, so the adjusted submission is regraded inside the faulted run.
    grade(course=course, assignment_id=AID, students=[REVISED])
    with open_gradebook(course) as gb:
        cell = gb.find_grade(ADJUSTED_CELL, "layer_math", AID, REVISED)
        cell.manual_score, cell.extra_credit = 1.0, 0.5
        gb.db.commit()
    path = next(course.submission_dir(REVISED, AID).glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Handed in again."))
    nbformat.write(nb, path)
    return course, students


def _gradebook(course) -> dict:
    table = {}
    with open_gradebook(course) as gb:
        for submission in gb.assignment_submissions(AID):
            notebook = submission.notebooks[0]
            table[submission.student.id] = {
                "score": submission.score, "late": notebook.late_submission_penalty,
                "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit) for g in notebook.grades},
            }
    return table


def _records(course, students) -> dict[str, results.Result]:
    found = {s: results.load(course.record_path(s, AID)) for s in students}
    return {s: r for s, r in found.items() if r is not None}


def _phase(descendants, records_now: int, total: int) -> str:
    names = []
    for process in alive(descendants):
        try:
            names.append(" ".join(process.cmdline()[:3]))
        except psutil.Error:  # it ended while we looked
            pass
    if any("ipykernel_launcher" in n for n in names):
        return "mid-kernel"
    if records_now == total:
        return "ingest or exit"
    return "between units" if descendants else "start-up"


def test_killed_eight_times_ends_as_an_uninterrupted_run(tmp_path):
    reference, students = _cohort(tmp_path / "reference", 63300)
    # The same course, gradebook and records, before either is graded further.
    course = Course.load(shutil.copytree(reference.root, tmp_path / "faulted"))
    grade(course=reference, assignment_id=AID, resume=True)
    expected = _gradebook(reference)

    command = [sys.executable, "-m", "autograder.cli", "--course-dir", str(course.root), "grade", AID, "--resume",
               "--workers", "2"]
    rng = random.Random(20261201)
    first_seen: dict[str, str] = {}  # student -> started_at of the first record seen
    journal = Path(str(course.sqlite_gradebook()) + "-journal")
    handed_in = {s: sha256_of(submitted_notebook(course, s, AID)[0]) for s in students}
    phases = []
    for kill in range(KILLS + 1):
        log = (tmp_path / f"run{kill}.log").open("w")
        run = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        descendants = []
        if kill < KILLS:
            at_ingest = kill >= KILLS - AT_INGEST
            deadline = time.monotonic() + (300 if at_ingest else rng.uniform(2.0, 10.0))
            # A killed ingest leaves its journal behind (hot) until the next run opens the gradebook
            # and rolls it back: the kill waits for a journal of this run's own.
            journal_gone, looked = not journal.exists(), 0.0
            while time.monotonic() < deadline and run.poll() is None:
                if at_ingest:
                    if not journal.exists():
                        journal_gone = True
                    elif journal_gone:
                        break
                if time.monotonic() - looked > 0.25:  # /proc is not scanned every poll: it costs CPU
                    try:
                        descendants = psutil.Process(run.pid).children(recursive=True)
                    except psutil.NoSuchProcess:
                        pass
                    looked = time.monotonic()
                time.sleep(0.002 if at_ingest else 0.05)
            run.send_signal(signal.SIGKILL)
            phases.append("ingest" if at_ingest and journal.exists() and journal_gone
                          else _phase(descendants, len(_records(course, students)), len(students)))
        run.wait(timeout=600)
        wait_until = time.monotonic() + 20
        while alive(descendants) and time.monotonic() < wait_until:
            time.sleep(0.2)
        assert not alive(descendants), f"kill {kill}: processes of the killed run are left"
        for student, record in _records(course, students).items():
            if record.submission_sha256 != handed_in[student]:
                continue  # the revised submission's record from before it was handed in again
            # Once written, a record is kept by every later --resume: nothing is graded twice.
            assert first_seen.setdefault(student, record.started_at) == record.started_at, student
    assert run.returncode == 0, (tmp_path / f"run{KILLS}.log").read_text()[-2000:]

    records = _records(course, students)
    assert sorted(records) == students
    assert all(r.status not in results.UNFINISHED for r in records.values())
    assert _gradebook(course) == expected
    assert expected[REVISED]["grades"][ADJUSTED_CELL][1:] == (1.0, 0.5)
    assert any(v["late"] for v in expected.values())
    leftovers = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and 63300 <= p.info["uids"].real < 63364]
    assert not leftovers
    makers = [int(m) for m in re.findall(r"course-run-(\d+)-", " ".join(p.name for p in Path(tempfile.gettempdir()).iterdir()))]
    assert not [pid for pid in makers if not psutil.pid_exists(pid)], "a killed run's scratch was not swept"
    print("kills at:", ", ".join(phases))
