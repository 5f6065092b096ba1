"""The Slurm backend without a cluster: the batch script against a recorded copy (an admin reviews
that file), the request's defaults, options that belong to Slurm only, and how each way a task can
end without a record becomes a status (node failures and preemption cannot be staged here)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.demo.cohort import synthesize
from autograder.grading import results
from autograder.grading.backends.slurm import Request, Run, SlurmBackend, Task, render_script
from autograder.grading.backends.slurm_commands import TaskState
from autograder.grading.unit import Unit

RECORDED = Path(__file__).parent / "recorded" / "grade.sbatch"
AID = "01_layer_math"


def test_batch_script_matches_the_recorded_copy(course_copy):
    request = Request.for_course(course_copy, partition="gpu", array_parallelism=8,
                                 setup="module load cuda/12.4\nsource /opt/course/env.sh")
    script = render_script(request, course_id="adlm", assignment_id="01_layer_math",
                           run_dir=Path("/courses/adlm/slurm/01_layer_math/20261122T101500Z-abcd"),
                           python="/opt/course/.venv/bin/python")
    assert script == RECORDED.read_text()


def test_batch_scripts_written_before_the_package_layout_still_run(course_copy, tmp_path):
    # Tasks of a run submitted by an earlier version may still be queued when the grader is upgraded.
    module = re.search(r" -m (\S+) ", (RECORDED.parent / "grade-before-layout.sbatch").read_text()).group(1)
    course_copy.submission_dir("ghost", AID).mkdir(parents=True)  # submitted nothing: graded without a kernel
    units = tmp_path / "units.json"
    units.write_text(json.dumps([Unit(str(course_copy.root), AID, "ghost").to_dict()]))
    done = subprocess.run([sys.executable, "-m", module, str(units), "0"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert results.load(course_copy.record_path("ghost", AID)).status == results.INVALID


def test_request_defaults_leave_room_beyond_the_graders_own_limits(course_copy):
    request = Request.for_course(course_copy)
    assert request.time_minutes * 60 > course_copy.grading.notebook_timeout
    assert request.mem_gb * 1024 > course_copy.grading.memory_mb
    assert "--gres=gpu:1" in request.options() and not request.shorter_than_grader
    short = Request.for_course(course_copy, time_minutes=1, gres="none")
    assert short.shorter_than_grader and "Slurm's comes first" in short.describe()
    assert not any(option.startswith("--gres") for option in short.options())


def test_slurm_options_without_the_slurm_backend_are_refused(course_copy, capsys):
    assert main(["--course-dir", str(course_copy.root), "grade", "01_layer_math", "--partition", "gpu"]) == 2
    assert "--partition is for --backend slurm" in capsys.readouterr().err


@pytest.mark.parametrize("state, status, words", [
    ("TIMEOUT", results.TIMEOUT, "time limit (35 min)"),
    ("OUT_OF_MEMORY", results.OUT_OF_MEMORY, "memory limit (8 GB)"),
    ("CANCELLED", results.CANCELLED, "cancelled (by 1000"),
    ("NODE_FAIL", results.INFRA, "node running the Slurm task failed"),
    ("PREEMPTED", results.INFRA, "preempted"),
    ("FAILED", results.INFRA, "ended (FAILED"),
    (None, results.INFRA, "no accounting record"),
])
def test_a_task_that_left_no_record_gets_slurms_reason_and_its_log(course_copy, tmp_path, state, status, words):
    synthesize(course_copy, AID, hostile=[], mistakes=0)
    unit = Unit(str(course_copy.root), AID, "solution")
    run = Run(tmp_path, [unit], [{"job_id": "12", "offset": 0, "count": 1}])
    (tmp_path / "logs").mkdir()
    run.log("12", 0).write_text("slurmstepd: error: *** JOB 12 ON node3 CANCELLED ***\n")
    ended = TaskState("12", 0, state, "by 1000 exit 0:15") if state else None
    record = SlurmBackend(course_copy)._without_record(Task(run, "12", 0, unit), ended)
    assert record.status == status and words in record.message
    assert "logs/12_0.log" in record.message and "JOB 12 ON node3" in record.message
    assert record.submission_sha256  # --resume keeps a verdict on an unchanged file
