"""Per-task overhead of the Slurm backend against the local backend on the same cohort (a figure
for the notes, not a test). Needs a running Slurm: `scripts/slurm-single-node.sh start` and the
SLURM_CONF it prints. Both backends get the same parallelism: one task per GPU of the cluster
(`--gpus N`) against N local slots.

Usage: SLURM_CONF=... .venv/bin/python bench/slurm_overhead.py [--students 8] [--gpus 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from throughput import course_with_cohort, timed  # noqa: E402

from autograder.course.coursedir import Course  # noqa: E402
from autograder.grading.backends.slurm import Run  # noqa: E402
from autograder.verbs.grade import grade  # noqa: E402


def _elapsed_seconds(job_ids: list[str]) -> dict[str, float]:
    """Task id -> seconds Slurm counted it running (from accounting)."""
    out = subprocess.run(["sacct", "-n", "-P", "-X", "-j", ",".join(job_ids), "-o", "JobID,ElapsedRaw"],
                         capture_output=True, text=True, check=True).stdout
    return {line.split("|")[0]: float(line.split("|")[1]) for line in out.splitlines() if "_" in line}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--gpus", type=int, default=2)
    parser.add_argument("--assignment", default="01_layer_math")
    args = parser.parse_args()
    aid, n = args.assignment, args.students
    settings = "\nc.Slurm.cpus_per_task = 1\nc.Slurm.mem_gb = 2.5\nc.Slurm.poll_seconds = 1\nc.Grading.memory_mb = 2000\n"
    with tempfile.TemporaryDirectory() as work:
        courses = {}
        for name in ("local", "slurm"):
            (Path(work) / name).mkdir()
            root = course_with_cohort(Path(work) / name, aid, n).root
            with open(root / "course_config.py", "a") as config:
                config.write(settings)
            courses[name] = Course.load(root)
        local = timed(lambda: grade(course=courses["local"], assignment_id=aid, workers=args.gpus, gpus="none"))
        on_slurm = timed(lambda: grade(course=courses["slurm"], assignment_id=aid, backend="slurm"))
        (run,) = [Run.load(f) for f in courses["slurm"].slurm_runs_dir(aid).iterdir()]
        elapsed = _elapsed_seconds([job["job_id"] for job in run.jobs])
    per_task = (on_slurm - local) * args.gpus / n
    print(f"{n} submissions of {aid}, {args.gpus} at a time")
    print(f"local backend: {local:.1f} s   slurm backend: {on_slurm:.1f} s")
    print(f"overhead per task (wall clock, both at the same parallelism): {per_task:.2f} s")
    print(f"median task time in Slurm's accounting: {statistics.median(elapsed.values()):.1f} s")


if __name__ == "__main__":
    main()
