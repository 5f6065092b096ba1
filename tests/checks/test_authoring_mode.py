"""Without a grading plan, hidden_check judges in the kernel so authors get instant feedback."""

import numpy as np
import pytest

from autograder.checks import CheckFailed
from dlmed import hidden_check


def test_passes_silently_on_a_correct_function(monkeypatch):
    monkeypatch.delenv("DLMED_PLAN", raising=False)
    hidden_check("01_layer_math:relu", {"relu": lambda z: np.maximum(z, 0.0)})


def test_raises_the_teaching_message_on_a_mistake(monkeypatch):
    monkeypatch.delenv("DLMED_PLAN", raising=False)
    with pytest.raises(CheckFailed, match=r"1 - tanh\(z\)\*\*2"):
        hidden_check("01_layer_math:tanh_grad", {"tanh_grad": lambda z: 1 - np.tanh(z)})


def test_grading_mode_only_records(monkeypatch, tmp_path):
    import json

    from autograder import checks

    plan = checks.plan_to_wire(checks.make_plan(["01_layer_math:relu"], 3))
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    monkeypatch.setenv("DLMED_PLAN", str(tmp_path / "plan.json"))
    monkeypatch.setenv("DLMED_CAPTURE", str(tmp_path / "captures.jsonl"))
    hidden_check("01_layer_math:relu", {"relu": lambda z: z})  # wrong, yet nothing raised here
    record = json.loads((tmp_path / "captures.jsonl").read_text())
    assert record["check"] == "01_layer_math:relu" and len(record["outcomes"]) == len(plan["checks"]["01_layer_math:relu"])


def test_further_draws_are_recorded_each_with_its_number_and_leave_the_random_state_alone(monkeypatch, tmp_path):
    import json
    import random

    import torch

    from autograder import checks
    from autograder.grading.execute import _read_captures

    check_id = "02_training_loop:train_one_epoch"  # its fixtures seed torch's global generator
    plan = checks.plan_to_wire(checks.make_plan([check_id], 1), [checks.make_plan([check_id], s) for s in (2, 3)])
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    monkeypatch.setenv("DLMED_PLAN", str(tmp_path / "plan.json"))
    monkeypatch.setenv("DLMED_CAPTURE", str(tmp_path / "captures.jsonl"))
    random.seed(5), np.random.seed(5), torch.manual_seed(5)
    expected = random.random(), np.random.rand(), torch.rand(1).item()
    random.seed(5), np.random.seed(5), torch.manual_seed(5)
    hidden_check(check_id, {"train_one_epoch": lambda *args: torch.rand(1).item()})
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected
    by_draw = _read_captures(tmp_path / "captures.jsonl", None)
    assert sorted(by_draw) == [0, 1, 2] and all(list(records) == [check_id] for records in by_draw.values())
    assert by_draw[1][check_id]["outcomes"] != by_draw[2][check_id]["outcomes"]
