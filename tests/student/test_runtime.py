"""The settings a grading kernel applies before the first cell (dlmed.runtime.configure): torch is
seeded and deterministic whether the notebook imports it after the start-up line or not at all
until late, and torch.compile is deterministic too, without loading the compiler for notebooks
that never use it."""

import subprocess
import sys

import pytest

CHECK = """
import sys
import torch
print(torch.initial_seed(), torch.are_deterministic_algorithms_enabled(),
      torch.is_deterministic_algorithms_warn_only_enabled(), torch.backends.cudnn.benchmark,
      "torch._dynamo" in sys.modules)
import torch._inductor
print(torch._inductor.config.deterministic)
"""


@pytest.mark.parametrize("torch_first", [False, True], ids=["torch-imported-later", "torch-imported-before"])
def test_torch_is_seeded_and_deterministic_and_the_compiler_is_left_unloaded(torch_first):
    setup = ("import torch\n" if torch_first else "") + "import dlmed.runtime; dlmed.runtime.configure()\n"
    out = subprocess.run([sys.executable, "-c", setup + CHECK], env={"DLMED_SEED": "1234"}, capture_output=True,
                         text=True, check=True).stdout.split("\n")
    assert out[0] == "1234 True True False False"
    assert out[1] == "True"

