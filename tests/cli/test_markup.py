"""Student ids, file names and messages print as text: rich reads `[red]` in an f-string as a style."""

import zipfile

from click.testing import CliRunner

from autograder.cli import app
from tests.conftest import course_main, make_course_copy

AID = "01_layer_math"
NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
ID = "brkt[red]x"


def test_ids_and_entry_names_print_as_text(tmp_path):
    course = make_course_copy(tmp_path, '\nc.Collect.student_pattern = r"^(?P<student>[^_]+)_"\n')
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"../{ID}_1.ipynb", NOTEBOOK)
        zf.writestr("[bold]esc\x1b[2J.txt", b"")
    runner = CliRunner()
    collected = runner.invoke(app, ["--course-dir", str(course.root), "collect", AID, str(archive)])
    assert collected.exception is None or isinstance(collected.exception, SystemExit)
    out = collected.output
    assert f"note ../{ID}_1.ipynb: " in out and f"placed as {ID}'s notebook" in out
    # ESC would let a file name repaint the TA's terminal: it shows as its escape.
    assert "not placed [bold]esc\\x1b[2J.txt: not a notebook" in out and "\x1b" not in out
    status = runner.invoke(app, ["--course-dir", str(course.root), "status", AID])
    assert f"1 submissions without a current record: {ID}" in status.output


def test_a_message_with_brackets_prints_whole(tmp_path):
    course = make_course_copy(tmp_path)
    code, out = course_main(course, "status", "x[bold]y")
    assert code == 2 and "unknown assignment 'x[bold]y'" in out
