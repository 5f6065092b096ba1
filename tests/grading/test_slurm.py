"""The Slurm backend against a real single-node Slurm (slurmctld, slurmd, slurmdbd with MariaDB,
munge) with two fake GPUs, started here by scripts/slurm-single-node.sh and stopped after.

MaxArraySize is 4 on this cluster, so any cohort above four is split into several arrays.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from autograder.course.errors import CourseError
from autograder.demo.cohort import FULL, Hostile, synthesize
from autograder.grading import results
from autograder.grading.backends.slurm import JOBS, Run, in_flight
from autograder.grading.backends.slurm_check import FAIL, PASS, slurm_check
from autograder.records.gradebook import open_gradebook
from autograder.reports.status import status
from autograder.verbs.grade import grade
from tests.conftest import REPO, free_ports, make_course_copy

# One worker runs them all (pytest --dist loadgroup), so one cluster serves the module.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slurm")]
AID = "01_layer_math"
DAEMONS = ["munged", "slurmctld", "slurmd", "slurmdbd", "sbatch", "mariadbd"]
SETTINGS = """
c.Slurm.cpus_per_task = 1
c.Slurm.mem_gb = 2.5
c.Slurm.poll_seconds = 1
c.Slurm.accounting_grace_seconds = 30
c.Grading.memory_mb = 2000
c.Grading.notebook_timeout = 240
"""
SLEEP = "import time\ntime.sleep(10**6)"


@pytest.fixture(scope="module")
def cluster():
    if os.geteuid() != 0:
        pytest.skip("a real Slurm needs root to start its daemons and cgroups (run scripts/test.sh as root, as CI does)")
    missing = [name for name in DAEMONS if not shutil.which(name, path=os.environ["PATH"] + ":/usr/sbin:/sbin")]
    if missing:
        pytest.skip(f"Slurm is not installed here ({', '.join(missing)} missing): scripts/test.sh installs it as root")
    state = Path(tempfile.mkdtemp(prefix="course-slurm-"))
    env = {**os.environ, "COURSE_SLURM_DIR": str(state), "COURSE_SLURM_MAX_ARRAY_SIZE": "4",
           "COURSE_SLURM_PORT_BASE": str(free_ports(4, start=21000)), "PATH": os.environ["PATH"] + ":/usr/sbin:/sbin"}
    script = str(REPO / "scripts" / "slurm-single-node.sh")
    started = subprocess.run([script, "start"], env=env, capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"the single-node Slurm did not start:\n{started.stderr[-3000:]}")
    os.environ["SLURM_CONF"] = str(state / "etc" / "slurm.conf")
    yield state
    subprocess.run([script, "stop"], env=env, capture_output=True)
    os.environ.pop("SLURM_CONF", None)
    shutil.rmtree(state, ignore_errors=True)


def _course(folder: Path, extra: str = ""):
    return make_course_copy(folder, extra_config=SETTINGS + extra)


def _runs(course) -> list[Run]:
    return [Run.load(folder) for folder in sorted(course.slurm_runs_dir(AID).iterdir())]


def test_cohort_spreads_over_both_gpus_one_task_each_and_scores_match_local(cluster, tmp_path):
    on_slurm, here = _course(tmp_path / "slurm"), _course(tmp_path / "local")
    kinds = synthesize(on_slurm, AID, hostile=[], mistakes=3)
    synthesize(here, AID, hostile=[], mistakes=3)
    # the solution and the stub, whatever the mistakes' names: a cohort of at least three grades
    students = sorted(s for s, kind in kinds.items() if kind in ("solution", "stub")) + \
        sorted(s for s, kind in kinds.items() if kind == "mistake")[:2] + \
        sorted(s for s, kind in kinds.items() if kind == "alternative")[:2]
    states = []
    graded = grade(course=on_slurm, assignment_id=AID, students=students, backend="slurm",
                   backend_options={"on_state": states.append})
    local = grade(course=here, assignment_id=AID, students=students, workers=2)

    scores = {r.student_id: (r.status, r.score) for r in graded.records}
    assert scores == {r.student_id: (r.status, r.score) for r in local.records}
    assert len(set(scores.values())) >= 3  # a cohort of different grades, not six copies of one
    (run,) = _runs(on_slurm)
    assert [job["count"] for job in run.jobs] == [4, 2]  # split at MaxArraySize
    assert any(c.get("pending") or c.get("running") for c in states)  # progress while tasks ran

    by_gpu: dict[int, list] = {}
    for record in graded.records:
        gpu = int(re.match(r"cuda:(\d+) on .*Slurm job \d+_\d+", record.device)[1])
        start = datetime.fromisoformat(record.started_at).timestamp()
        by_gpu.setdefault(gpu, []).append((start, start + record.seconds))
    assert sorted(by_gpu) == [0, 1]
    for spans in by_gpu.values():  # one task per card at a time
        spans.sort()
        assert all(later[0] >= earlier[1] - 0.01 for earlier, later in zip(spans, spans[1:]))

    with open_gradebook(on_slurm) as gb:  # ingested once, by the grading process
        assert {s: gb.find_submission(AID, s).score for s in students} == {s: sc for s, (_, sc) in scores.items()}
    found = status(course=on_slurm, assignment_id=AID)
    assert set(found.ungraded) == set(kinds) - set(students) and not found.queued
    assert sum(found.statuses.values()) == 6


def test_slurm_check_each_task_gets_one_gpu_and_cannot_open_the_other(cluster, tmp_path):
    if not Path("/sys/fs/cgroup/devices").is_dir():
        pytest.skip("no cgroup v1 devices controller on this machine: Slurm cannot confine a job to its GPU here")
    findings = slurm_check(course=_course(tmp_path))
    assert not [f for f in findings if f.verdict == FAIL], findings
    closed = [f for f in findings if f.check == "other GPUs closed"]
    assert len(closed) == 2 and all(f.verdict == PASS and "not permitted" in f.detail for f in closed)
    cards = sorted(f.detail.split()[0] for f in findings if f.check == "GPU from Slurm")
    assert cards == ["SLURM_JOB_GPUS=0", "SLURM_JOB_GPUS=1"]  # both tasks at once, one card each


def test_time_limit_memory_limit_and_cancel_end_with_their_status(cluster, tmp_path):
    course = _course(tmp_path, "\nc.Grading.notebook_timeout = 900\nc.Grading.memory_mb = 8000\n")
    attacks = [Hostile("hog", "solution", results.OUT_OF_MEMORY, FULL, "x = b'x' * (3 * 2**30)", where="start"),
               Hostile("sleeper", "solution", results.TIMEOUT, FULL, SLEEP, where="start"),
               Hostile("to-cancel", "solution", results.CANCELLED, FULL, SLEEP, where="start")]
    synthesize(course, AID, hostile=attacks, mistakes=0)
    (course.submission_dir("hostile-sleeper", AID) / "timestamp.txt").write_text("2027-01-10 12:00:00.000000 UTC")
    students = ["hostile-hog", "hostile-sleeper", "hostile-to-cancel"]
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(summary=grade(
        course=course, assignment_id=AID, students=students, backend="slurm",
        backend_options={"time_minutes": 1, "mem_gb": 1.5})))
    worker.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        tasks, queue = in_flight(course, AID)
        running = [t for t in tasks if t.unit.student_id == "hostile-to-cancel" and queue[t.key].state == "RUNNING"]
        if running:
            subprocess.run(["scancel", f"{running[0].job_id}_{running[0].index}"], check=True)
            break
        time.sleep(1)
    worker.join(timeout=300)
    assert not worker.is_alive()

    records = {r.student_id: r for r in outcome["summary"].records}
    assert records["hostile-hog"].status == results.OUT_OF_MEMORY
    assert "memory limit (1.5 GB)" in records["hostile-hog"].message
    assert records["hostile-sleeper"].status == results.TIMEOUT
    assert "time limit (1 min)" in records["hostile-sleeper"].message
    # a verdict Slurm gave (no record from the task) comes with grading's copy of the exchange's files,
    # which feedback releases the page with
    assert (course.autograded_dir("hostile-sleeper", AID) / "timestamp.txt").read_text().startswith("2027-01-10")
    assert records["hostile-to-cancel"].status == results.CANCELLED
    assert records["hostile-to-cancel"].attempts == 1  # a cancelled task is not resubmitted behind the TA's back
    assert all(r.score == 0 and r.submission_sha256 for r in records.values())
    assert status(course=course, assignment_id=AID).statuses[results.CANCELLED] == 1


def test_killed_grading_command_resumes_without_grading_anything_twice(cluster, tmp_path):
    course = _course(tmp_path)
    kinds = synthesize(course, AID, hostile=[], mistakes=2)
    students = sorted(kinds)[:5]
    command = [sys.executable, "-m", "autograder.cli", "grade", AID, "--backend", "slurm",
               "--array-parallelism", "1", *[arg for s in students for arg in ("--student", s)]]
    first = subprocess.Popen(command, cwd=course.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while sum(course.record_path(s, AID).exists() for s in students) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    first.send_signal(signal.SIGKILL)  # the TA's laptop lid closes
    first.wait()
    before = {s: results.load(course.record_path(s, AID)) for s in students if course.record_path(s, AID).exists()}
    assert 2 <= len(before) < 5

    again = subprocess.run(command, cwd=course.root, capture_output=True, text=True)
    assert again.returncode == 2 and "still queued or running" in again.stdout  # no second copy of live tasks
    resumed = subprocess.run([*command, "--resume"], cwd=course.root, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stdout[-2000:]

    after = {s: results.load(course.record_path(s, AID)) for s in students}
    assert all(after[s].started_at == record.started_at for s, record in before.items())
    assert all(r is not None and r.status in (results.OK, results.TESTS_FAILED) for r in after.values())
    (run,) = _runs(course)  # the resumed command submitted nothing new
    assert sum(job["count"] for job in run.jobs) == 5 and len(run.jobs) == 2
    assert (run.folder / JOBS).exists()


def test_a_refused_submission_says_why_and_keeps_the_earlier_record(cluster, tmp_path):
    course = _course(tmp_path)
    synthesize(course, AID, hostile=[], mistakes=0)
    grade(course=course, assignment_id=AID, students=["stub"], workers=1)  # a record to keep
    before = course.record_path("stub", AID).read_text()
    with pytest.raises(CourseError) as refused:
        grade(course=course, assignment_id=AID, students=["stub"], backend="slurm",
              backend_options={"partition": "no-such-partition"})
    assert "invalid partition" in refused.value.message.lower() and "sinfo" in refused.value.hint
    assert course.record_path("stub", AID).read_text() == before
    assert not list(course.slurm_runs_dir(AID).iterdir())
