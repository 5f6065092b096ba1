"""`course demo`: the whole story on a synthetic cohort, through the same verbs a TA runs."""

from __future__ import annotations

import click

from .authoring import release
from .common import console, course_of, shown
from .grading import feedback, grade, report


@click.command()
@click.pass_context
def demo(ctx: click.Context):
    """The whole story on a synthetic cohort in demo-output/: release, grade, feedback, report."""
    from collections import Counter

    from ..demo.course import DEMO_ASSIGNMENT, make_cohort, make_demo_course

    demo_course = make_demo_course(course_of(ctx))
    ctx.obj = demo_course.root
    console.rule("course release")
    ctx.invoke(release, assignment_ids=(DEMO_ASSIGNMENT,))
    console.rule("a synthetic cohort")
    cohort = make_cohort(demo_course)
    kinds = ", ".join(f"{n} {kind}" for kind, n in Counter(cohort.values()).items())
    console.print(f"{len(cohort)} submissions of {DEMO_ASSIGNMENT} in "
                  f"{shown(demo_course.relative(demo_course.submissions_root()))}/: {shown(kinds)}")
    for step in (grade, feedback, report):
        console.rule(f"course {step.name}")
        ctx.invoke(step, assignment_id=DEMO_ASSIGNMENT)
    console.print(f"open {shown(demo_course.reports_dir(DEMO_ASSIGNMENT) / 'report.html')} in a browser")
