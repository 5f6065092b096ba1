"""A synthetic cohort for the demo and the tests: correct, mistaken, blank, broken and hostile
submissions of one assignment, each with the grade it must get.

Correct and mistaken notebooks come from the assignment's own validation cases (tests/submissions),
as students would hand them in (hidden tests removed). Hostile ones are a correct or blank notebook
with one attack added, a damaged file, or a folder with a link or a special file planted in it. An attack that comes after every test must not cost a
correct notebook its points; a forgery must not earn a blank one any.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
from nbgrader.preprocessors import ClearHiddenTests

from ..authoring.cases import cases_for
from ..course import notebooks
from ..course.coursedir import Course
from ..grading import results
from . import edits

FULL, ZERO = "full", "zero"


@dataclass(frozen=True)
class Hostile:
    name: str
    base: str  # "solution" or "stub": the notebook the attack is added to
    status: str  # the status its record must have
    score: str  # FULL or ZERO
    code: str = ""  # a cell added to the notebook (at `where`)
    where: str = "end"  # "start": before every other cell, "end": after the last
    damage: Callable[[nbformat.NotebookNode], bytes] | None = None  # the file's bytes, for broken files
    file_name: str | None = None  # submitted under another name
    # Changes the submission's folder once the whole cohort is written (a link, a named pipe): what
    # shared storage or a hand-made copy can hold, and nbgrader's submit never makes.
    plant: Callable[[Path, Course, str], None] | None = None  # (its folder, the course, the assignment id)
    says: str = ""  # words its record's message must hold (the entry it names)


def _test_cells(nb):
    return [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade") and not notebooks.nbgrader_meta(c).get("solution")]


def _delete_tests(nb) -> bytes:
    for cell in _test_cells(nb):
        nb.cells.remove(cell)
    return nbformat.writes(nb).encode()


def _tests_as_markdown(nb) -> bytes:
    for cell in _test_cells(nb):
        cell.cell_type = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return nbformat.writes(nb).encode()


def _tests_edited(nb) -> bytes:
    for cell in _test_cells(nb):
        cell.source = "pass  # nothing to see here"
    return nbformat.writes(nb).encode()


def _strip_metadata(nb) -> bytes:
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nbformat.writes(nb).encode()


def _older_nbformat(nb) -> bytes:
    return nbformat.writes(nbformat.convert(nb, 3)).encode()


# A record of the checks nested far deeper than any JSON decoder's stack, written where the probe
# writes; and display messages sent past the kernel's own serializer.
_DEEP = "'[' * 100000 + ']' * 100000"
_DEEP_CAPTURE = (
    "import os\nwith open(os.environ['DLMED_CAPTURE'], 'a') as f:\n"
    "    for check in ['relu', 'sigmoid', 'tanh', 'softmax']:\n"
    "        f.write('{{\"check\": \"01_layer_math:' + check + '\", \"outcomes\": ' + " + _DEEP + " + '}}\\n')"
)
def _deep_output(levels: int) -> str:
    deep = f"'[' * {levels} + ']' * {levels}"
    return (
        "from IPython.display import display\n_session = get_ipython().kernel.session\n_pack = _session.pack\n"
        "_deep = ('{{\"data\": {{\"text/plain\": ' + " + deep + " + '}}, \"metadata\": {{}}, \"transient\": {{}}}}').encode()\n"
        "_session.pack = lambda obj: _deep if isinstance(obj, dict) and obj.get('data', {{}}).get('text/plain') == 'DEEP' else _pack(obj)\n"
        "display({{'text/plain': 'DEEP'}}, raw=True)\n_session.pack = _pack"
    )


# Where a grading host keeps what is not the run's: other courses, homes, services' state. Canaries
# planted there (by the tests) must not be readable.
HOST_PLACES = ("/srv", "/opt", "/home", "/mnt", "/media", "/var/tmp", "/var/lib", "/tmp", "/etc", "/root", "/run")
_READ_HOST = f"""
import glob
for place in {HOST_PLACES!r}:
    for path in glob.glob(place + '/*/canary*.txt'):
        try:
            print('READ', path, open(path).read()[:200])
        except Exception as exc:
            print('blocked', path, type(exc).__name__)
"""


def _fill(write: str, ignore_errors: bool = False) -> str:
    """Write twice the run's disk budget, 16 MiB at a time (bounded, so that without a budget it ends)."""
    step = f"try:\n        {write}\n    except OSError:\n        pass" if ignore_errors else write
    return ("import os\nchunk = b'x' * 2**24\ni = 0\n"
            f"while i * len(chunk) < 2 * {{disk_mb}} * 2**20:\n    {step}\n    i += 1")


# Placeholders filled in by the caller: {course_root}, {gradebook}, {port}, {disk_mb}.
_READ_SECRETS = """
import glob, pathlib
for pattern in ["{course_root}/solutions/*/*.ipynb", "{course_root}/assignments/*/*.ipynb", "{gradebook}",
                "{course_root}/autograder/checks/*.py", "{course_root}/submitted/*/*/*.ipynb"]:
    for path in glob.glob(pattern) or [pattern]:
        try:
            print("READ", path, pathlib.Path(path).read_text()[:2000])
        except Exception as exc:
            print("blocked", path, type(exc).__name__)
"""

HOSTILE = [
    Hostile("infinite_loop", "solution", results.TIMEOUT, FULL, "while True:\n    pass"),
    Hostile("sleep_forever", "solution", results.TIMEOUT, FULL, "import time\ntime.sleep(10**6)"),
    Hostile("os_exit", "solution", results.CRASHED, FULL, "import os\nos._exit(3)"),
    Hostile("segfault", "solution", results.CRASHED, FULL, "import ctypes\nctypes.string_at(0)"),
    Hostile("memory_hog", "solution", results.OUT_OF_MEMORY, FULL,
            "import numpy as np, time\nblocks = []\nwhile True:\n    blocks.append(np.ones(2**27))\n    time.sleep(0.05)"),
    # The classic shell bomb: small processes, so the process limit (not memory) is what stops it.
    Hostile("fork_bomb", "solution", results.OK, FULL, "import subprocess\nsubprocess.Popen(['bash', '-c', ':(){{ :|:& }};:'])"),
    Hostile("print_100mb", "solution", results.OK, FULL, "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 2**20)"),
    Hostile("read_secrets", "solution", results.OK, FULL, _READ_SECRETS, where="start"),
    Hostile("write_gradebook", "solution", results.OK, FULL,
            "try:\n    open('{gradebook}', 'w').write('gone')\nexcept Exception as exc:\n    print('blocked', type(exc).__name__)"),
    Hostile("network", "solution", results.OK, FULL,
            "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'LEAK')\n"
            "except OSError as exc:\n    print('blocked', exc)"),
    Hostile("background_process", "solution", results.OK, FULL,
            "import subprocess\nsubprocess.Popen(['sleep', '900'], start_new_session=True)\n"
            "subprocess.Popen(['sh', '-c', 'sleep 900 & sleep 900'], start_new_session=True)"),
    Hostile("sys_exit", "solution", results.OK, FULL, "import sys\nsys.exit(0)"),
    Hostile("stderr_warnings", "solution", results.OK, FULL,
            "import warnings, sys\nwarnings.warn('deprecated thing')\nprint('a note on stderr', file=sys.stderr)", where="start"),
    Hostile("forge_blank_asserts", "stub", results.TESTS_FAILED, ZERO,
            "def _blank(lines):\n    return [l.replace('assert ', 'pass  #') for l in lines]\n"
            "get_ipython().input_transformers_post.append(_blank)", where="start"),
    Hostile("forge_always_equal", "stub", results.TESTS_FAILED, ZERO,
            "import numpy as np\nclass _Yes(np.ndarray):\n    def __eq__(self, other): return True\n"
            "    def __array_finalize__(self, obj): pass\n"
            "import builtins\n_real_all = builtins.all\nbuiltins.all = lambda *a, **k: True\n"
            "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None", where="start"),
    Hostile("forge_patch_helpers", "stub", results.TESTS_FAILED, ZERO,
            "import dlmed, dlmed.probe\ndlmed.hidden_check = dlmed.probe.hidden_check = lambda *a, **k: None\n"
            "import sys\nsys.modules['dlmed'].hidden_check = lambda *a, **k: None", where="start"),
    Hostile("deleted_tests", "solution", results.OK, FULL, damage=_delete_tests),
    Hostile("tests_as_markdown", "solution", results.OK, FULL, damage=_tests_as_markdown),
    Hostile("edited_tests_blank", "stub", results.TESTS_FAILED, ZERO, damage=_tests_edited),
    Hostile("stripped_metadata", "solution", results.OK, FULL, damage=_strip_metadata),
    Hostile("invalid_json", "solution", results.INVALID, ZERO, damage=lambda nb: nbformat.writes(nb).encode()[:-40]),
    Hostile("empty_file", "solution", results.INVALID, ZERO, damage=lambda nb: b""),
    Hostile("wrong_file_name", "solution", results.OK, FULL, file_name="my answers (1).ipynb"),
    Hostile("older_nbformat", "solution", results.OK, FULL, damage=_older_nbformat),
    # What the kernel leaves for us to read is the student's to shape: a verdict on them, never our crash.
    Hostile("deep_capture", "stub", results.TESTS_FAILED, ZERO, _DEEP_CAPTURE, where="start"),
    Hostile("deep_output", "solution", results.CRASHED, FULL, _deep_output(100000)),  # beyond JSON's decoder
    Hostile("nested_output", "solution", results.CRASHED, FULL, _deep_output(450)),  # decodes, beyond nbformat
    # The host beyond the run's own files is not there to read; and what a run writes has a budget,
    # wherever it writes and however it treats the errors.
    Hostile("read_host_files", "solution", results.OK, FULL, _READ_HOST, where="start"),
    Hostile("fill_workdir", "solution", results.OUT_OF_DISK, FULL,
            _fill("open(f'big{{i}}.bin', 'wb').write(chunk)", ignore_errors=True)),
    Hostile("fill_tmp", "solution", results.OUT_OF_DISK, FULL, "f = open('/tmp/big.bin', 'wb')\n" + _fill("f.write(chunk)")),
    Hostile("fill_shm", "solution", results.OUT_OF_DISK, FULL,
            _fill("open(f'/dev/shm/big{{i}}', 'wb').write(chunk)", ignore_errors=True)),
    Hostile("many_files", "solution", results.OUT_OF_DISK, FULL,
            "import os\nfor i in range(2 * {disk_mb} * 2**20 // 4096):\n    try:\n        open(f'/tmp/f{{i}}', 'w').close()\n"
            "    except OSError:\n        pass"),
]


def _notebook(course: Course, assignment_id: str) -> str:
    return course.source_notebooks(assignment_id)[0].name


def _link(name: str | None, target: Callable[[Course, str], Path]) -> Callable[[Path, Course, str], None]:
    """Replace `name` in the submission's folder (the notebook when None, the folder itself when "")
    by a symbolic link to `target`."""
    def plant(folder: Path, course: Course, assignment_id: str) -> None:
        entry = folder / (_notebook(course, assignment_id) if name is None else name)
        if entry.is_dir():
            shutil.rmtree(entry)
        entry.unlink(missing_ok=True)
        entry.symlink_to(target(course, assignment_id))
    return plant


def _fifo_notebook(folder: Path, course: Course, assignment_id: str) -> None:
    entry = folder / _notebook(course, assignment_id)
    entry.unlink()
    os.mkfifo(entry)


def _oversized(nb) -> bytes:
    """Twice the submission limit the tests set (c.Grading.max_submission_mb = 1), in a markdown cell."""
    nb.cells.append(nbformat.v4.new_markdown_cell("x" * 2 * 2**20))
    return nbformat.writes(nb).encode()


def _long_markdown(nb) -> bytes:
    """Under the submission limit the tests set, over the graded copy's (c.Grading.source_chars = 200000)."""
    nb.cells.append(nbformat.v4.new_markdown_cell("y" * 600_000))
    return nbformat.writes(nb).encode()


ROOT_ONLY_FILE = Path("/etc/shadow")  # readable by root alone, as grading runs
# A submission folder holding a link or a special file anywhere is refused whole, unread.
PLANTED = [
    Hostile("linked_source_notebook", "solution", results.INVALID, ZERO, says="layer_math.ipynb is a symbolic link",
            plant=_link(None, lambda course, aid: course.source_notebooks(aid)[0])),
    Hostile("linked_assignment_folder", "solution", results.INVALID, ZERO, says="01_layer_math is a symbolic link",
            plant=_link("", lambda course, aid: course.source_dir(aid))),
    Hostile("linked_other_student", "stub", results.INVALID, ZERO, says="layer_math.ipynb is a symbolic link",
            plant=_link(None, lambda course, aid: course.submission_dir("solution", aid) / _notebook(course, aid))),
    Hostile("linked_timestamp", "solution", results.INVALID, ZERO, says="timestamp.txt is a symbolic link",
            plant=_link("timestamp.txt", lambda course, aid: ROOT_ONLY_FILE)),
    Hostile("linked_secret", "solution", results.INVALID, ZERO, says="submission_secret.txt is a symbolic link",
            plant=_link("submission_secret.txt", lambda course, aid: ROOT_ONLY_FILE)),
    Hostile("notebook_dev_zero", "solution", results.INVALID, ZERO, says="layer_math.ipynb is a symbolic link",
            plant=_link(None, lambda course, aid: Path("/dev/zero"))),
    Hostile("timestamp_dev_zero", "solution", results.INVALID, ZERO, says="timestamp.txt is a symbolic link",
            plant=_link("timestamp.txt", lambda course, aid: Path("/dev/zero"))),
    Hostile("fifo_notebook", "solution", results.INVALID, ZERO, says="layer_math.ipynb is a named pipe",
            plant=_fifo_notebook),
    Hostile("oversized_notebook", "solution", results.INVALID, ZERO, says="c.Grading.max_submission_mb",
            damage=_oversized),
    Hostile("long_markdown", "solution", results.OK, FULL, says="cut from the graded copy", damage=_long_markdown),
]
HOSTILE += PLANTED

# Everyday Jupyter edits that leave nbgrader's cell roles ambiguous: graded, never refused.
EDITED = [
    Hostile("pasted_answer", "solution", results.OK, FULL, damage=edits.pasted_answer, says="appears 2 times"),
    Hostile("pasted_answer_kept_id", "solution", results.OK, FULL, damage=edits.pasted_answer_kept_id,
            says="appears 2 times"),
    Hostile("answer_over_stub_copy", "solution", results.OK, FULL, damage=edits.answer_over_stub_copy,
            says="still the released stub"),
    Hostile("duplicated_test", "solution", results.OK, FULL, damage=edits.duplicated_test, says="dropped the copies"),
    Hostile("answer_as_test", "solution", results.OK, FULL, damage=edits.answer_as_test, says="is relabelled as"),
    Hostile("test_as_answer", "solution", results.OK, FULL, damage=edits.test_as_answer, says="is relabelled as"),
    Hostile("test_as_answer_blank", "stub", results.TESTS_FAILED, ZERO, damage=edits.test_as_answer),
    Hostile("fake_locked_cell", "solution", results.OK, FULL, damage=edits.fake_locked_cell,
            says="claims an nbgrader role"),
    Hostile("garbled_roles", "solution", results.OK, FULL, damage=edits.garbled_roles),
]
HOSTILE += EDITED


def as_submitted(nb) -> nbformat.NotebookNode:
    """What a student hands in: the hidden tests are not in their copy."""
    nb, _ = ClearHiddenTests().preprocess(nbformat.from_dict(nb), {})
    return nb


def attack(case: Hostile, base: nbformat.NotebookNode, **placeholders) -> bytes:
    nb = nbformat.from_dict(json.loads(json.dumps(base)))
    if case.code:
        cell = nbformat.v4.new_code_cell(case.code.format(**placeholders))
        nb.cells.insert(0 if case.where == "start" else len(nb.cells), cell)
    return case.damage(nb) if case.damage else nbformat.writes(nb).encode()


def synthesize(course: Course, assignment_id: str, *, hostile: list[Hostile], mistakes: int | None = None,
               alternatives: int | None = None, port: int = 9) -> dict[str, str]:
    """Write submitted/<student>/<assignment>/ for a cohort (the first `mistakes` and `alternatives`
    known cases of each kind, all when None); returns student id -> what they handed in."""
    source_path = course.source_notebooks(assignment_id)[0]
    cases = cases_for(notebooks.read(source_path), course.config, course.cases_dir(assignment_id))
    by_kind = {kind: [c for c in cases if c.kind == kind] for kind in ("solution", "stub", "mistake", "alternative")}
    bases = {"solution": as_submitted(by_kind["solution"][0].notebook), "stub": as_submitted(by_kind["stub"][0].notebook)}
    placeholders = {"course_root": course.root, "gradebook": course.sqlite_gradebook() or "", "port": port,
                    "disk_mb": course.grading.disk_mb}
    cohort: dict[str, bytes | nbformat.NotebookNode] = {}
    names: dict[str, str] = {}
    for case in by_kind["solution"] + by_kind["alternative"][:alternatives] + by_kind["stub"] + by_kind["mistake"][:mistakes]:
        student = (case.name if case.name == case.kind else f"{case.kind}-{case.name}").replace("_", "-").lower()
        cohort[student], names[student] = nbformat.writes(as_submitted(case.notebook)).encode(), case.kind
    files = {}
    for case in hostile:
        student = f"hostile-{case.name}".replace("_", "-")
        cohort[student], names[student] = attack(case, bases[case.base], **placeholders), "hostile"
        files[student] = case.file_name
    for student, content in cohort.items():
        folder = course.submission_dir(student, assignment_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / (files.get(student) or source_path.name)).write_bytes(content)
    for case in hostile:
        if case.plant:
            case.plant(course.submission_dir(f"hostile-{case.name}".replace("_", "-"), assignment_id), course,
                       assignment_id)
    return names
