"""A submission folder is read without following links: a link or special file anywhere refuses it
whole with a line naming the entry, and nothing of its target is read. No kernels: these are fast."""

import os
import resource
import threading
import zipfile

import nbformat
import pytest

from autograder.grading import results
from autograder.grading.unit import _cap_sources, sha256_of, stale
from autograder.intake import submission_files
from autograder.intake.archives import collect_archive
from autograder.intake.submission_files import InvalidSubmission, submitted_at, submitted_notebook, submitted_students

AID = "01_layer_math"
NOTEBOOK = "layer_math.ipynb"
STAMP = "2027-01-10 12:00:00.000000 UTC"


@pytest.fixture
def folder(course_copy):
    path = course_copy.submission_dir("ann", AID)
    path.mkdir(parents=True)
    (path / NOTEBOOK).write_bytes(course_copy.source_notebooks(AID)[0].read_bytes())
    (path / "timestamp.txt").write_text(STAMP)
    return path


def _refusal(course, student="ann", whole=True) -> str:
    with pytest.raises(InvalidSubmission) as refused:
        submitted_notebook(course, student, AID)
    if whole:  # a refused folder's timestamp is not believed either
        assert submitted_at(course, student, AID) is None
    return str(refused.value)


def test_a_plain_submission_is_read(course_copy, folder):
    notebook, note = submitted_notebook(course_copy, "ann", AID)
    assert notebook.name == NOTEBOOK and notebook.data == (folder / NOTEBOOK).read_bytes() and note == ""
    assert submitted_at(course_copy, "ann", AID).startswith("2027-01-10T12:00:00")


@pytest.mark.parametrize("entry, target", [
    (NOTEBOOK, "source"), ("timestamp.txt", "/etc/shadow"), ("submission_secret.txt", "/dev/zero"),
    ("data/more.csv", "/etc/shadow"),
])
def test_a_link_anywhere_refuses_the_folder(course_copy, folder, entry, target):
    path = folder / entry
    path.parent.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to(course_copy.source_notebooks(AID)[0] if target == "source" else target)
    message = _refusal(course_copy)
    assert f"submitted/ann/{AID}/{entry} is a symbolic link" in message and "\n" not in message


@pytest.mark.parametrize("linked", ["student", "assignment"])
def test_a_linked_folder_is_refused(course_copy, folder, linked):
    if linked == "student":
        (course_copy.submissions_root() / "bob").symlink_to(folder.parent)
        student, shown = "bob", "submitted/bob is a symbolic link"
    else:
        (course_copy.submissions_root() / "bob").mkdir()
        (course_copy.submissions_root() / "bob" / AID).symlink_to(course_copy.source_dir(AID))
        student, shown = "bob", f"submitted/bob/{AID} is a symbolic link"
    assert "bob" in submitted_students(course_copy, AID)  # listed, so that grading says why it is refused
    assert shown in _refusal(course_copy, student)


def test_a_named_pipe_never_blocks(course_copy, folder):
    (folder / NOTEBOOK).unlink()
    os.mkfifo(folder / NOTEBOOK)
    done = []
    reader = threading.Thread(target=lambda: done.append(_refusal(course_copy)), daemon=True)
    reader.start()
    reader.join(10)
    assert done and "is a named pipe" in done[0]


def test_a_file_swapped_for_a_link_after_the_screen_is_not_followed(course_copy, folder):
    with submission_files.opened(course_copy, "ann", AID) as opened:
        (folder / NOTEBOOK).unlink()
        (folder / NOTEBOOK).symlink_to("/etc/shadow")
        with pytest.raises(InvalidSubmission, match="is a symbolic link"):
            opened.read(NOTEBOOK)


def test_a_file_over_the_limit_is_refused_unread(course_copy, folder):
    course_copy.grading.max_submission_mb = 1
    (folder / NOTEBOOK).write_bytes(b" " * (2**20 + 1))
    assert "c.Grading.max_submission_mb" in _refusal(course_copy, whole=False)


def test_stale_sees_a_refusal_as_a_change_once(course_copy, folder):
    notebook, _ = submitted_notebook(course_copy, "ann", AID)
    record = results.Result(AID, "ann", results.OK, "", 1.0, 1.0, submission_sha256=sha256_of(notebook),
                            submitted_at=submitted_at(course_copy, "ann", AID))
    assert not stale(course_copy, record)
    (folder / "timestamp.txt").unlink()
    (folder / "timestamp.txt").symlink_to("/dev/zero")
    assert stale(course_copy, record)
    refused = results.Result(AID, "ann", results.INVALID, _refusal(course_copy), 0.0, 1.0)
    assert not stale(course_copy, refused)


def test_collect_never_writes_through_a_linked_folder(course_copy, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bob_layer_math.ipynb", "{}")
    (course_copy.submissions_root() / "bob").mkdir(parents=True)
    (course_copy.submissions_root() / "bob" / AID).symlink_to(course_copy.source_dir(AID))
    before = course_copy.source_notebooks(AID)[0].read_bytes()
    outcome = collect_archive(course=course_copy, assignment_id=AID, archive=archive)
    assert not outcome.placed and "is a symbolic link, not a folder" in outcome.unplaced[0][1]
    assert course_copy.source_notebooks(AID)[0].read_bytes() == before
    assert not (course_copy.source_dir(AID) / "timestamp.txt").exists()


def test_a_thousand_folders_side_by_side_are_walked_within_few_descriptors(course_copy, folder):
    """The walk holds one descriptor per level, not per folder: a data folder of many subfolders,
    under the 1024 descriptors services and Slurm jobs get, is screened, not mistaken for a change."""
    for i in range(300):
        (folder / "data" / f"d{i}").mkdir(parents=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, hard))
    try:
        notebook, _ = submitted_notebook(course_copy, "ann", AID)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert notebook.name == NOTEBOOK


def test_a_plain_file_where_a_folder_belongs_is_named_as_a_file(course_copy):
    course_copy.submission_dir("bob", AID).parent.mkdir(parents=True)
    course_copy.submission_dir("bob", AID).write_text("not a folder")
    assert "01_layer_math is a file, not" in _refusal(course_copy, "bob")


def test_the_graded_copy_keeps_answers_whole_past_a_large_pasted_image():
    """A screenshot pasted into a markdown cell is cut from the graded copy; the answers after it,
    which feedback and formgrader show, are kept."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("![shot](attachment:shot.png)",
                                      attachments={"shot.png": {"image/png": "A" * 5000}}),
        nbformat.v4.new_code_cell("def relu(x):\n    return np.maximum(x, 0)",
                                  metadata={"nbgrader": {"solution": True, "grade_id": "relu_answer"}}),
        nbformat.v4.new_markdown_cell("z" * 3000),
    ])
    assert _cap_sources(nb, 1000)
    shot, answer, notes = nb.cells
    assert "attachments" not in shot and "attachments cut" in shot.source
    assert answer.source == "def relu(x):\n    return np.maximum(x, 0)"
    assert notes.source.startswith("z" * 900) and "characters cut from the graded copy" in notes.source
