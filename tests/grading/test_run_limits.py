"""Every run is limited as a graded submission's is: validate's cases, the solution `course
solutions` publishes and the mutants get the grading unit's limits (validate's per draw), so a
case validate passes cannot be cut off, truncated or lose its record when a student hands it in."""

import pytest

from autograder.course.errors import CourseError
from autograder.grading.execute import RunLimits
from autograder.verbs import mutants, solutions, validate
from tests.conftest import make_course_copy

AID = "01_layer_math"
CONFIG = "\nc.Execute.timeout = 7\nc.Grading.notebook_timeout = 90\nc.Grading.output_chars = 1234\nc.Grading.capture_mb = 3\n"


class _Stop(Exception):
    pass


def _limits_of_jobs(monkeypatch, module, run) -> set:
    seen = set()

    def no_pool(course, runner, jobs, on_start=None, on_done=None):
        seen.update(part for job in jobs for part in job if isinstance(part, RunLimits))
        raise _Stop

    monkeypatch.setattr(module, "run_in_pool", no_pool)
    with pytest.raises(_Stop):
        run()
    return seen


def test_validate_solutions_and_mutants_run_under_the_grading_units_limits(tmp_path, monkeypatch):
    course = make_course_copy(tmp_path, CONFIG)
    graded = RunLimits.of(course)
    assert graded == RunLimits(7, 90, 1234, 3 * 2**20, course.grading.disk_mb * 2**20)
    # validate judges every seed's calls in one run: each draw gets a submission's time, record and output
    assert _limits_of_jobs(monkeypatch, validate, lambda: validate.validate(
        course=course, assignment_ids=[AID], seeds=3)) == {RunLimits(21, 270, 3702, 9 * 2**20, graded.disk_bytes)}
    assert _limits_of_jobs(monkeypatch, mutants, lambda: mutants.analyse(
        course=course, assignment_ids=[AID], only={"relu"})) == {graded}

    def stop(*args, limits, **kwargs):
        assert limits == graded
        raise _Stop

    monkeypatch.setattr(solutions, "run_and_judge", stop)
    with pytest.raises(_Stop):
        solutions.build_solutions(course=course, assignment_ids=[AID])


def test_a_cell_time_limit_of_none_is_refused_when_the_config_loads(tmp_path):
    with pytest.raises(CourseError, match=r"c.Execute.timeout is None"):
        make_course_copy(tmp_path, "\nc.Execute.timeout = None\n")
