"""Grading at scale (figures for bench/README.md, not a test).

Synthetic cohorts of each size (default 25, 100 and 300 submissions of 01 and of 02; the known
cases, solution, alternatives, stub and mistakes, handed in round-robin) are graded by `course
grade` on two slots. Per run: wall time per submission, the peak resident memory of the whole run
(the grader, its workers and their kernels, summed), the gradebook write on SQLite and, where
PostgreSQL's server programs are installed, on a fresh PostgreSQL, `course report`, `course
feedback`, and the disk the graded course then takes. Prints a table, writes it as JSON and plots
seconds per submission and peak memory against the cohort's size.

Usage: .venv/bin/python bench/scale.py [--sizes 25 100 300] [--assignments 01_layer_math 02_training_loop]
                                       [--workers 2] [--out bench-output/scale]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from course_copy import copy_course  # noqa: E402
from autograder.authoring.release import release  # noqa: E402
from autograder.course.coursedir import Course  # noqa: E402
from autograder.demo.cohort import synthesize  # noqa: E402
from autograder.records.gradebook import ingest  # noqa: E402
from autograder.reports.feedback import feedback  # noqa: E402
from autograder.reports.profile import stages  # noqa: E402
from autograder.reports.report import report  # noqa: E402
from tests.records.postgres_server import postgres_bin, running_postgres  # noqa: E402
from throughput import watched_grade  # noqa: E402

COURSE_FILES = ["course_config.py", "nbgrader_config.py", "assignments", "release", "tests/submissions"]


class PeakMemory(threading.Thread):
    """The largest sum of resident memory of this process and all its descendants, sampled."""

    def __init__(self, interval: float = 0.25):
        super().__init__(daemon=True)
        self.interval, self.peak = interval, 0
        self.done = threading.Event()

    def run(self):
        me = psutil.Process()
        while not self.done.wait(self.interval):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)


def cohort(folder: Path, assignment_id: str, size: int) -> Course:
    """A course with `size` submissions: the known cases, each handed in by several students."""
    course = copy_course(folder, COURSE_FILES)
    kinds = synthesize(course, assignment_id, hostile=[])
    cases = sorted(kinds)
    for i in range(size):
        shutil.copytree(course.submission_dir(cases[i % len(cases)], assignment_id),
                        course.submission_dir(f"s{i:04d}", assignment_id))
    for case in cases:
        shutil.rmtree(course.submission_dir(case, assignment_id).parent)
    return course


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(assignment_id: str, size: int, workers: int, postgres: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        course = cohort(Path(tmp), assignment_id, size)
        release(course=course, assignment_ids=[assignment_id])
        before = disk_bytes(course.root)
        memory = PeakMemory()
        wall, summary = watched_grade(course, assignment_id, workers, memory)
        row = {
            "assignment": assignment_id, "submissions": size, "slots": len(summary.slots),
            "wall_s": round(wall, 1), "s_per_submission": round(wall / size, 3),
            "peak_memory_mb": round(memory.peak / 2**20), "sqlite_ingest_s": round(summary.ingest_seconds, 2),
            "statuses": dict(summary.counts),
            "stages_median_s": {stage.name: round(stage.median, 3) for stage in stages(summary.graded)},
        }
        row["report_s"] = round(timed(lambda: report(course=course, assignment_id=assignment_id)), 2)
        row["feedback_s"] = round(timed(lambda: feedback(course=course, assignment_id=assignment_id)), 2)
        row["disk_mb"] = round((disk_bytes(course.root) - before) / 2**20, 1)
        if postgres:
            with running_postgres(postgres) as url:
                with open(course.root / "course_config.py", "a") as config:
                    config.write(f"\nc.CourseDirectory.db_url = {url!r}\n")
                on_postgres = Course.load(course.root)
                release(course=on_postgres, assignment_ids=[assignment_id])
                row["postgres_ingest_s"] = round(timed(lambda: ingest(on_postgres, summary.records)), 2)
        return row


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (speed, memory) = plt.subplots(1, 2, figsize=(10, 4))
    for aid in dict.fromkeys(r["assignment"] for r in rows):
        mine = [r for r in rows if r["assignment"] == aid]
        sizes = [r["submissions"] for r in mine]
        speed.plot(sizes, [r["s_per_submission"] for r in mine], marker="o", label=aid)
        memory.plot(sizes, [r["peak_memory_mb"] for r in mine], marker="o", label=aid)
    speed.set(xlabel="submissions", ylabel="wall seconds per submission", xscale="log", ylim=(0, None))
    memory.set(xlabel="submissions", ylabel="peak resident memory of the run (MB)", xscale="log", ylim=(0, None))
    sizes = sorted({r["submissions"] for r in rows})
    for axis in (speed, memory):  # the cohort sizes as plain numbers, not log-scale minor ticks
        axis.set_xticks(sizes, [str(n) for n in sizes])
        axis.minorticks_off()
    speed.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 100, 300])
    parser.add_argument("--assignments", nargs="+", default=["01_layer_math", "02_training_loop"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("bench-output") / "scale")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    postgres = postgres_bin()
    if postgres is None:
        print("PostgreSQL's server programs are not installed: the gradebook write is timed on SQLite only")
    rows = []
    for aid in args.assignments:
        for size in args.sizes:
            print(f"grading {size} submissions of {aid} on {args.workers} slots...", flush=True)
            rows.append(measure(aid, size, args.workers, postgres))
            r = rows[-1]
            print(f"  {r['wall_s']} s ({r['s_per_submission']} s a submission), peak {r['peak_memory_mb']} MB, "
                  f"ingest {r['sqlite_ingest_s']} s SQLite / {r.get('postgres_ingest_s', '-')} s PostgreSQL, "
                  f"report {r['report_s']} s, feedback {r['feedback_s']} s, disk {r['disk_mb']} MB; {r['statuses']}",
                  flush=True)
    (args.out / "scale.json").write_text(json.dumps(rows, indent=1))
    plot(rows, args.out / "scale.png")
    print(f"wrote {args.out / 'scale.json'} and {args.out / 'scale.png'}")
    for aid in args.assignments:
        mine = [r for r in rows if r["assignment"] == aid]
        if len(mine) > 1:
            first, last = mine[0], mine[-1]
            print(f"{aid}: per submission {last['s_per_submission']} s at {last['submissions']} against "
                  f"{first['s_per_submission']} s at {first['submissions']} "
                  f"({100 * (last['s_per_submission'] / first['s_per_submission'] - 1):+.1f} %); peak memory "
                  f"{last['peak_memory_mb']} MB against {first['peak_memory_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
