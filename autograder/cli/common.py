"""What every verb group of the `course` command shares: the console, the course, progress bars."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..course.coursedir import Course

# Logs and CI output are read in wide windows; a terminal gets its own width.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
ids_argument = click.argument("assignment_ids", nargs=-1, metavar="[ID]...")
STATUS_STYLE = {"ok": "green", "tests_failed": "yellow", "infra_error": "red"}


def course_of(ctx: click.Context) -> Course:
    """The course of this invocation (`--course-dir`, else found from here upwards)."""
    return Course.load(ctx.obj)


def print_written(course: Course, paths) -> None:
    for path in paths:
        console.print(f"  wrote {course.relative(path)}")


def progress_bar(verb: str) -> Progress:
    return Progress(
        TextColumn(verb), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=True,
    )
