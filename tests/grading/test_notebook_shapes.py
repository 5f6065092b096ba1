"""Correct notebooks in the shapes real editors save get full marks: Google Colab (nbformat 4.0,
ids in cell metadata), VS Code, JupyterLab 3 and 4, classic Notebook 6 (nbformat 4.4, no cell
ids), widget state, attachments, Windows line endings and a byte-order mark. Each shape is the
solution as a student hands it in, re-saved the way that editor writes its files."""

import copy
import json

import nbformat
import pytest

from autograder.demo.cohort import as_submitted
from autograder.grading import results
from autograder.verbs.grade import grade

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notebook-shapes")]
AID = "01_layer_math"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="


def _older_minor(nb: dict, minor: int) -> dict:
    nb["nbformat_minor"] = minor
    for cell in nb["cells"]:
        cell.pop("id", None)
    return nb


def colab(nb):
    nb = _older_minor(nb, 0)
    nb["metadata"] = {"colab": {"provenance": [], "name": "layer_math.ipynb", "collapsed_sections": []},
                      "kernelspec": {"name": "python3", "display_name": "Python 3"},
                      "language_info": {"name": "python"}, "accelerator": "GPU"}
    for index, cell in enumerate(nb["cells"]):
        cell["metadata"]["id"] = f"c{index:04d}xYz"  # Colab keeps its ids in cell metadata
        if cell["cell_type"] == "code":
            cell["metadata"]["colab"] = {"base_uri": "https://localhost:8080/"}
            cell["metadata"]["outputId"] = f"o{index:04d}"
    return json.dumps(nb, indent=2).encode()


def vscode(nb):
    nb["metadata"].update({"vscode": {"interpreter": {"hash": "a" * 64}},
                           "language_info": {"name": "python", "version": "3.11.7", "mimetype": "text/x-python",
                                             "file_extension": ".py", "pygments_lexer": "ipython3",
                                             "codemirror_mode": {"name": "ipython", "version": 3},
                                             "nbconvert_exporter": "python"}})
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["metadata"]["vscode"] = {"languageId": "python"}
    return json.dumps(nb, indent=1, ensure_ascii=False).encode()


def jupyterlab3(nb):
    nb["metadata"]["toc-autonumbering"] = False
    for cell in nb["cells"]:
        cell["metadata"]["tags"] = cell["metadata"].get("tags", [])
        if cell["cell_type"] == "code":
            cell["metadata"]["jupyter"] = {"source_hidden": False}
    return json.dumps(nb, indent=1, sort_keys=True).encode()


def jupyterlab4(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["metadata"]["execution"] = {"iopub.execute_input": "2027-01-10T10:00:00.000Z",
                                             "shell.execute_reply": "2027-01-10T10:00:01.000Z"}
            cell["metadata"]["scrolled"] = True
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.12.2"}
    return json.dumps(nb, indent=1, sort_keys=True).encode()


def classic6(nb):
    nb = _older_minor(nb, 4)
    nb["metadata"]["toc"] = {"base_numbering": 1, "nav_menu": {}, "number_sections": True}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["metadata"]["collapsed"] = False
    return json.dumps(nb, indent=1, sort_keys=True).encode()


def widget_state(nb):
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"0a1b": {"model_name": "LayoutModel", "model_module": "@jupyter-widgets/base",
                           "model_module_version": "1.2.0", "state": {}}},
        "version_major": 2, "version_minor": 0}}
    return json.dumps(nb, indent=1).encode()


def attachments(nb):
    note = nbformat.v4.new_markdown_cell("My sketch of the network: ![net.png](attachment:net.png)")
    note["attachments"] = {"net.png": {"image/png": PNG}}
    nb["cells"].insert(1, json.loads(json.dumps(note)))
    return json.dumps(nb, indent=1).encode()


def crlf(nb):
    return json.dumps(nb, indent=1).replace("\n", "\r\n").encode()


def byte_order_mark(nb):
    return b"\xef\xbb\xbf" + json.dumps(nb, indent=1).encode()


SHAPES = [colab, vscode, jupyterlab3, jupyterlab4, classic6, widget_state, attachments, crlf, byte_order_mark]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from tests.conftest import make_course_copy

    course = make_course_copy(tmp_path_factory.mktemp("shapes"))
    source = course.source_notebooks(AID)[0]
    solution = json.loads(nbformat.writes(as_submitted(nbformat.read(str(source), as_version=4))))
    for shape in SHAPES:
        folder = course.submission_dir(shape.__name__, AID)
        folder.mkdir(parents=True)
        (folder / source.name).write_bytes(shape(copy.deepcopy(solution)))
    return {r.student_id: r for r in grade(course=course, assignment_id=AID).records}


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__name__)
def test_a_correct_notebook_gets_full_marks_in_every_editors_shape(graded, shape):
    record = graded[shape.__name__]
    assert record.status == results.OK, record.message
    assert record.score == record.max_score, [t.message for t in record.tests if not t.passed]
