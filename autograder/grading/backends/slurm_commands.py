"""The Slurm commands the backend needs (sbatch, squeue, sacct, scontrol), parsed into plain data.

Plain commands, not a library: submitit pickles a Python callable per job and follows jobs through
sacct in ways that hang on a killed job when accounting lags; pyslurm must match the cluster's
Slurm version. The commands are on every login node, and what they are asked is visible in a
TA's shell history and in the batch script we keep.
"""

from __future__ import annotations

import getpass
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ...course.errors import CourseError

# Task states that mean "still the scheduler's business" (squeue lists these).
ACTIVE = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD",
          "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD"}
_TASK = re.compile(r"^(\d+)_(\d+)$")


@dataclass(frozen=True)
class TaskState:
    job_id: str  # the array's job id
    index: int  # the task's index in its array
    state: str  # Slurm's state name, e.g. RUNNING, TIMEOUT, CANCELLED
    detail: str = ""  # squeue's reason while pending, "by <uid>" for a cancellation, the exit code

    @property
    def key(self) -> tuple[str, int]:
        return self.job_id, self.index


def _run(args: list[str], timeout: float = 120) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise CourseError(f"`{args[0]}` is not on PATH here: the Slurm backend runs where Slurm's commands do",
                          hint="run on the cluster's login node, or grade with --backend local") from None
    except subprocess.TimeoutExpired:
        raise CourseError(f"`{args[0]}` did not answer in {timeout:.0f} s; slurmctld may be down or busy",
                          hint="check with `scontrol ping`, then run the command again with --resume") from None
    if done.returncode != 0:
        why = (done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}").splitlines()[-1]
        hint = ("check the Slurm options (sinfo lists partitions; c.Slurm in course_config.py)" if args[0] == "sbatch"
                else "check that Slurm answers here: `scontrol ping` (and SLURM_CONF, if the cluster needs it)")
        raise CourseError(f"`{' '.join(args[:2])} ...` failed: {why}", hint=hint)
    return done.stdout


def max_array_size() -> int:
    """How many tasks one array may have (indices 0 .. MaxArraySize-1)."""
    for line in _run(["scontrol", "show", "config"]).splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "MaxArraySize":
            return int(value.strip())
    return 1001  # Slurm's default, for a scontrol that does not print it


def submit(script: Path, *, array: str, argument: str | None = None, dependency: str | None = None,
           wait: bool = False) -> str:
    """Submits `script` as an array (with `--wait`, returns when its tasks have ended); returns its job id."""
    args = ["sbatch", "--parsable", f"--array={array}"]
    if dependency:
        args.append(f"--dependency=afterany:{dependency}")
    if wait:
        args.append("--wait")
    out = _run([*args, str(script), *([argument] if argument is not None else [])], timeout=3600 if wait else 120)
    return out.strip().split(";")[0]


def queued(job_ids: set[str]) -> dict[tuple[str, int], TaskState]:
    """The tasks of these arrays that Slurm still holds (pending, running, completing...)."""
    if not job_ids:
        return {}
    # All of the user's tasks, filtered here: squeue refuses the whole query when one id is gone.
    out = _run(["squeue", "--noheader", "--array", "--user", getpass.getuser(), "--format", "%F|%K|%T|%r"])
    found = {}
    for line in out.splitlines():
        parts = line.strip().split("|")
        if len(parts) == 4 and parts[0] in job_ids and parts[1].isdigit():
            task = TaskState(parts[0], int(parts[1]), parts[2], parts[3] if parts[3] != "None" else "")
            found[task.key] = task
    return found


def accounted(job_ids: set[str]) -> dict[tuple[str, int], TaskState]:
    """How finished tasks of these arrays ended, from Slurm's accounting (empty without slurmdbd)."""
    if not job_ids:
        return {}
    out = _run(["sacct", "--noheader", "--parsable2", "--allocations", "--jobs", ",".join(sorted(job_ids)),
                "--format", "JobID,State,ExitCode"])
    found = {}
    for line in out.splitlines():
        parts = line.strip().split("|")
        match = _TASK.match(parts[0]) if len(parts) == 3 else None
        if match:
            state, _, by = parts[1].partition(" ")
            task = TaskState(match[1], int(match[2]), state, " ".join(x for x in (by, f"exit {parts[2]}") if x))
            found[task.key] = task
    return found
