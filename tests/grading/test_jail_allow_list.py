"""The jail shows a list of places rather than hiding one: a run reads the system, its Python and
what the course config shows it, and nothing else of the host, wherever that lies."""

import json
from pathlib import Path

import nbformat
import pytest

from autograder.course.errors import CourseError
from autograder.grading import sandbox
from autograder.grading.execute import RunLimits, run_notebook
from autograder.grading.slots import Slot
from autograder.grading.unit import jail_for, shown_paths
from tests.conftest import make_course_copy

pytestmark = pytest.mark.skipif(sandbox.isolation("auto") != sandbox.BUBBLEWRAP, reason="needs bubblewrap")

_READ = """
import json, pathlib
seen = {}
for path in PATHS:
    try:
        seen[path] = pathlib.Path(path).read_text()
    except OSError as exc:
        seen[path] = type(exc).__name__
print(json.dumps(seen))
"""


def test_a_run_reads_what_it_is_shown_and_nothing_beside_it(tmp_path):
    shown, beside = tmp_path / "dataset", tmp_path / "other-course"
    for folder in (shown, beside):
        folder.mkdir()
        (folder / "file.txt").write_text(f"content of {folder.name}")
        folder.chmod(0o755)
        (folder / "file.txt").chmod(0o644)
    tmp_path.chmod(0o755)
    course = make_course_copy(tmp_path, extra_config=f"c.Sandbox.uid_base = 63200\nc.Sandbox.show = [{str(shown)!r}]\n")
    paths = [str(shown / "file.txt"), str(beside / "file.txt"), str(course.root / "course_config.py")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"PATHS = {paths!r}\n" + _READ)])
    (tmp_path / "files").mkdir()
    run = run_notebook(nb, plan={}, files_from=tmp_path / "files", limits=RunLimits(60),
                       confine=jail_for(course, Slot(0), sandbox.BUBBLEWRAP))
    seen = json.loads(run.notebook.cells[0].outputs[0]["text"])
    assert seen[paths[0]] == "content of dataset"
    assert seen[paths[1]] == "FileNotFoundError"
    assert seen[paths[2]] == "FileNotFoundError"


def test_a_config_that_would_show_the_course_is_refused(tmp_path):
    course = make_course_copy(tmp_path, extra_config=f"c.Sandbox.show = [{str(tmp_path)!r}]\n")
    with pytest.raises(CourseError, match="student code would see"):
        shown_paths(course)


def test_an_unjailed_run_leaves_no_temporary_files(tmp_path):
    # Validation runs kernels without a jail; their fixtures' files (a 45 MB checkpoint in 04) go with the run.
    code = "import tempfile, pathlib\nfolder = tempfile.mkdtemp()\npathlib.Path(folder, 'f').write_text('x')\nprint(folder)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    (tmp_path / "files").mkdir()
    run = run_notebook(nb, plan={}, files_from=tmp_path / "files", limits=RunLimits(60))
    folder = run.notebook.cells[0].outputs[0]["text"].strip()
    assert folder and not Path(folder).exists()
