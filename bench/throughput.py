"""Grading throughput and overhead, printed as two ratios (figures for the notes, not a test).

1. One cohort, graded by serial `nbgrader autograde` and by `course grade` on every slot:
   speed-up, against the aim of 0.9 x the number of slots.
2. Per-submission cost of `course grade` on one slot against executing the same notebook bare
   with nbclient (the same kernel, no sandbox, no sanitizing, no judging): overhead, aim < 10 %.

Usage: .venv/bin/python bench/throughput.py [--students N] [--assignment ID]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from autograder.authoring.release import release  # noqa: E402
from autograder.course import notebooks  # noqa: E402
from autograder.course.coursedir import Course  # noqa: E402
from autograder.demo.cohort import as_submitted  # noqa: E402
from autograder.grading.grade import grade  # noqa: E402
from autograder.grading.slots import plan_slots  # noqa: E402


def course_with_cohort(folder: Path, assignment_id: str, students: int) -> Course:
    for name in ("course_config.py", "nbgrader_config.py", "assignments", "release"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, folder / name)
    course = Course.load(folder)
    release(course=course, assignment_ids=[assignment_id])
    source = course.source_notebooks(assignment_id)[0]
    submitted = nbformat.writes(as_submitted(notebooks.read(source)))
    for i in range(students):
        target = course.submission_dir(f"student{i:03d}", assignment_id) / source.name
        target.parent.mkdir(parents=True)
        target.write_text(submitted)
    return course


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bare_nbclient(course: Course, assignment_id: str, students: int) -> float:
    nb = notebooks.read(course.source_notebooks(assignment_id)[0])
    for _ in range(students):
        with tempfile.TemporaryDirectory() as work:
            NotebookClient(nbformat.from_dict(nb), timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": work}}).execute(cwd=work)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--assignment", default="01_layer_math")
    args = parser.parse_args()
    n, aid = args.students, args.assignment
    with tempfile.TemporaryDirectory() as tmp:
        course = course_with_cohort(Path(tmp), aid, n)
        nbgrader = timed(lambda: subprocess.run(
            [str(Path(sys.executable).parent / "nbgrader"), "autograde", aid, "--force"],
            cwd=course.root, check=True, capture_output=True))
        parallel = timed(lambda: grade(course=course, assignment_id=aid))
        slots = len(plan_slots(gpus=[], jobs_per_gpu=1, workers=course.grading.workers))
        one_slot = timed(lambda: grade(course=course, assignment_id=aid, workers=1))
        bare = timed(lambda: bare_nbclient(course, aid, n))
    print(f"{n} submissions of {aid}")
    print(f"serial nbgrader autograde: {nbgrader:.1f} s; course grade on {slots} slots: {parallel:.1f} s")
    print(f"throughput ratio: {nbgrader / parallel:.2f}x (aim: {0.9 * slots:.2f}x)")
    print(f"course grade on 1 slot: {one_slot / n:.2f} s per submission; bare nbclient: {bare / n:.2f} s")
    print(f"overhead per submission: {100 * (one_slot / bare - 1):.1f} % (aim: under 10 %)")


if __name__ == "__main__":
    main()
