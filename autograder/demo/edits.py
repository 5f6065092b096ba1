"""Ordinary notebook edits that leave nbgrader's cell metadata ambiguous: what students do in
Jupyter without meaning any harm (copy and paste a cell, change a cell's role in the nbgrader
toolbar), and a cell that claims to be locked. Each takes a submitted notebook and returns the
file's bytes, as the cohort's `damage` functions do; grading must still find the answers."""

from __future__ import annotations

import copy
import json

import nbformat
from nbgrader.preprocessors import ClearSolutions

from ..course import notebooks

def _answers(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if notebooks.nbgrader_meta(c).get("solution")]


def _first_test(nb) -> int:
    """The first test cell after the first answer cell: the one that tests it."""
    return next(i for i, c in enumerate(nb.cells) if i > _answers(nb)[0]
                and notebooks.nbgrader_meta(c).get("grade") and not notebooks.nbgrader_meta(c).get("solution"))


def _pasted(cell, *, keep_id: bool = False):
    """A cell as Jupyter pastes it: the same source and metadata (nbgrader's too), a new cell id
    unless `keep_id` (as a notebook merged or edited as text can hold it)."""
    pasted = copy.deepcopy(cell)
    if not keep_id:
        pasted["id"] = nbformat.v4.nbbase.random_cell_id()
    return pasted


def _bytes(nb) -> bytes:
    # json, not nbformat.writes: nbformat would repair (or refuse) what the student's file holds.
    return json.dumps(nb, indent=1).encode()


def pasted_answer(nb) -> bytes:
    """The answer cell copied and pasted below itself, both copies keeping its code."""
    at = _answers(nb)[0]
    nb.cells.insert(at + 1, _pasted(nb.cells[at]))
    return _bytes(nb)


def pasted_answer_kept_id(nb) -> bytes:
    """The answer cell pasted below itself with the same cell id too."""
    at = _answers(nb)[0]
    nb.cells.insert(at + 1, _pasted(nb.cells[at], keep_id=True))
    return _bytes(nb)


def answer_over_stub_copy(nb) -> bytes:
    """Below the answer cell, a fresh copy of it as released (pasted back from the released
    notebook to start over): the later cell holds the stub, the earlier one the student's answer."""
    at = _answers(nb)[0]
    fresh = _pasted(nb.cells[at])
    if ClearSolutions.begin_solution_delimeter.default_value in fresh.source:  # the released stub has none left
        fresh, _ = ClearSolutions().preprocess_cell(fresh, {"language": "python"}, at + 1)
    nb.cells.insert(at + 1, fresh)
    return _bytes(nb)


def duplicated_test(nb) -> bytes:
    """A test cell copied and pasted twice further down (after the next answer cell), the second
    paste with the same cell id too."""
    test = nb.cells[_first_test(nb)]
    at = _answers(nb)[1]
    nb.cells[at + 1:at + 1] = [_pasted(test), _pasted(test, keep_id=True)]
    return _bytes(nb)


def answer_as_test(nb) -> bytes:
    """The answer cell relabelled "Autograder tests" in nbgrader's cell toolbar."""
    meta = notebooks.nbgrader_meta(nb.cells[_answers(nb)[0]])
    meta.update(solution=False, grade=True, locked=True, points=1)
    return _bytes(nb)


def test_as_answer(nb) -> bytes:
    """A test cell relabelled "Autograded answer", its asserts edited away."""
    cell = nb.cells[_first_test(nb)]
    notebooks.nbgrader_meta(cell).update(solution=True, grade=False, locked=False)
    cell.source = "pass  # my own tests later"
    return _bytes(nb)


def fake_locked_cell(nb) -> bytes:
    """A new cell claiming to be a locked test worth points, with a made-up grade_id and checksum."""
    cell = nbformat.v4.new_code_cell("print('my scratch work')")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 5,
                                 "grade_id": "my_extra_test", "checksum": "0" * 32, "schema_version": 3}
    nb.cells.insert(_answers(nb)[0] + 1, cell)
    return _bytes(nb)


def garbled_roles(nb) -> bytes:
    """nbgrader metadata that is not nbgrader's format: a list in place of a cell's entry, a
    grade_id that is a mapping, as a hand edit or a broken extension can leave them."""
    first, second = _answers(nb)[:2]
    meta = notebooks.nbgrader_meta(nb.cells[first])
    meta["grade_id"] = {"name": meta["grade_id"]}
    nb.cells[second].metadata["nbgrader"] = ["grade", "solution"]
    return _bytes(nb)
