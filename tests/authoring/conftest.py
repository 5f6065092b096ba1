import shutil

import pytest

from tests.conftest import PRACTICE_FORM, course_main, make_course_copy

# `course validate --otter` grades cases through the otter export too: here the solution and the stub
# of each assignment, and the practice form's alternatives (otter grades one of its cases in 2-4 s, a
# tenth of 04's). 01's alternatives went out with the documentation's build, for CI's time: the form's
# still take otter's path for answers written differently. Every case of every assignment through otter
# is `course validate --otter` run outside CI, about twice validate's own time (docs/instructor.md).
COURSEWORK_OTTER_KINDS = ["--otter-only", "solution", "--otter-only", "stub"]
OTTER_KINDS = {PRACTICE_FORM: [*COURSEWORK_OTTER_KINDS, "--otter-only", "alternative"]}
# 04 through otter costs 33 s a case (its notebook trains ResNets): CI had no room left for even its
# solution once the hub's tests gained the ngshare exchange; `course validate 04_transfer_resnet
# --otter` checks it outside CI.
OTTER_KINDS["04_transfer_resnet"] = []
# Every case, mistakes too, under several seeds: validate's five, fewer where a seed costs the most.
# Each further seed is drawn in the case's own kernel and judged: 02's and 03's judging replays
# training and cross-validation, and 04's draws train ResNets (about 2.5 s of CPU a seed a case, 120 s
# for its 48 cases), so more seeds would take CI past its 15 minutes (the suite took 848 s on two
# quiet cores with 02, 03 and 04 under three, two and two; CI 869 s before the hub's boundary test).
# 02 and 03 went to one seed when the hub's tests gained the ngshare exchange, a roster exam and an
# outage (CI took 874 s of pytest with 02 under two); 01 and the practice form keep five.
# Five seeds of every case of every assignment is `course validate`'s default, run outside CI (docs/instructor.md).
SEEDS = {"02_training_loop": 1, "03_kfold_cv": 1, "04_transfer_resnet": 1}


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
            kinds = OTTER_KINDS.get(assignment_id, COURSEWORK_OTTER_KINDS)
            otter = ["--otter", *kinds] if kinds else []
            seeds = ["--seeds", str(SEEDS.get(assignment_id, course.validation.validate_seeds))]
            code, out = course_main(course, "validate", assignment_id, "--solutions", *seeds, *otter)
            done[assignment_id] = code, " ".join(out.split()), course
        return done[assignment_id]

    return run


def by_assignment(assignment_ids):
    """One parameter per assignment, each in the xdist group of its shared validation run."""
    return pytest.mark.parametrize("assignment_id", [
        pytest.param(aid, marks=pytest.mark.xdist_group(f"validate-{aid}")) for aid in assignment_ids])
