import shutil

import pytest

from tests.conftest import PRACTICE_FORM, course_main, make_course_copy

# `course validate --otter` grades cases through the otter export too: here the solution and the stub
# of 01 and of the practice form, and the form's alternatives (otter grades one of their cases in about
# 2 s). 02's and 03's (4-6 s a case, with otter assign's own run of the solution) and 01's alternatives
# went out with the documentation's build, for CI's time, as 04's had gone when the hub's tests gained
# the ngshare exchange (33 s a case: its notebook trains ResNets). Every case of every assignment through
# otter is `course validate --otter` run outside CI, about twice validate's own time (docs/instructor.md).
OTTER_KINDS = {"01_layer_math": ["--otter-only", "solution", "--otter-only", "stub"],
               PRACTICE_FORM: ["--otter-only", "solution", "--otter-only", "stub", "--otter-only", "alternative"]}
# Every case, mistakes too, under several seeds: validate's five, fewer where a seed costs the most.
# Each further seed is drawn in the case's own kernel and judged: 02's and 03's judging replays
# training and cross-validation, and 04's draws train ResNets (about 2.5 s of CPU a seed a case), so
# those three run under one seed here; 01 and the practice form under three (five until the
# documentation's build needed the time). Five seeds of every case of every assignment is `course
# validate`'s default, run outside CI (docs/instructor.md).
SEEDS = {"01_layer_math": 3, PRACTICE_FORM: 3, "02_training_loop": 1, "03_kfold_cv": 1, "04_transfer_resnet": 1}


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
            kinds = OTTER_KINDS.get(assignment_id, [])
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
