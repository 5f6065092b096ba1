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

from . import notebooks
from .errors import CourseError

_STEPS = (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata)


class InvalidSubmission(Exception):
    """The submission cannot be graded as this assignment's notebook; the message says why."""


def _drop_blank_nbgrader_metadata(nb) -> None:
    # Some editors leave `"nbgrader": {}` on cells; nbgrader refuses such notebooks as "old format",
    # which would fail a student for their editor. A blank entry carries no role, so drop it.
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader") == {}:
            del cell.metadata["nbgrader"]


def sanitize(path: Path, *, notebook_id: str, assignment_id: str, db_url: str, shown_as: str):
    try:
        nb = notebooks.read(path, shown_as=shown_as)
    except CourseError as exc:
        raise InvalidSubmission(exc.message) from None
    _drop_blank_nbgrader_metadata(nb)
    config = Config()
    config.OverwriteCells.add_missing_cells = True
    resources = {"nbgrader": {"notebook": notebook_id, "assignment": assignment_id, "db_url": db_url}}
    try:
        for step in _STEPS:
            preprocessor = step(config=config)
            preprocessor.log.setLevel(logging.ERROR)
            nb, resources = preprocessor.preprocess(nb, resources)
        nb = nbformat.from_dict(nbformat.validator.normalize(nb)[1])  # cells nbgrader added back lack ids
        nbformat.validate(nb)
    except Exception as exc:  # nbgrader raises several types for a notebook it cannot repair
        raise InvalidSubmission(f"{shown_as}: nbgrader cannot restore its cells ({type(exc).__name__}: {exc})") from None
    return nb
