"""The GPU runner check: grading on real cards, in one command (scripts/gpu-check.sh runs this).

Grades one cohort of 04_transfer_resnet (solution, alternatives, stub, known mistakes) first on the
CPU (`--gpus none`: 04's small settings), then, when the machine has GPUs, at 04's full-size GPU
settings with 1, 2 and 4 jobs per GPU. Prints the isolation the machine allowed, the throughput of
each GPU run against 1 job per GPU, what each run's kernel saw (its CUDA devices, the card's UUID,
its memory share) and its peak GPU memory against that share, and whether every score equals the
CPU run's. A machine without a GPU reports "no GPU" after the CPU run. Figures for the notes, not
a test: the exit status is 1 only when a check of what the kernels saw or a score differs.

Usage: python bench/gpu_runner.py [--students N] [--jobs 1,2,4] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from course_copy import copy_course  # noqa: E402
from autograder.demo.cohort import synthesize  # noqa: E402
from autograder.grading import sandbox  # noqa: E402
from autograder.grading.slots import visible_gpus  # noqa: E402
from autograder.verbs.grade import grade  # noqa: E402
from dlmed.mednist import ROOT_ENV  # noqa: E402
from dlmed.mednist import synthesize as synthesize_images  # noqa: E402

AID = "04_transfer_resnet"
GPU_IMAGES_PER_CLASS = 1000  # the 04 notebook's full-size setting on a GPU
MARK = "GPU-PROBE "
# Appended to every submission of the benchmark cohort (an ungraded cell after the tests): what the
# kernel saw of the GPUs, read back from the executed notebooks.
PROBE = f"""
import json as _json, os as _os
import torch as _torch
_seen = {{"visible": _os.environ.get("CUDA_VISIBLE_DEVICES"), "share": _os.environ.get("DLMED_GPU_MEMORY_FRACTION"),
          "devices": _torch.cuda.device_count() if _torch.cuda.is_available() else 0}}
if _seen["devices"]:
    _props = _torch.cuda.get_device_properties(0)
    _seen.update(uuid=str(getattr(_props, "uuid", "")), name=_props.name, total_mb=_props.total_memory / 2**20,
                 peak_mb=_torch.cuda.max_memory_allocated(0) / 2**20)
    _fraction = getattr(_torch.cuda, "get_per_process_memory_fraction", None)
    _seen["fraction"] = _fraction(0) if _fraction else None
print({MARK!r} + _json.dumps(_seen))
"""


def gpu_uuids() -> dict[int, str]:
    """Card index -> UUID as nvidia-smi numbers them (what each run's kernel should see)."""
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return {int(m[1]): m[2] for m in re.finditer(r"^GPU (\d+):.*\(UUID: (GPU-[^)]+)\)", listing, re.M)}


def cohort(folder: Path, students: int):
    course = copy_course(folder, ["course_config.py", "nbgrader_config.py", "assignments", "release", "tests/submissions"])
    # `students` submissions: the solution and the stub, then alternatives and mistakes half and half.
    alternatives = max(0, students - 2) // 2
    names = synthesize(course, AID, hostile=[], alternatives=alternatives, mistakes=max(0, students - 2 - alternatives))
    for student in names:
        path = next(course.submission_dir(student, AID).glob("*.ipynb"))
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        nbformat.write(nb, path)
    return course, sorted(names)


def seen_by(course, student: str) -> dict:
    executed = nbformat.read(next(course.autograded_dir(student, AID).glob("*.ipynb")), as_version=4)
    text = "".join(o.get("text", "") for o in executed.cells[-1].get("outputs", []))
    return json.loads(text.split(MARK, 1)[1]) if MARK in text else {}


def graded(course, label: str, **options) -> dict:
    clock = time.perf_counter()
    done = []

    def progress(record):
        done.append(record)
        print(f"  {label}: {len(done)} graded ({record.student_id}: {record.status}, {record.score:g} points, "
              f"{record.seconds:.0f} s on {record.device})", flush=True)

    summary = grade(course=course, assignment_id=AID, on_done=progress, **options)
    seconds = time.perf_counter() - clock
    return {"seconds": seconds, "slots": len(summary.slots), "where": summary.where,
            "records": {r.student_id: r for r in summary.records}}


def check_gpu_run(course, run: dict, jobs: int, uuids: dict[int, str]) -> list[str]:
    """What is wrong with what the kernels of one GPU run saw (empty when each saw its own share)."""
    problems = []
    share = 1 / jobs if jobs > 1 else None
    for student, record in run["records"].items():
        seen = seen_by(course, student)
        card = int(record.device.split(":")[1].split()[0]) if record.device.startswith("cuda:") else None
        if seen.get("devices") != 1:
            problems.append(f"{student}: its kernel saw {seen.get('devices')} CUDA devices, not 1 ({seen})")
            continue
        if card in uuids and seen.get("uuid") and uuids[card] not in ("GPU-" + seen["uuid"], seen["uuid"]):
            problems.append(f"{student}: ran on slot cuda:{card} but its kernel saw card {seen['uuid']}")
        if share is not None:
            if seen.get("fraction") is not None and abs(seen["fraction"] - share) > 1e-3:
                problems.append(f"{student}: memory share {seen['fraction']} in the kernel, slot share {share}")
            if seen["peak_mb"] > share * seen["total_mb"]:
                problems.append(f"{student}: peak {seen['peak_mb']:.0f} MB over its share of {share * seen['total_mb']:.0f} MB")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--jobs", default="1,2,4", help="jobs per GPU to try, in order")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    level = sandbox.isolation("auto")
    print(f"isolation: {level}" + (f" ({sandbox.warning(level)})" if sandbox.warning(level) else ""))
    gpus, uuids = visible_gpus(), gpu_uuids()
    import torch

    print(f"python {sys.version.split()[0]}, torch {torch.__version__}; "
          + (f"GPUs: {', '.join(f'{i} {uuids.get(i)}' for i in gpus)}" if gpus else "no GPU"))
    report: dict = {"isolation": level, "gpus": gpus, "runs": {}}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gpu-runner-") as tmp:
        course, students = cohort(Path(tmp) / "course", args.students)
        print(f"cohort: {len(students)} submissions of {AID}")
        os.environ.pop(ROOT_ENV, None)  # the CPU run makes its small stand-in data itself
        cpu = graded(course, "cpu", gpus="none")
        scores = {s: r.score for s, r in cpu["records"].items()}
        report["runs"]["cpu"] = {"seconds": cpu["seconds"], "slots": cpu["slots"], "scores": scores}
        print(f"cpu: {cpu['seconds']:.1f} s on {cpu['where']}")
        if not gpus:
            print("no GPU: the GPU runs are skipped")
        else:
            # The full-size images once, shown read-only to every run, rather than drawn by each kernel.
            images = synthesize_images(Path(tmp) / "mednist", n_per_class=GPU_IMAGES_PER_CLASS)
            os.environ[ROOT_ENV] = str(images)
            first = None
            for jobs in (int(j) for j in args.jobs.split(",")):
                run = graded(course, f"{jobs} per GPU", gpus="auto", jobs_per_gpu=jobs)
                first = first or run["seconds"]
                differ = sorted(s for s, r in run["records"].items() if r.score != scores[s])
                problems = check_gpu_run(course, run, jobs, uuids) + [
                    f"{s}: {run['records'][s].score:g} points on the GPU, {scores[s]:g} on the CPU "
                    f"({run['records'][s].message})" for s in differ]
                peaks = [seen_by(course, s).get("peak_mb", 0.0) for s in students]
                print(f"{jobs} per GPU: {run['seconds']:.1f} s, throughput {first / run['seconds']:.2f}x of 1 per GPU; "
                      f"peak GPU memory per run {max(peaks):.0f} MB (share: {f'1/{jobs}' if jobs > 1 else 'whole card'}); "
                      f"{'every kernel saw its own card and share' if not problems else f'{len(problems)} problems'}; "
                      f"scores {'equal to' if not differ else 'DIFFERENT from'} the CPU run's")
                for problem in problems:
                    print("  " + problem)
                failures += problems
                report["runs"][f"{jobs}_per_gpu"] = {"seconds": run["seconds"], "slots": run["slots"],
                                                     "peak_mb": peaks, "problems": problems}
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
