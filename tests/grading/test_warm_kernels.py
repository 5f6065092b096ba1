"""A kernel started ahead (while the slot's previous submission ran) grades exactly as a cold one:
the same records and the same outputs, and a notebook sees the same seeds, determinism settings,
namespace, files and user as in a cold start; and no kernel started ahead outlives its batch."""

import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import psutil
import pytest
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from autograder.authoring.cases import is_demo
from autograder.course.coursedir import Course
from autograder.demo.cohort import FULL, Hostile, synthesize
from autograder.grading import results
from autograder.verbs.grade import grade
from tests.conftest import make_course_copy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("warm-kernels")]
AID = "01_layer_math"
BASE = 63400
# First in the notebook: what the run looks like before any of the student's code.
PROBE = Hostile("probe", "solution", results.OK, FULL, where="start", code=f"""
import os, random, sys
import numpy, torch
print("namespace", sorted(globals()))
print("seeds", os.environ.get("DLMED_SEED"), random.random(), numpy.random.rand(), torch.rand(1).item())
print("settings", torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),
      torch.backends.cudnn.benchmark, torch.get_num_threads(), torch.initial_seed())
print("files", os.getcwd(), sorted(os.listdir(".")), sorted(os.listdir("/tmp")), sorted(os.listdir(os.environ["HOME"])))
print("user", {BASE} <= os.getuid() < {BASE} + 64, os.getgroups())
print("environment", sorted(k for k in os.environ if k != "DLMED_PLAN" and k != "DLMED_CAPTURE"))
""")


def _outputs(course, student) -> list:
    nb = nbformat.read(next(course.autograded_dir(student, AID).glob("*.ipynb")), as_version=4)
    # Where a cell's printing is cut into stream outputs depends on when the kernel flushed (it
    # differed once on a loaded runner): compare the text, merged as nbconvert merges it.
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    # Demo cells print timings; scratch paths are the run's own.
    text = [c.get("outputs", []) for c in nb.cells if c.cell_type == "code" and not is_demo(c)]
    return [re.sub(r"course-run-[\w-]+", "SCRATCH", str(o)) for o in text]


def _graded(folder: Path, warm: bool):
    course = Course.load(folder)
    with open(course.root / "course_config.py", "a") as config:
        config.write(f"\nc.Grading.warm_kernels = {warm}\n")
    course = Course.load(folder)
    summary = grade(course=course, assignment_id=AID, workers=1)
    return course, {r.student_id: r for r in summary.records}


def test_a_kernel_started_ahead_grades_exactly_as_a_cold_one(tmp_path):
    course = make_course_copy(tmp_path / "warm", extra_config=f"c.Sandbox.uid_base = {BASE}\n")
    students = sorted(synthesize(course, AID, hostile=[PROBE], mistakes=1))
    shutil.copytree(course.root, tmp_path / "cold")
    warm_course, warm = _graded(course.root, True)
    cold_course, cold = _graded(tmp_path / "cold", False)

    # One slot: every submission but the first ran in a kernel started during the one before.
    assert sorted(s for s, r in warm.items() if not r.started_ahead) == students[:1]
    assert not any(r.started_ahead for r in cold.values())
    for student in students:
        w, c = warm[student], cold[student]
        assert (w.status, w.score, w.message, w.tests) == (c.status, c.score, c.message, c.tests), student
        assert _outputs(warm_course, student) == _outputs(cold_course, student), student
    probe = "".join(str(o) for o in _outputs(warm_course, "hostile-probe")[0])
    assert "_importlib" not in probe and "_runtime" not in probe and "settings True True False" in probe
    assert warm["solution"].score == warm["solution"].max_score and warm["stub"].score == 0

    left = [p.info for p in psutil.process_iter(["pid", "uids", "cmdline"])
            if p.info["uids"] and BASE <= p.info["uids"].real < BASE + 64]
    assert not left, "a kernel started ahead outlived its batch"
    makers = [int(m) for m in re.findall(r"course-run-(\d+)-", " ".join(p.name for p in Path(tempfile.gettempdir()).iterdir()))]
    assert not [pid for pid in makers if not psutil.pid_exists(pid)], "a kernel's scratch was left behind"
