import contextlib
import io
import os
import shutil
import socket
from pathlib import Path

import psutil
import pytest

from autograder.course.coursedir import Course
from autograder.grading.slots import limit_threads, threads_per_run

REPO = Path(__file__).resolve().parents[1]
# What a course folder consists of; copied so that tests never write into the repository.
COURSE_FILES = ["course_config.py", "nbgrader_config.py", "assignments", "release", "solutions", "tests/submissions",
                "exam_bank"]
# The committed practice form (exams/practice_exam/ and its assignment's folders) is left out of a
# copy unless asked for: most tests draw the practice exam afresh, which the committed one refuses.
PRACTICE_EXAM = "practice_exam"
PRACTICE_FORM = "practice_exam_A"


def pytest_configure(config):
    # Tests that judge in their own process (replays of training) share the cores with the other
    # xdist workers, as grading workers share them with each other.
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers:
        limit_threads(threads_per_run(int(workers)))


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of `processes` still running (a zombie is dead already: its parent has yet to reap it)."""
    left = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                left.append(process)
        except psutil.NoSuchProcess:
            pass
    return left


def pytest_collection_modifyitems(items):
    # Slow tests first (stable: in module order among themselves). xdist hands out work in this
    # order, so the quick tests fill in at the end rather than one worker running the last long
    # group alone while the other idles.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def free_ports(count: int, start: int) -> int:
    """The first of `count` free ports in a row on 127.0.0.1, from `start` on (tests that start
    servers take different starts, so that workers running at once do not pick the same ones)."""
    for base in range(start, start + 9000, count + 6):
        try:
            for port in range(base, base + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError(f"no {count} free ports in a row")


# For tests that generate exam forms but do not look at their PDFs: Chromium takes about 5 s a page.
NO_PDFS = "\nc.Exam.print_pdfs = False\n"


def make_course_copy(folder: Path, extra_config: str = "", practice_form: bool = False) -> Course:
    root = folder / "course"
    left_out = shutil.ignore_patterns(PRACTICE_FORM) if not practice_form else None
    for name in [*COURSE_FILES, *([f"exams/{PRACTICE_EXAM}"] if practice_form else [])]:
        source, target = REPO / name, root / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=left_out)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    with open(root / "course_config.py", "a") as config:
        # An exchange of its own: the machine's may hold a real course's releases, which a test would
        # find (`exam generate --force` refuses to redraw a form released there) or write into.
        config.write(f'\nc.Exchange.root = "{folder}/exchange"\n' + extra_config)
    return Course.load(root)


@pytest.fixture
def course_copy(tmp_path) -> Course:
    return make_course_copy(tmp_path)


@pytest.fixture
def repo_course() -> Course:
    return Course.load(REPO)


def course_main(course, *args: str) -> tuple[int, str]:
    """`course ARGS` in this process (no interpreter start-up, seconds of imports), with what it printed."""
    from autograder.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--course-dir", str(course.root), *args])
    return code, out.getvalue()
