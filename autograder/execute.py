"""Execute one notebook in a fresh Jupyter kernel, with a hidden-check plan, and collect captures."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from dlmed.probe import CAPTURE_ENV, PLAN_ENV
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

KERNEL = "python3"


@dataclass
class Run:
    notebook: nbformat.NotebookNode
    captures: dict[str, dict] = field(default_factory=dict)
    error: str | None = None  # the run itself broke off (timeout, dead kernel)
    seconds: float = 0.0


def _read_captures(path: Path) -> dict[str, dict]:
    captures: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            check_id = record["check"]
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a damaged line judges as a missing capture
        captures.setdefault(str(check_id), record)  # the first record of a check is the one kept
    return captures


def run_notebook(nb: nbformat.NotebookNode, *, plan: dict, files_from: Path, cell_timeout: int) -> Run:
    """Run a copy of `nb` in a scratch copy of the folder `files_from` (its data files), so runs
    never write into the course and several can run side by side."""
    nb = nbformat.from_dict(nb)
    with tempfile.TemporaryDirectory(prefix="course-run-") as tmp:
        workdir = Path(tmp) / "work"
        shutil.copytree(files_from, workdir)
        plan_path, capture_path = Path(tmp) / "plan.json", Path(tmp) / "captures.jsonl"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        capture_path.touch()
        env = {**os.environ, PLAN_ENV: str(plan_path), CAPTURE_ENV: str(capture_path)}
        client = NotebookClient(
            nb,
            timeout=cell_timeout,
            kernel_name=KERNEL,
            allow_errors=True,
            # The kernel listens on loopback only; its start-up warning about that is noise.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            record_timing=False,
            resources={"metadata": {"path": str(workdir)}},
        )
        start = time.perf_counter()
        run = Run(notebook=nb)
        try:
            client.execute(env=env, cwd=str(workdir))
        except CellTimeoutError:
            run.error = f"a cell ran longer than {cell_timeout} s"
        except DeadKernelError:
            run.error = "the kernel died (crash, os._exit or out of memory)"
        run.seconds = time.perf_counter() - start
        run.captures = _read_captures(capture_path)
    return run
