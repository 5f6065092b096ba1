"""A grading command killed outright (SIGKILL: no handler runs) takes its workers and their jailed
kernels with it, so nothing keeps grading, holds a sandbox user, or grades beside a resumed run;
and a graded unit leaves no process behind, not even a zombie."""

import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from autograder.demo.cohort import FULL, Hostile, synthesize
from autograder.grading import scratch
from autograder.grading import results
from autograder.grading.slots import Slot
from autograder.grading.unit import Unit, grade_unit
from tests.conftest import alive, make_course_copy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("killed-grading")]
AID = "01_layer_math"
SLEEPERS = [Hostile(f"sleeper_{n}", "solution", results.TIMEOUT, FULL, "import time\ntime.sleep(600)", where="start")
            for n in "ab"]


def test_workers_and_kernels_die_with_a_killed_grading_command(tmp_path):
    course = make_course_copy(tmp_path, extra_config="c.Execute.timeout = 600\nc.Sandbox.uid_base = 63000\n")
    synthesize(course, AID, hostile=SLEEPERS, mistakes=0)
    log = tmp_path / "grade.log"
    command = subprocess.Popen(
        [sys.executable, "-m", "autograder.cli", "--course-dir", str(course.root), "grade", AID, "--workers", "2",
         "--student", "hostile-sleeper-a", "--student", "hostile-sleeper-b"],
        stdout=log.open("w"), stderr=subprocess.STDOUT)
    descendants: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        kernels = []
        while len(kernels) < 2 and time.monotonic() < deadline:  # until both kernels run their sleeping cell
            assert command.poll() is None, log.read_text()
            time.sleep(0.5)
            try:
                descendants = psutil.Process(command.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                continue
            kernels = [p for p in descendants if _cmdline(p)[1:3] == ["-m", "ipykernel_launcher"]]
        assert len(kernels) == 2, log.read_text()
        time.sleep(2)
        command.send_signal(signal.SIGKILL)
        command.wait()
        deadline = time.monotonic() + 20
        while alive(descendants) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not alive(descendants), [" ".join(_cmdline(p))[:120] for p in alive(descendants)]
        # No handler ran, so the workers' scratch folders (each a tmpfs) are left; the next grading
        # command sweeps them.
        workers = {p.pid for p in descendants}
        left = [f for f in Path(tempfile.gettempdir()).glob("course-run-*")
                if (m := re.match(r"course-run-(\d+)-", f.name)) and int(m[1]) in workers]
        assert left
        scratch.sweep()
        assert not [f for f in left if f.exists()]
        assert not [f for f in left if str(f) in Path("/proc/self/mountinfo").read_text()]
    finally:
        for process in alive(descendants):  # a failed run must not leave sleeping kernels behind
            process.kill()


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def test_a_graded_unit_leaves_no_zombie(tmp_path):
    course = make_course_copy(tmp_path, extra_config="c.Sandbox.uid_base = 63100\n")
    synthesize(course, AID, hostile=[], mistakes=0)
    from autograder.authoring.release import release
    release(course=course, assignment_ids=[AID])
    for student in ("solution", "stub"):
        assert grade_unit(Unit(str(course.root), AID, student), Slot(0)).status in (results.OK, results.TESTS_FAILED)
    zombies = [p for p in psutil.Process().children() if p.status() == psutil.STATUS_ZOMBIE]
    assert not zombies, [" ".join(_cmdline(p)) or p.name() for p in zombies]
