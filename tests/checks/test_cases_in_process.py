"""Every assignment's hidden checks judged in-process, without a kernel: the stub fails each one,
plans draw fresh inputs per seed, and forged records fail without crashing the judge. Whether
every known case gets the same verdict under every seed, `course validate` proves in real kernels
(tests/authoring/test_validate.py); `namespace_of` and `verdicts` here are the quick way to try a
check on a case while writing it."""

import contextlib
import io
import tempfile
import types

import pytest
from dlmed import probe

from autograder import checks
from autograder.authoring.cases import cases_for, is_demo
from autograder.course import notebooks

pytestmark = pytest.mark.slow

ASSIGNMENTS = ["01_layer_math", "02_training_loop", "03_kfold_cv", "04_transfer_resnet"]
by_assignment = pytest.mark.parametrize("assignment", ASSIGNMENTS)


@pytest.fixture(autouse=True)
def _temporary_files_in_the_test_folder(tmp_path, monkeypatch):
    """The replays build fixtures in temporary folders (04's tiny MedNIST), as the grader's judge does
    in one of its own; here they go with the test's folder rather than pile up in /tmp."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def namespace_of(nb) -> dict:
    """Execute the notebook's non-test code cells, as a kernel would, in a plain dict."""
    fake_ipython = types.SimpleNamespace(input_transformers_cleanup=[])
    namespace = {"get_ipython": lambda: fake_ipython}
    for cell in nb.cells:
        if cell.cell_type == "code" and not notebooks.nbgrader_meta(cell).get("grade") and not is_demo(cell):
            try:  # like a kernel run with allow_errors: a failing cell does not stop the rest
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(cell.source, f"<cell {cell.get('id')}>", "exec"), namespace)
            except Exception:
                pass
    return namespace


def verdicts(namespace, source_nb, seed, only=None) -> dict[str, list[str]]:
    """grade_id -> failure messages of its hidden checks (of the cells in `only`, when given: a check
    of 04 replays training, so judging the cells a test does not look at costs minutes)."""
    result = {}
    for cell in notebooks.graded_cells(source_nb):
        if not cell.is_test or (only is not None and cell.grade_id not in only):
            continue
        messages = []
        for check_id in cell.check_ids:
            calls = checks.make_plan([check_id], seed)[check_id]
            record = {"outcomes": probe.run_calls([c.to_wire() for c in calls], namespace)}
            if message := checks.judge(check_id, calls, record):
                messages.append(message)
        result[cell.grade_id] = messages
    return result


def _cases(repo_course, assignment):
    source_nb = notebooks.read(repo_course.source_notebooks(assignment)[0])
    return source_nb, cases_for(source_nb, repo_course.config, repo_course.cases_dir(assignment))


@by_assignment
def test_the_stub_fails_every_check(repo_course, assignment):
    source_nb, cases = _cases(repo_course, assignment)
    stub = next(c for c in cases if c.kind == "stub")
    found = verdicts(namespace_of(stub.notebook), source_nb, seed=0)
    assert all(found.values()), {k: v for k, v in found.items() if not v}


@by_assignment
def test_every_check_draws_fresh_inputs_per_seed(assignment):
    for name in checks.checks_of(assignment):
        one, two = (checks.plan_to_wire(checks.make_plan([f"{assignment}:{name}"], s)) for s in (1, 2))
        assert one != two, name


def test_forged_records_fail_without_crashing():
    check_id = "01_layer_math:relu"
    calls = checks.make_plan([check_id], 0)[check_id]
    assert "did not run" in checks.judge(check_id, calls, None)
    assert "damaged" in checks.judge(check_id, calls, {"outcomes": []})
    forged = [{"value": {"$unsupported": "AlwaysEqual"}, "error": None, "warnings": []} for _ in calls]
    assert "AlwaysEqual" in checks.judge(check_id, calls, {"outcomes": forged})
    garbage = [{"value": {"$nonsense": 1}} for _ in calls]
    assert "could not be read" in checks.judge(check_id, calls, {"outcomes": garbage})
