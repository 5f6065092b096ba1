"""`course exam`: the question bank, seeded papers and their keys, rerolls, item analysis."""

from __future__ import annotations

from pathlib import Path

import click

from .common import console, course_of, plain, progress_bar, shown


@click.group()
def exam():
    """Exams: the question bank, seeded variants and their keys."""


@exam.command("check")
@click.argument("question_ids", nargs=-1, metavar="[QUESTION]...")
@click.option("--seeds", type=click.IntRange(min=1), help="Seeds per generator (default: c.Exam.check_seeds).")
@click.pass_context
def exam_check(ctx, question_ids, seeds):
    """Stress-test generators: both keys agree, sound answers and distractors, balanced options, difficulty bands."""
    from ..exam.check import check

    course = course_of(ctx)
    seeds = seeds or course.exam.check_seeds
    with progress_bar("checking") as progress:
        task = progress.add_task("", total=len(question_ids) or len(list(course.exam_bank_dir().glob("*/question.py"))))

        def done(report):
            mark = "[green]ok[/]" if report.passed else "[red bold]FAIL[/]"
            progress.console.print(f"  {shown(report.question_id):<32} {mark}  {report.distinct:>5} variants  {report.seconds:5.1f} s")
            for problem in report.problems:
                progress.console.print(f"      {shown(problem)}")
            progress.update(task, advance=1, description=report.question_id)

        reports = check(bank_folder=course.exam_bank_dir(), question_ids=list(question_ids), seeds=seeds,
                        variant_seconds=course.exam.variant_seconds, on_done=done)
    failed = [r.question_id for r in reports if not r.passed]
    disagreed = sum(r.disagreements for r in reports)
    console.print(f"{len(reports)} generators x {seeds} seeds: {len(reports) - len(failed)} passed"
                  + (f", [red]{len(failed)} failed[/]: {shown(', '.join(failed))}" if failed else "")
                  + f"; keys disagreed {disagreed} times")
    return 1 if failed else 0


@exam.command("generate")
@click.argument("exam_id")
@click.option("--forms", multiple=True, help="A lettered form (repeatable: --forms A --forms B), seeded by --seed.")
@click.option("--seed", type=int, help="Seed of the lettered forms.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="CSV with a student_id column: one paper each.")
@click.option("--force", is_flag=True, help="Write over papers generated before; refused once students hold them "
              "(released into the exchange, or submitted).")
@click.pass_context
def exam_generate(ctx, exam_id, forms, seed, roster, force):
    """Draw EXAM_ID's papers (forms or one per student) with their keys and a manifest."""
    from ..exam.generate import generate

    course = course_of(ctx)
    with progress_bar("papers") as progress:
        tasks = {}

        def drawn(phase, paper_id, total):
            if phase not in tasks:
                tasks[phase] = progress.add_task("", total=total)
            progress.update(tasks[phase], advance=1, description=plain(f"{phase} {paper_id}"))

        paths = generate(course=course, exam_id=exam_id, forms=list(forms), roster=roster, seed=seed, force=force,
                         on_paper=drawn)
    _exam_written(course, exam_id, paths)


def _exam_written(course, exam_id: str, paths) -> None:
    from ..exam.printable import chromium

    folder = course.exam_dir(exam_id)
    made = sorted(aid for aid, e in course.exam_assignments().items() if e["exam"] == exam_id)
    console.print(f"wrote {len(paths)} files: papers, keys (keys.csv, keys/), moodle.xml and printable pages under "
                  f"{shown(course.relative(folder))}/; released as {shown(', '.join(made))}")
    if (folder / "notebooks").is_dir():
        console.print(f"each student's own notebook: {shown(course.relative(folder / 'notebooks'))}/<student>.ipynb "
                      "(hand it out through the LMS, or with `course release <assignment> --exchange` on the ngshare "
                      "exchange; students submit it as the assignment above)")
    if course.exam.print_pdfs and not chromium():
        console.print("[yellow]note:[/] no PDFs: printing them needs Chromium (apt-get install chromium)")


@exam.command("reroll")
@click.argument("exam_id")
@click.argument("student_id")
@click.pass_context
def exam_reroll(ctx, exam_id, student_id):
    """Draw STUDENT_ID's paper of EXAM_ID again (or a first one for a student not on the roster)."""
    from ..exam.generate import reroll

    course = course_of(ctx)
    paper, paths = reroll(course=course, exam_id=exam_id, student_id=student_id)
    console.print(f"drew paper {shown(paper.id)} again (draw {paper.draw}); wrote {len(paths)} files, every other paper "
                  "unchanged")
    if course.submission_dir(student_id, exam_id).is_dir():
        console.print(f"[yellow]note:[/] {shown(student_id)} has already submitted {shown(exam_id)}; its grade was removed, and "
                      f"`course grade {shown(exam_id)} --resume` grades it against the new paper")


@exam.command("analyze")
@click.argument("exam_id")
@click.pass_context
def exam_analyze(ctx, exam_id):
    """Item analysis of a graded exam: facility and discrimination per question and variant, with a plot."""
    from ..exam.analyze import analyze, write_analysis

    course = course_of(ctx)
    items = analyze(course, exam_id)
    page = write_analysis(course, exam_id, items)
    for item in items:
        flags = ", ".join(f"[red]{shown(v.variant)} harder ({v.facility:.2f})[/]" for v in item.flagged)
        disc = "  -  " if item.discrimination is None else f"{item.discrimination:5.2f}"
        console.print(f"  {item.position:>2}. {shown(item.question):<32} facility {item.facility:4.2f}  discrimination {disc}"
                      + (f"  {flags}" if flags else ""))
    flagged = sum(len(i.flagged) for i in items)
    console.print(f"{len(items)} questions analysed, {flagged} variants flagged harder; open {shown(course.relative(page))}")
