"""The `course` command: parses arguments, calls the verb's function, prints. Nothing else.

Verbs live in one module per group (authoring, grading, exam, demo); this module is the group
itself and turns every error into `error:` and `hint:` lines.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import click

from ..course.errors import CourseError
from . import authoring, demo, exam, grading, hub, lms
from .common import console, shown


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--course-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The course folder (default: found from here upwards).",
)
@click.pass_context
def app(ctx: click.Context, course_dir: Optional[Path]):
    """Build, check and grade the course's nbgrader assignments.

    Commands that take assignment ids act on every assignment in course_config.py when given none."""
    ctx.obj = course_dir


for _command in (authoring.release, authoring.solutions, authoring.validate, authoring.export, grading.enroll, grading.collect, grading.grade,
                 grading.status, grading.slurm_check, grading.feedback, grading.report, grading.extend, grading.watch, lms.passback, demo.demo, exam.exam, hub.hub,
                 lms.lms):
    app.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    try:
        result = app.main(args=argv, prog_name="course", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except CourseError as exc:
        console.print(f"[red]error:[/] {shown(exc.message)}")
        if exc.hint:
            console.print(f"[yellow]hint:[/] {shown(exc.hint)}")
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return 130
    except Exception as exc:  # a defect of ours: one line by default, the traceback on request
        if os.environ.get("COURSE_DEBUG"):
            raise
        console.print(f"[red]internal error:[/] {type(exc).__name__}: {shown(exc)}")
        console.print("[yellow]hint:[/] rerun with COURSE_DEBUG=1 for the traceback, and report it")
        return 3
