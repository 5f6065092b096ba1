"""The benchmarks stay runnable: bench/scale.py at a tiny size, and the GPU runner check, which on a
machine without a GPU grades its CPU run and says "no GPU". Their figures are for the notes; here
only that they run end to end and report what they promise."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.records.postgres_server import postgres_bin

pytestmark = pytest.mark.slow


@pytest.mark.xdist_group("bench-scale")
def test_the_scale_bench_runs_and_reports_every_figure(tmp_path):
    out = tmp_path / "scale"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "scale.py"), "--sizes", "3",
                           "--assignments", "01_layer_math", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    [row] = json.loads((out / "scale.json").read_text())
    assert row["submissions"] == 3 and sum(row["statuses"].values()) == 3, row
    assert row["wall_s"] > 0 and row["peak_memory_mb"] > 0 and row["disk_mb"] > 0, row
    assert {"read and sanitize", "kernel start", "cells", "judging", "record"} <= set(row["stages_median_s"]), row
    assert ("postgres_ingest_s" in row) == (postgres_bin() is not None), row
    assert (out / "scale.png").stat().st_size > 0


@pytest.mark.xdist_group("bench-gpu")
def test_the_gpu_runner_check_runs_on_cpu_and_says_no_gpu(tmp_path):
    env = {**os.environ, "GPU_CHECK_PYTHON": sys.executable, "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([str(REPO / "scripts" / "gpu-check.sh"), "--students", "2", "--out", str(tmp_path / "gpu.json")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no GPU" in done.stdout, done.stdout
