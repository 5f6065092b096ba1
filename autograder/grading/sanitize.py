"""Sanitize a submission through nbgrader's own preprocessors, in the order its autograde uses:
outputs cleared, duplicate ids fixed, the kernelspec and every test and locked cell restored from
the source cells in the gradebook (deleted ones added back, retyped ones retyped).

Before them, one step of ours reconciles the submission's cells with the source notebook, the
authority on which cell has which nbgrader role. nbgrader trusts the roles a submission claims and
fails outright on ordinary edits (DeduplicateIds blanks all but the last of two cells with one
grade_id, and OverwriteCells then reads a grade_id from the blank; it looks up a relabelled answer
cell as a test cell that does not exist, cannot make a relabelled test's checksum match, and leaves
a made-up locked cell without a grade_id). The rule, by grade_id (or, for a cell whose nbgrader
metadata was stripped, by cell id):
- a cell with a grade_id the source does not have loses its nbgrader role: it is the student's own
  cell (a made-up checksum is ignored);
- a cell with a grade_id the source has gets the source's role back, whatever its metadata claims:
  an answer relabelled as a test stays the student's code, as the answer; a test relabelled as an
  answer is restored as the test;
- of several cells with one answer's grade_id, the last one changed from the released stub keeps
  the role (the last of them when none is changed: in a run the last definition stands); the
  other changed ones stay in place as ordinary cells, so the notebook runs as the student ran it;
  copies that are still the released stub are dropped: they hold nothing of the student's, and
  run after the answer they would undo it;
- of several copies of a test (or other locked) cell, the one with the source's cell id is kept
  (the last when none has it, as DeduplicateIds would) and the copies are dropped: their content
  is the assignment's, not the student's.
Each resolution becomes a one-line note for the record and the student's feedback.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
)
from nbgrader.utils import compute_checksum
from traitlets.config import Config
from traitlets.log import get_logger

from ..course import notebooks
from ..course.errors import CourseError
from ..intake.submission_files import InvalidSubmission

_STEPS = (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata)


def _kind(meta: dict) -> str:
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "test"
    return "locked" if meta.get("locked") or meta.get("task") else ""


def _claimed(cell) -> dict:
    """The nbgrader metadata a submitted cell carries: the student's to shape, so maybe not a mapping."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def _cells(indices) -> str:
    """Cells as the student counts them in the notebook they handed in (from 1)."""
    return ("cell " if len(indices) == 1 else "cells ") + ", ".join(str(i + 1) for i in sorted(indices))


class _Reconcile:
    """The reconcile step (the rule is in the module's docstring), on one submission."""

    def __init__(self, nb, source_nb, stub_checksums):
        self.nb = nb
        self.roles = {m["grade_id"]: (c.get("id"), m) for c in source_nb.cells if (m := notebooks.nbgrader_meta(c)).get("grade_id")}
        self.stub_checksums = stub_checksums  # called only when an answer cell is duplicated
        self.notes: list[str] = []

    def run(self) -> list[str]:
        claims: dict[str, list[int]] = {}
        unknown = {}
        for index, cell in enumerate(self.nb.cells):
            meta = _claimed(cell)
            if isinstance(meta.get("grade_id"), str) and meta["grade_id"] in self.roles:
                claims.setdefault(meta["grade_id"], []).append(index)
            elif "nbgrader" in cell.get("metadata", {}):
                del cell.metadata["nbgrader"]
                unknown[index] = meta
        by_cell_id = {cell_id: grade_id for grade_id, (cell_id, _) in self.roles.items() if cell_id}
        for index, cell in enumerate(self.nb.cells):  # stripped metadata: the cell id survives
            grade_id = by_cell_id.get(cell.get("id"))
            if grade_id and grade_id not in claims and "nbgrader" not in cell.get("metadata", {}):
                claims[grade_id] = [index]
                unknown.pop(index, None)
        for index, meta in unknown.items():
            if _kind(meta):  # a blank entry, as some editors leave, claimed nothing: no note
                named = " ".join(str(meta.get("grade_id") or "without a grade_id").split())[:80]  # the student's text: one line
                self.notes.append(f"cell {index + 1} claims an nbgrader role ({_kind(meta)} {named}) the assignment "
                                  "does not have; it ran as your own cell")
        dropped = set()
        for grade_id, indices in claims.items():
            dropped |= self._resolve(grade_id, indices)
        self.nb.cells = [cell for index, cell in enumerate(self.nb.cells) if index not in dropped]
        return self.notes

    def _resolve(self, grade_id: str, indices: list[int]) -> set[int]:
        """Give the source's role to one of the cells claiming `grade_id`; returns those to drop."""
        source_id, role = self.roles[grade_id]
        kind = _kind(role)
        for index in indices:
            claimed = _kind(_claimed(self.nb.cells[index]))
            if claimed and claimed != kind:
                self.notes.append(f"cell {index + 1} ({grade_id}) is relabelled as {claimed}; graded as the "
                                  f"assignment's {kind} cell" + (", with your code" if kind == "answer" else ""))
            self.nb.cells[index].setdefault("metadata", {})["nbgrader"] = dict(role)
        if len(indices) == 1:
            return set()
        where = _cells(indices)
        if kind == "answer":
            stub = self.stub_checksums().get(grade_id)
            changed = [i for i in indices if compute_checksum(self.nb.cells[i]) != stub]
            keep = (changed or indices)[-1]
            why = ("the last: none differs from the released stub" if not changed else
                   "the only one changed from the released stub" if len(changed) == 1 else
                   "the last of those changed from the released stub")
            own = [i for i in changed if i != keep]
            for index in own:
                del self.nb.cells[index].metadata["nbgrader"]
            dropped = set(indices) - set(changed) - {keep}
            self.notes.append(f"answer cell {grade_id} appears {len(indices)} times ({where}); graded cell "
                              f"{keep + 1} ({why})"
                              + (f"; {_cells(own)} ran as your own code" if own else "")
                              + (f"; dropped {_cells(dropped)}, still the released stub" if dropped else ""))
            return dropped
        original = [i for i in indices if source_id and self.nb.cells[i].get("id") == source_id]
        keep = (original or indices)[-1]
        why = "the original" if original else "the last"
        self.notes.append(f"{kind} cell {grade_id} appears {len(indices)} times ({where}); kept cell {keep + 1} "
                          f"({why}) and dropped the copies")
        return set(indices) - {keep}


def _restore_order(nb, source_nb) -> None:
    """Move each test cell nbgrader added back to where the source has it. nbgrader puts it after
    the previous graded cell, which can be before the ordinary cell that sets up its inputs."""
    present = {cell.get("id") for cell in nb.cells if cell.get("id")}
    for index, source_cell in enumerate(source_nb.cells):
        grade_id = notebooks.nbgrader_meta(source_cell).get("grade_id")
        restored = notebooks.cell_by_grade_id(nb, grade_id) if grade_id else None
        if restored is None or restored.get("id"):  # only cells nbgrader added back lack an id
            continue
        anchor = next((c.get("id") for c in reversed(source_nb.cells[:index]) if c.get("id") in present), None)
        nb.cells.remove(restored)
        position = next((i + 1 for i, c in enumerate(nb.cells) if c.get("id") == anchor), 0)
        nb.cells.insert(position, restored)


def _give_ids(nb) -> None:
    for cell in nb.cells:  # cells nbgrader added back have none, and nbformat 4.5 requires them
        if not cell.get("id"):
            cell["id"] = nbformat.v4.nbbase.random_cell_id()


@contextmanager
def _quiet():
    """nbformat and nbgrader report what they repair as Python warnings and on the traitlets
    logger: a line per cell at times, and a whole schema error (tens of lines) for an invalid
    nbformat 3 file, on stderr wherever logging is configured (nbgrader's alembic set-up configures
    it). What matters of it reaches the record as a note or an InvalidSubmission message."""
    logger = get_logger()
    logger = getattr(logger, "logger", logger)  # an Application's log may be a LoggerAdapter

    def silence(record):  # a logger's own filter drops a record before any handler sees it
        return False

    logger.addFilter(silence)
    try:
        with warnings.catch_warnings(record=True):
            yield
    finally:
        logger.removeFilter(silence)


def _read(notebook, shown_as: str) -> tuple[nbformat.NotebookNode, list[str]]:
    try:
        nb = notebooks.read(notebook, shown_as=shown_as)
    except CourseError as exc:
        raise InvalidSubmission(exc.message) from None
    notes = []
    if nb.metadata.get("orig_nbformat", 4) < 4:
        notes.append(f"saved in nbformat {nb.metadata.orig_nbformat} (Jupyter before 2015): upgraded to nbformat 4 "
                     "to be graded")
    elif nb.nbformat_minor < nbformat.v4.nbformat_minor:
        # nbformat 4.0-4.4 (Google Colab, Jupyter before 2021) has no cell ids; nbgrader's restored
        # cells would carry them and fail validation, so upgrade as nbformat does (ids added).
        nb = nbformat.v4.upgrade(nb, from_version=4, from_minor=nb.nbformat_minor)
    return nb, notes


def sanitize(notebook: Path | notebooks.Contents, *, notebook_id: str, assignment_id: str, db_url: str, shown_as: str,
             source_nb) -> tuple[nbformat.NotebookNode, list[str]]:
    """The submitted notebook (a path, or bytes read already) as nbgrader grades it, and one-line
    notes on what was resolved."""
    def stub_checksums() -> dict[str, str]:
        with Gradebook(db_url) as gradebook:  # nbgrader's own test for "no response": the stub's checksum
            return {c.name: c.checksum for c in gradebook.find_notebook(notebook_id, assignment_id).source_cells}

    with _quiet():
        nb, notes = _read(notebook, shown_as)
        notes += _Reconcile(nb, source_nb, stub_checksums).run()
        config = Config()
        config.OverwriteCells.add_missing_cells = True
        resources = {"nbgrader": {"notebook": notebook_id, "assignment": assignment_id, "db_url": db_url}}
        try:
            for step in _STEPS:
                nb, resources = step(config=config).preprocess(nb, resources)
            _restore_order(nb, source_nb)
            _give_ids(nb)
            nbformat.validate(nb)
        except Exception as exc:  # nbgrader raises several types for a notebook it cannot repair
            raise InvalidSubmission(f"{shown_as}: nbgrader cannot restore its cells ({type(exc).__name__}: {exc})") from None
    return nb, notes
