"""A kernel forked from a template (validate's cases) starts as a cold one does: same environment,
folder, paths, arguments, backends and modules; its own random state; and it ends with its run."""

import json

import nbformat
import psutil
import pytest

from autograder.grading.execute import TIMEOUT, RunLimits, run_notebook
from autograder.grading.forked_kernels import Template

pytestmark = pytest.mark.slow

PROBE = """
import json, os, sys, tempfile, threading
import matplotlib, numpy
import helper
print(json.dumps({
    "cwd": os.getcwd(), "path": sys.path, "argv": sys.argv, "env": dict(os.environ),
    "tmp": tempfile.gettempdir(), "helper": helper.__file__, "backend": matplotlib.get_backend(),
    "draw": numpy.random.random_sample(), "main": __name__, "parent": os.getppid(),
    "names": sorted(n for n in globals() if not n.startswith("_")),
}))
"""


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "helper.py").write_text("VALUE = 1\n")  # the assignment's own module: imported from the run's copy
    return folder


def _probe(files, template=None) -> dict:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    run = run_notebook(nb, plan={}, files_from=files, limits=RunLimits(120), template=template)
    assert run.error is None, run.error
    seen = json.loads(run.notebook.cells[0].outputs[0]["text"])
    # Each run has a scratch folder and a connection file of its own: compare what lies around them.
    scratch = seen["cwd"].rsplit("/work", 1)[0]
    seen = json.loads(json.dumps(seen).replace(scratch, "<scratch>"))
    seen["argv"][seen["argv"].index("-f") + 1] = "<connection>"
    for name in ("JPY_PARENT_PID", "JPY_SESSION_NAME"):
        seen["env"].pop(name, None)
    return seen


def test_a_forked_kernel_starts_as_a_cold_one_and_leaves_nothing(files):
    template = Template(["json", "os", "matplotlib.pyplot", "numpy"])
    try:
        cold, forked, again = _probe(files), _probe(files, template), _probe(files, template)
        assert [seen.pop("parent") == template.process.pid for seen in (cold, forked, again)] == [False, True, True]
        draws = {cold.pop("draw"), forked.pop("draw"), again.pop("draw")}
        assert len(draws) == 3  # numpy's global state drawn afresh, not copied from the template
        assert forked == cold
        assert forked["helper"] == "<scratch>/work/helper.py"
        assert forked["backend"] == "module://matplotlib_inline.backend_inline"

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(600)")])
        run = run_notebook(nb, plan={}, files_from=files, limits=RunLimits(3), template=template)
        assert run.stopped == TIMEOUT
        _, left = psutil.wait_procs(psutil.Process(template.process.pid).children(recursive=True), timeout=5)
        assert not left
    finally:
        template.close()
