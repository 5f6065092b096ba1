"""Where runs execute: a GPU slot (a card, or a share of one) or a CPU slot, each with its own user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace

from ..course.errors import CourseError


@dataclass(frozen=True)
class Slot:
    index: int
    gpu: int | None = None
    gpu_share: float | None = None  # the share of the card's memory, when several runs share it
    # A scheduler that hands out the card (Slurm) also says how CUDA numbers it inside the job,
    # which is not the card's index on the machine when the job's device cgroup hides the others.
    cuda_visible: str | None = None
    where: str = ""  # the machine and job, when a scheduler placed the run
    threads: int | None = None  # CPU threads the run's numeric libraries may use (None: their own default)

    @property
    def label(self) -> str:
        where = f" on {self.where}" if self.where else ""
        if self.gpu is None:
            return f"cpu slot {self.index}{where}"
        share = f" ({self.gpu_share:.2g} of its memory)" if self.gpu_share else ""
        return f"cuda:{self.gpu}{share}{where}"

    def environment(self) -> dict[str, str]:
        """The variables that put a run on this slot's device and its share of the CPU cores."""
        env = thread_environment(self.threads)
        if self.gpu is None:
            return {**env, "CUDA_VISIBLE_DEVICES": "", "DLMED_DEVICE": "cpu"}
        env["CUDA_VISIBLE_DEVICES"] = self.cuda_visible if self.cuda_visible is not None else str(self.gpu)
        if self.gpu_share:
            env["DLMED_GPU_MEMORY_FRACTION"] = f"{self.gpu_share:.4f}"
        return env


# OpenMP (torch), MKL and OpenBLAS (numpy) each start a pool of one thread per core. Runs side by side
# that each do so spin against one another: `course validate` of 04 on 2 cores took 295 s with the
# libraries' defaults and 96 s with one thread per run.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def cores() -> int:
    """The CPU cores this process may use (a cgroup or Slurm allocation may give fewer than the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def threads_per_run(runs_at_once: int, configured: int = 0) -> int:
    """Threads for each of `runs_at_once` runs: `configured` (c.Grading.threads_per_run), else an equal share."""
    return configured or max(1, cores() // max(1, runs_at_once))


def thread_environment(threads: int | None) -> dict[str, str]:
    return {name: str(threads) for name in _THREAD_VARIABLES} if threads else {}


def limit_threads(threads: int | None) -> None:
    """Keep this process (a worker judging runs: its replays use torch and numpy too) to `threads`."""
    if not threads:
        return
    os.environ.update(thread_environment(threads))  # read by the libraries when they load
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def visible_gpus() -> list[int]:
    if not shutil.which("nvidia-smi"):
        return []
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [i for i, line in enumerate(line for line in listing.splitlines() if line.startswith("GPU "))]


def parse_gpus(spec: str) -> list[int]:
    spec = spec.strip().lower()
    if spec == "none":
        return []
    if spec == "auto":
        return visible_gpus()
    try:
        return sorted({int(part) for part in spec.split(",") if part.strip()})
    except ValueError:
        raise CourseError(f"--gpus {spec!r} is not 'auto', 'none' or a list of indices",
                          hint="write e.g. --gpus 0,1") from None


def plan_slots(*, gpus: list[int], jobs_per_gpu: int, workers: int) -> list[Slot]:
    """One slot per run that may execute at once: jobs_per_gpu per GPU, else `workers` CPU slots."""
    if jobs_per_gpu < 1:
        raise CourseError(f"--jobs-per-gpu must be at least 1, not {jobs_per_gpu}")
    if gpus:
        share = 1.0 / jobs_per_gpu if jobs_per_gpu > 1 else None
        return [Slot(i, gpu, share) for i, (gpu, _) in enumerate((g, j) for g in gpus for j in range(jobs_per_gpu))]
    count = workers or cores()
    return [Slot(i) for i in range(count)]


def share_cores(slots: list[Slot], configured: int = 0) -> list[Slot]:
    """The slots, each with its share of the CPU threads (c.Grading.threads_per_run, else cores / slots)."""
    threads = threads_per_run(len(slots), configured)
    return [replace(slot, threads=threads) for slot in slots]
