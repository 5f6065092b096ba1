"""What the Slurm backend asks for, without a cluster: the batch script against a recorded copy
(an admin reviews that file), the request's defaults, and options that belong to Slurm only."""

from pathlib import Path

from autograder.backends.slurm import Request, render_script
from autograder.cli import main

RECORDED = Path(__file__).parent / "data" / "grade.sbatch"


def test_batch_script_matches_the_recorded_copy(course_copy):
    request = Request.for_course(course_copy, partition="gpu", array_parallelism=8,
                                 setup="module load cuda/12.4\nsource /opt/course/env.sh")
    script = render_script(request, course_id="adlm", assignment_id="01_layer_math",
                           run_dir=Path("/courses/adlm/slurm/01_layer_math/20261122T101500Z-abcd"),
                           python="/opt/course/.venv/bin/python")
    assert script == RECORDED.read_text()


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
