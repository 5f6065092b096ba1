"""One Slurm array task: grade unit <index> of a run's units.json on the GPU Slurm gave this job.

    python -m autograder.grading.backends.slurm_task <run>/units.json <index>

The record it writes is the task's whole answer; its exit status is 0 whenever a record was
written (a failed submission is a verdict, not a failed job), so that a FAILED job always
means a problem with the node or the set-up, shown in the task's log.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

from ..slots import Slot, limit_threads, threads_per_run
from ..unit import Unit, grade_unit


def slot_from_slurm(environ=os.environ) -> Slot:
    """The slot Slurm made: SLURM_JOB_GPUS names the card on the node, CUDA_VISIBLE_DEVICES how the
    job's CUDA numbers it (0 when the device cgroup hides the other cards)."""
    cards = [c for c in environ.get("SLURM_JOB_GPUS", "").split(",") if c.strip().isdigit()]
    task = f"{environ.get('SLURM_ARRAY_JOB_ID', '?')}_{environ.get('SLURM_ARRAY_TASK_ID', '?')}"
    where = f"{socket.gethostname()}, Slurm job {task}"
    index = int(environ.get("SLURM_ARRAY_TASK_ID", "0"))
    threads = threads_per_run(1)  # the task's own cores: Slurm's cgroup limits this process's affinity
    if not cards:
        return Slot(index, where=where, threads=threads)
    return Slot(index, gpu=int(cards[0]), cuda_visible=environ.get("CUDA_VISIBLE_DEVICES", "0"), where=where,
                threads=threads)


def _stop(signum, frame):
    # Slurm ends a task (time limit, scancel, preemption) with SIGTERM to all its processes: the
    # kernel dies too, and a record written now would blame the student for a crash. Leave
    # without one; the grading command reads Slurm's reason from accounting.
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    units_file, index = argv
    unit = Unit(**json.loads(open(units_file).read())[int(index)])
    slot = slot_from_slurm()
    limit_threads(slot.threads)
    record = grade_unit(unit, slot)
    print(f"{unit.student_id}: {record.status} {record.score:g}/{record.max_score:g} on {record.device}: {record.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
