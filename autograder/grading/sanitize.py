"""Sanitize a submission through nbgrader's own preprocessors, in the order its autograde uses:
outputs cleared, duplicate ids fixed, the kernelspec and every test and locked cell restored from
the source cells in the gradebook (deleted ones added back, retyped ones retyped)."""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
)
from traitlets.config import Config

from ..course import notebooks
from ..course.errors import CourseError

_STEPS = (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata)


class InvalidSubmission(Exception):
    """The submission cannot be graded as this assignment's notebook; the message says why."""


def _drop_blank_nbgrader_metadata(nb) -> None:
    # Some editors leave `"nbgrader": {}` on cells; nbgrader refuses such notebooks as "old format",
    # which would fail a student for their editor. A blank entry carries no role, so drop it.
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader") == {}:
            del cell.metadata["nbgrader"]


def _restore_roles(nb, source_nb) -> None:
    """Give back the nbgrader role of cells whose metadata was stripped, matched by cell id (which
    survives): nbgrader matches by grade_id in that metadata, and fails outright when the answer
    cell before a deleted test cell has lost its role too."""
    roles = {c.get("id"): notebooks.nbgrader_meta(c) for c in source_nb.cells if notebooks.nbgrader_meta(c)}
    taken = {notebooks.nbgrader_meta(c).get("grade_id") for c in nb.cells}
    for cell in nb.cells:
        role = roles.get(cell.get("id"))
        if role and not notebooks.nbgrader_meta(cell) and role.get("grade_id") not in taken:
            cell.setdefault("metadata", {})["nbgrader"] = dict(role)


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


def sanitize(path: Path, *, notebook_id: str, assignment_id: str, db_url: str, shown_as: str, source_nb):
    try:
        nb = notebooks.read(path, shown_as=shown_as)
    except CourseError as exc:
        raise InvalidSubmission(exc.message) from None
    if nb.nbformat_minor < nbformat.v4.nbformat_minor:
        # nbformat 4.0-4.4 (Google Colab, Jupyter before 2021) has no cell ids; nbgrader's restored
        # cells would carry them and fail validation, so upgrade as nbformat does (ids added).
        nb = nbformat.v4.upgrade(nb, from_version=4, from_minor=nb.nbformat_minor)
    _drop_blank_nbgrader_metadata(nb)
    _restore_roles(nb, source_nb)
    config = Config()
    config.OverwriteCells.add_missing_cells = True
    resources = {"nbgrader": {"notebook": notebook_id, "assignment": assignment_id, "db_url": db_url}}
    try:
        for step in _STEPS:
            preprocessor = step(config=config)
            preprocessor.log.setLevel(logging.ERROR)
            nb, resources = preprocessor.preprocess(nb, resources)
        _restore_order(nb, source_nb)
        _give_ids(nb)
        nbformat.validate(nb)
    except Exception as exc:  # nbgrader raises several types for a notebook it cannot repair
        raise InvalidSubmission(f"{shown_as}: nbgrader cannot restore its cells ({type(exc).__name__}: {exc})") from None
    return nb
