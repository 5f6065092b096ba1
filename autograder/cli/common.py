"""What every verb group of the `course` command shares: the console, the course, progress bars."""

from __future__ import annotations

import re
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..course.coursedir import Course

# Logs and CI output are read in wide windows; a terminal gets its own width.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
ids_argument = click.argument("assignment_ids", nargs=-1, metavar="[ID]...")
STATUS_STYLE = {"ok": "green", "tests_failed": "yellow", "infra_error": "red"}
# Rich passes ESC through: a name holding one would move the cursor or recolour the terminal.
# Tabs and line breaks stay: our messages and tables use them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(value) -> str:
    """`value` with its control characters written out as escapes, for text printed without markup."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(value))


def shown(value) -> str:
    """`value` as plain text inside one of our markup strings: student ids, file names and messages
    come from students and archives, and rich would read `[red]` in them as a style."""
    return escape(plain(value))


def course_of(ctx: click.Context) -> Course:
    """The course of this invocation (`--course-dir`, else found from here upwards)."""
    return Course.load(ctx.obj)


def print_written(course: Course, paths) -> None:
    for path in paths:
        console.print(f"  wrote {shown(course.relative(path))}")


def progress_bar(verb: str) -> Progress:
    # Descriptions are student ids, case and paper names: text, never markup (callers pass them through plain).
    return Progress(
        TextColumn(verb), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False), console=console, transient=True,
    )
