"""Where runs execute: a GPU slot (a card, or a share of one) or a CPU slot, each with its own user."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

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

    @property
    def label(self) -> str:
        where = f" on {self.where}" if self.where else ""
        if self.gpu is None:
            return f"cpu slot {self.index}{where}"
        share = f" ({self.gpu_share:.2g} of its memory)" if self.gpu_share else ""
        return f"cuda:{self.gpu}{share}{where}"

    def environment(self) -> dict[str, str]:
        """The variables that put a run on this slot's device."""
        if self.gpu is None:
            return {"CUDA_VISIBLE_DEVICES": "", "DLMED_DEVICE": "cpu"}
        env = {"CUDA_VISIBLE_DEVICES": self.cuda_visible if self.cuda_visible is not None else str(self.gpu)}
        if self.gpu_share:
            env["DLMED_GPU_MEMORY_FRACTION"] = f"{self.gpu_share:.4f}"
        return env


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
    count = workers or os.cpu_count() or 1
    return [Slot(i) for i in range(count)]
