"""Grading throughput, overhead and memory (figures for the notes, not a test).

1. One cohort, graded by serial `nbgrader autograde` and by `course grade` on every slot:
   speed-up (aim: at least 1.9x on 2 slots).
2. Per-submission cost of `course grade` on one slot against executing the same notebook bare
   with nbclient (the same kernel, no sandbox, no sanitizing, no judging), its kernel killed at the
   end as ours is (aim: at most 5 % more), and against nbclient's default graceful shutdown.
3. The grader's own peak resident memory per slot (its worker processes; kernels apart).
4. Where a submission's time goes on one slot, cold and with kernels started ahead: each stage's
   seconds per submission from the records' profiles (`course grade --profile`), beside the bare
   kernel's.

Usage: .venv/bin/python bench/throughput.py [--students N] [--assignment ID]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from course_copy import copy_course  # noqa: E402
from autograder.authoring.release import release  # noqa: E402
from autograder.course import notebooks  # noqa: E402
from autograder.course.coursedir import Course  # noqa: E402
from autograder.demo.cohort import as_submitted  # noqa: E402
from autograder.grading.slots import plan_slots  # noqa: E402
from autograder.reports.profile import stages  # noqa: E402
from autograder.verbs.grade import grade  # noqa: E402


def course_with_cohort(folder: Path, assignment_id: str, students: int) -> Course:
    course = copy_course(folder, ["course_config.py", "nbgrader_config.py", "assignments", "release"])
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


def bare_nbclient(course: Course, assignment_id: str, students: int, shutdown: str) -> None:
    nb = notebooks.read(course.source_notebooks(assignment_id)[0])
    for _ in range(students):
        with tempfile.TemporaryDirectory() as work:
            NotebookClient(nbformat.from_dict(nb), timeout=600, kernel_name="python3", shutdown_kernel=shutdown,
                           resources={"metadata": {"path": work}}).execute(cwd=work)


class WorkerMemory(threading.Thread):
    """The peak resident memory of each grading worker process (the grader's own, kernels apart)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.1):
            for child in psutil.Process().children():
                try:
                    if "spawn_main" in " ".join(child.cmdline()):
                        self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), child.memory_info().rss)
                except psutil.Error:
                    pass


def watched_grade(course: Course, assignment_id: str, workers: int | None, watch: threading.Thread):
    """`course grade` on `workers` slots while `watch` (a thread with a `done` event) samples it:
    the wall seconds and the grading summary."""
    watch.start()
    started = time.perf_counter()
    summary = grade(course=course, assignment_id=assignment_id, workers=workers)
    seconds = time.perf_counter() - started
    watch.done.set()
    watch.join()
    return seconds, summary


def graded(course: Course, assignment_id: str, workers: int | None) -> tuple[float, list[int], list]:
    watch = WorkerMemory()
    seconds, summary = watched_grade(course, assignment_id, workers, watch)
    return seconds, sorted(watch.peaks.values()), stages(summary.graded)


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
        parallel, parallel_memory, _ = graded(course, aid, None)
        slots = len(plan_slots(gpus=[], jobs_per_gpu=1, workers=course.grading.workers))
        one_slot, one_memory, warm_stages = graded(course, aid, 1)
        with open(course.root / "course_config.py", "a") as config:
            config.write("\nc.Grading.warm_kernels = False\n")
        one_cold, _, cold_stages = graded(Course.load(course.root), aid, 1)
        bare = timed(lambda: bare_nbclient(course, aid, n, "immediate"))
        graceful = timed(lambda: bare_nbclient(course, aid, n, "graceful"))
    mb = lambda peaks: ", ".join(f"{p / 2**20:.0f}" for p in peaks) + " MB"  # noqa: E731
    print(f"{n} submissions of {aid}")
    print(f"serial nbgrader autograde: {nbgrader:.1f} s; course grade on {slots} slots: {parallel:.1f} s")
    print(f"throughput ratio: {nbgrader / parallel:.2f}x (aim: at least 1.9x on 2 slots)")
    print(f"course grade on 1 slot: {one_slot / n:.2f} s per submission with kernels started ahead, "
          f"{one_cold / n:.2f} s without; bare nbclient: {bare / n:.2f} s "
          f"(kernel killed at the end, as ours is), {graceful / n:.2f} s (nbclient's default graceful shutdown)")
    print(f"overhead per submission, kernels started cold: {100 * (one_cold / bare - 1):.1f} % (aim: at most 5 %); "
          f"with kernels started ahead: {one_slot / bare:.2f}x bare nbclient (aim: at most 0.8x), "
          f"{one_slot / graceful:.2f}x its default")
    print(f"grader's peak resident memory per slot: {mb(parallel_memory)} on {slots} slots, {mb(one_memory)} on 1")
    print(f"where a submission's time goes on 1 slot (median s; the bare kernel takes {bare / n:.2f} s in all):")
    cold, warm = ({stage.name: stage.median for stage in found} for found in (cold_stages, warm_stages))
    print(f"  {'stage':<30} {'cold':>7} {'ahead':>7}")
    for name in dict.fromkeys([*cold, *warm]):
        print(f"  {name:<30} {cold.get(name, 0):>7.3f} {warm.get(name, 0):>7.3f}")


if __name__ == "__main__":
    main()
