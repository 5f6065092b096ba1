"""Ordinary notebook edits (a cell copied and pasted, a role changed in nbgrader's toolbar, a cell
claiming to be locked) are graded, not refused: the source notebook decides which cell has which
role, and the record says which cell was used and why. Every edit on the solution's and on the
stub's answers, through sanitize; then one graded run of each."""

import copy
import json
import logging

import nbformat
import pytest

from autograder.authoring.cases import solution_case, stub_case
from autograder.authoring.release import release
from autograder.course import notebooks
from autograder.demo import edits
from autograder.demo.cohort import as_submitted
from autograder.grading.sanitize import sanitize

AID = "01_layer_math"
ANSWER, TEST = "activations", "test_activations"  # the cells the edits reach: the first answer and its test
EDITS = [edits.pasted_answer, edits.pasted_answer_kept_id, edits.answer_over_stub_copy, edits.duplicated_test,
         edits.answer_as_test, edits.test_as_answer, edits.fake_locked_cell]
BASES = ("solution", "stub")
pytestmark = pytest.mark.xdist_group("cell-edits")  # one course (and gradebook) for the module


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from tests.conftest import make_course_copy

    course = make_course_copy(tmp_path_factory.mktemp("cell-edits"))
    release(course=course, assignment_ids=[AID])  # sanitize restores cells from the gradebook
    return course


@pytest.fixture(scope="module")
def source_nb(course):
    return notebooks.read(course.source_notebooks(AID)[0])


@pytest.fixture(scope="module")
def bases(course, source_nb):
    return {"solution": as_submitted(solution_case(source_nb).notebook),
            "stub": as_submitted(stub_case(source_nb, course.config).notebook)}


def _sanitized(course, source_nb, data: bytes, tmp_path):
    path = tmp_path / "layer_math.ipynb"
    path.write_bytes(data)
    return sanitize(path, notebook_id=path.stem, assignment_id=AID, db_url=course.nbgrader.db_url,
                    shown_as="student/layer_math.ipynb", source_nb=source_nb)


def _with_role(nb, grade_id):
    return [i for i, c in enumerate(nb.cells) if notebooks.nbgrader_meta(c).get("grade_id") == grade_id]


def _answer(nb):
    return nb.cells[_with_role(nb, ANSWER)[0]].source


def test_of_two_pasted_answers_the_last_is_graded_and_the_other_runs_as_the_students_code(
        course, source_nb, bases, tmp_path):
    for edit in (edits.pasted_answer, edits.pasted_answer_kept_id):
        nb, notes = _sanitized(course, source_nb, edit(copy.deepcopy(bases["solution"])), tmp_path)
        (kept,) = _with_role(nb, ANSWER)
        assert kept == 4 and nb.cells[3].source == nb.cells[4].source == _answer(bases["solution"])
        assert "nbgrader" not in nb.cells[3].metadata  # in place, as the student ran it
        assert len({c.id for c in nb.cells}) == len(nb.cells) == len(bases["solution"].cells) + 1
        assert notes == [f"answer cell {ANSWER} appears 2 times (cells 4, 5); graded cell 5 (the last of those "
                         "changed from the released stub); cell 4 ran as your own code"]


@pytest.mark.parametrize("edit, base, graded", [(edits.pasted_answer, "stub", 5), (edits.pasted_answer_kept_id, "stub", 5),
                                                (edits.answer_over_stub_copy, "stub", 5),
                                                (edits.answer_over_stub_copy, "solution", 4)],
                         ids=lambda p: getattr(p, "__name__", str(p)))
def test_an_answer_copy_still_the_released_stub_is_dropped(course, source_nb, bases, edit, base, graded, tmp_path):
    nb, notes = _sanitized(course, source_nb, edit(copy.deepcopy(bases[base])), tmp_path)
    (kept,) = _with_role(nb, ANSWER)
    assert nb.cells[kept].source == _answer(bases[base]) and len(nb.cells) == len(bases[base].cells)
    why = "the only one changed from the released stub" if base == "solution" else "the last: none differs from the released stub"
    assert notes == [f"answer cell {ANSWER} appears 2 times (cells 4, 5); graded cell {graded} ({why}); "
                     f"dropped cell {9 - graded}, still the released stub"]


@pytest.mark.parametrize("base", BASES)
def test_copies_of_a_test_cell_are_dropped_and_the_original_stays(course, source_nb, bases, base, tmp_path):
    nb, notes = _sanitized(course, source_nb, edits.duplicated_test(copy.deepcopy(bases[base])), tmp_path)
    (kept,) = _with_role(nb, TEST)
    source_test = notebooks.cell_by_grade_id(source_nb, TEST)
    assert nb.cells[kept].source == source_test.source and nb.cells[kept].id == source_test.id
    assert len(nb.cells) == len(bases[base].cells)
    assert notes == [f"test cell {TEST} appears 3 times (cells 5, 9, 10); kept cell 5 (the original) and dropped the copies"]


@pytest.mark.parametrize("base", BASES)
def test_a_relabelled_cell_gets_its_source_role_back(course, source_nb, bases, base, tmp_path):
    nb, notes = _sanitized(course, source_nb, edits.answer_as_test(copy.deepcopy(bases[base])), tmp_path)
    answer = nb.cells[_with_role(nb, ANSWER)[0]]
    assert notebooks.nbgrader_meta(answer)["solution"] and not notebooks.nbgrader_meta(answer)["grade"]
    assert answer.source == _answer(bases[base])  # the student's code, not the stub
    assert notes == [f"cell 4 ({ANSWER}) is relabelled as test; graded as the assignment's answer cell, with your code"]

    nb, notes = _sanitized(course, source_nb, edits.test_as_answer(copy.deepcopy(bases[base])), tmp_path)
    test = nb.cells[_with_role(nb, TEST)[0]]
    assert notebooks.nbgrader_meta(test)["grade"] and not notebooks.nbgrader_meta(test)["solution"]
    assert test.source == notebooks.cell_by_grade_id(source_nb, TEST).source
    assert notes == [f"cell 5 ({TEST}) is relabelled as answer; graded as the assignment's test cell"]


@pytest.mark.parametrize("base", BASES)
def test_a_cell_claiming_a_role_the_assignment_lacks_is_the_students_own(course, source_nb, bases, base, tmp_path):
    nb, notes = _sanitized(course, source_nb, edits.fake_locked_cell(copy.deepcopy(bases[base])), tmp_path)
    (fake,) = [c for c in nb.cells if "my scratch work" in c.source]
    assert "nbgrader" not in fake.metadata
    assert [notebooks.nbgrader_meta(c).get("grade_id") for c in nb.cells if notebooks.nbgrader_meta(c)] == \
        [notebooks.nbgrader_meta(c)["grade_id"] for c in source_nb.cells if notebooks.nbgrader_meta(c)]
    assert notes == ["cell 5 claims an nbgrader role (test my_extra_test) the assignment does not have; it ran as your own cell"]


@pytest.mark.parametrize("base", BASES)
def test_nbgrader_metadata_in_no_format_of_nbgrader_is_replaced_by_the_source_role(course, source_nb, bases, base,
                                                                                 tmp_path):
    nb, notes = _sanitized(course, source_nb, edits.garbled_roles(copy.deepcopy(bases[base])), tmp_path)
    def roles(notebook):
        return [(m["grade_id"], m["solution"], m["grade"]) for c in notebook.cells if (m := notebooks.nbgrader_meta(c))]

    assert roles(nb) == roles(source_nb)
    assert nb.cells[3].source == _answer(bases[base]) and notes == []  # matched by cell id, as stripped roles are


def test_an_nbformat_3_notebook_says_so_in_one_note_and_nothing_on_stderr(course, source_nb, bases, tmp_path, capfd):
    old = json.loads(nbformat.writes(nbformat.convert(bases["solution"], 3)))
    del old["worksheets"][0]["cells"][1]["language"]  # invalid as nbformat 3: nbformat logs the whole schema error
    root = logging.getLogger()
    console = logging.StreamHandler()  # as nbgrader's alembic set-up configures logging
    root.addHandler(console)
    try:
        nb, notes = _sanitized(course, source_nb, json.dumps(old).encode(), tmp_path)
    finally:
        root.removeHandler(console)
    assert capfd.readouterr().err == ""
    assert notes == ["saved in nbformat 3 (Jupyter before 2015): upgraded to nbformat 4 to be graded"]
    assert nb.nbformat == 4 and len(_with_role(nb, ANSWER)) == 1
