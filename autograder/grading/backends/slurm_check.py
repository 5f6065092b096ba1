"""`course slurm-check`: can this cluster grade? Two array tasks ask for what grading asks for and
report what they found on their node, so an admin sees a bad set-up before a cohort does.

Each task checks: the course folder and the grader's Python are reachable from the node; it got a
GPU from Slurm (SLURM_JOB_GPUS) and the other cards' device files are closed to it (Slurm's
device cgroup, ConstrainDevices=yes); student code would run in bubblewrap; and, where an NVIDIA
driver is loaded, that PyTorch sees exactly one CUDA device.
"""

from __future__ import annotations

import errno
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...course.coursedir import Course
from .. import sandbox
from . import slurm_commands
from .batch_scripts import render
from .slurm import Request

PASS, FAIL, INFO = "pass", "FAIL", "info"


@dataclass(frozen=True)
class Finding:
    task: str  # node and task
    check: str
    verdict: str  # PASS, FAIL or INFO
    detail: str


def _open_errno(path: str) -> int:
    try:
        os.close(os.open(path, os.O_RDWR))
        return 0
    except OSError as exc:
        return exc.errno


def probe(course_root: str, expect_gpu: bool) -> list[tuple[str, str, str]]:
    """Run inside a task: (check, verdict, detail) for what this node gives a grading task."""
    found = []
    readable = os.access(Path(course_root) / "course_config.py", os.R_OK)
    found.append(("course folder", PASS if readable else FAIL,
                  course_root if readable else f"{course_root}/course_config.py is not readable on this node"))
    found.append(("grader's Python", PASS, sys.executable))
    own = [c for c in os.environ.get("SLURM_JOB_GPUS", "").split(",") if c.strip().isdigit()]
    found.append(("GPU from Slurm", (PASS if len(own) == 1 else FAIL) if expect_gpu else INFO,
                  f"SLURM_JOB_GPUS={','.join(own) or '(none)'} CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '(unset)')}"))
    cards = sorted(p for p in glob.glob("/dev/nvidia*") if p[len("/dev/nvidia"):].isdigit())
    others = [p for p in cards if p[len("/dev/nvidia"):] not in own]
    open_ones = [p for p in others if _open_errno(p) != errno.EPERM]
    if not others:
        found.append(("other GPUs closed", INFO, "no other card's device file on this node"))
    else:
        found.append(("other GPUs closed", FAIL if open_ones else PASS,
                      f"{', '.join(open_ones)} can be opened: set ConstrainDevices=yes in cgroup.conf" if open_ones
                      else f"{', '.join(others)}: operation not permitted"))
    level = sandbox.isolation("auto")
    found.append(("sandbox", PASS if level == sandbox.BUBBLEWRAP else FAIL,
                  level if level == sandbox.BUBBLEWRAP else sandbox.warning(level)))
    if shutil.which("nvidia-smi") and subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0:
        import torch

        count = torch.cuda.device_count()
        found.append(("PyTorch sees its GPU", PASS if count == 1 else FAIL, f"torch.cuda.device_count() = {count}"))
    else:
        found.append(("PyTorch sees its GPU", INFO, "no NVIDIA driver on this node (fake or absent cards)"))
    return found


def slurm_check(*, course: Course, tasks: int = 2, **overrides) -> list[Finding]:
    """Submits `tasks` array tasks with grading's request and waits for their findings."""
    request = Request.for_course(course, **{"time_minutes": 5, "mem_gb": 2, **overrides})
    folder = Path(tempfile.mkdtemp(prefix="slurm-check-", dir=course.root))  # on the course's filesystem
    script = folder / "check.sbatch"
    script.write_text(render("check.sbatch.j2", options=request.options(), folder=folder, expect_gpu=int(request.gres != "none"),
                                  setup=request.setup.strip(), python=sys.executable, course_root=course.root))
    slurm_commands.submit(script, array=f"0-{tasks - 1}", wait=True)
    findings = []
    for index in range(tasks):
        answer = folder / f"{index}.json"
        if not answer.exists():
            log = next(iter(folder.glob(f"*_{index}.log")), None)
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log else []
            findings.append(Finding(f"task {index}", "task ran", FAIL, tail[0] if tail else "no output; see sacct"))
            continue
        report = json.loads(answer.read_text())
        findings += [Finding(report["task"], check, verdict, detail) for check, verdict, detail in report["found"]]
    shutil.rmtree(folder, ignore_errors=True)
    return findings


if __name__ == "__main__":  # inside a task: python -m autograder.grading.backends.slurm_check <course root> <answer.json> <0|1>
    root, answer, expect_gpu = sys.argv[1:]
    where = f"{socket.gethostname()} task {os.environ.get('SLURM_ARRAY_TASK_ID', '?')}"
    Path(answer).write_text(json.dumps({"task": where, "found": probe(root, expect_gpu == "1")}))
