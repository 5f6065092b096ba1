import shutil

import pytest

from tests.conftest import PRACTICE_FORM, course_main, make_course_copy

# `course validate --otter` grades cases through the otter export too: here the solution and the stub
# of each assignment, 01's alternatives, and every case of the practice form (its mistakes too, with
# their partial scores; otter grades one of its cases in 2-4 s, a tenth of 04's). Every case of the coursework is `course
# validate --otter`, about twice validate's own time: more than CI's 15 minutes.
OTTER_KINDS = {PRACTICE_FORM: [], "01_layer_math": ["--otter-only", "solution", "--otter-only", "stub",
                                                    "--otter-only", "alternative"]}
COURSEWORK_OTTER_KINDS = ["--otter-only", "solution", "--otter-only", "stub"]


@pytest.fixture(scope="session")
def validated(tmp_path_factory):
    """`course validate <id> --solutions --otter` on a copy of the course, run once per assignment and
    shared: by the validation test and by the committed-solutions tests, which read what it wrote
    (its solution runs are the ones `course solutions` makes). Tests that use it for one assignment
    share an xdist group, so they run on the worker that made the run."""
    done = {}

    def run(assignment_id: str):
        if assignment_id not in done:
            form = assignment_id == PRACTICE_FORM
            course = make_course_copy(tmp_path_factory.mktemp(f"validate-{assignment_id}"), practice_form=form)
            shutil.rmtree(course.solutions_dir(assignment_id))  # what is there afterwards, the run wrote
            # Every case (mistakes too) under validate's seeds (5): each case is one kernel run, its
            # further seeds drawn in that kernel, and a cell a case leaves as the solution has it
            # is judged once.
            otter = ["--otter", *OTTER_KINDS.get(assignment_id, COURSEWORK_OTTER_KINDS)]
            code, out = course_main(course, "validate", assignment_id, "--solutions", *otter)
            done[assignment_id] = code, " ".join(out.split()), course
        return done[assignment_id]

    return run


def by_assignment(assignment_ids):
    """One parameter per assignment, each in the xdist group of its shared validation run."""
    return pytest.mark.parametrize("assignment_id", [
        pytest.param(aid, marks=pytest.mark.xdist_group(f"validate-{aid}")) for aid in assignment_ids])
