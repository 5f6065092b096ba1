"""The `course` command: parses arguments, calls the verb's function, prints. Nothing else."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..course.coursedir import Course
from ..course.errors import CourseError, ValidationFailed

# Logs and CI output are read in wide windows; a terminal gets its own width.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
_DETAIL_CHARS = 200
ids_argument = click.argument("assignment_ids", nargs=-1, metavar="[ID]...")


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


def _course(ctx: click.Context) -> Course:
    return Course.load(ctx.obj)


def _written(course: Course, paths) -> None:
    for path in paths:
        console.print(f"  wrote {course.relative(path)}")


@app.command()
@ids_argument
@click.pass_context
def release(ctx: click.Context, assignment_ids: tuple[str, ...]):
    """Regenerate release/<id>/: student notebooks without solutions or hidden tests (nbgrader)."""
    from ..authoring.release import release as run

    course = _course(ctx)
    _written(course, run(course=course, assignment_ids=assignment_ids))


@app.command()
@ids_argument
@click.pass_context
def solutions(ctx: click.Context, assignment_ids: tuple[str, ...]):
    """Regenerate solutions/<id>/: executed solution notebooks with hidden tests removed."""
    from ..authoring.solutions import build_solutions

    course = _course(ctx)
    with console.status("executing solution notebooks"):
        paths = build_solutions(course=course, assignment_ids=assignment_ids)
    _written(course, paths)


def _validation_table(assignment_id: str, results) -> Table:
    table = Table(title=f"validate {assignment_id}", title_justify="left")
    for column in ("case", "kind", "score", "result", "detail"):
        table.add_column(column, overflow="fold")
    for r in results:
        got, out_of = r.score
        failing = [v.grade_id for v in r.verdicts if not v.passed]
        if r.ok:
            detail = r.case.description
            if r.case.kind == "mistake":
                caught = next(v for v in r.verdicts if v.hidden)
                detail = f"{', '.join(failing)}: {caught.hidden[0]}"[:_DETAIL_CHARS]
            mark = "[green]ok[/]"
        else:
            detail, mark = "; ".join(r.problems), "[red]FAIL[/]"
        table.add_row(r.case.name, r.case.kind, f"{got:g}/{out_of:g}", mark, detail)
    return table


@app.command()
@ids_argument
@click.pass_context
def validate(ctx: click.Context, assignment_ids: tuple[str, ...]):
    """Prove the tests right: solution passes, stub fails, known mistakes caught, alternatives pass."""
    from ..authoring.validate import validate as run

    course = _course(ctx)
    with Progress(
        TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=True,
    ) as progress:
        task = progress.add_task("", total=None)
        structural, results = run(
            course=course,
            assignment_ids=assignment_ids,
            on_start=lambda n: progress.update(task, total=n),
            on_done=lambda r: progress.update(task, advance=1, description=r.case.name),
        )
    for assignment_id in dict.fromkeys(r.assignment_id for r in results):
        console.print(_validation_table(assignment_id, [r for r in results if r.assignment_id == assignment_id]))
    for problem in structural:
        console.print(f"[red]FAIL[/] {problem}")
    failed = [r for r in results if not r.ok]
    kinds = {k: sum(r.case.kind == k for r in results) for k in ("mistake", "alternative")}
    console.print(
        f"{len(results)} cases ({kinds['mistake']} known mistakes, {kinds['alternative']} alternative solutions), "
        f"{len(failed)} failed, {len(structural)} structural problems"
    )
    if failed or structural:
        first = failed[0] if failed else None
        raise ValidationFailed(
            f"{first.notebook} case {first.case.name}: {first.problems[0]}" if first else structural[0],
            hint="fix the tests or the case, then run `course validate` again",
        )


def _progress(verb: str) -> Progress:
    return Progress(
        TextColumn(verb), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, transient=True,
    )


@app.command()
@click.argument("assignment_id")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def collect(ctx, assignment_id, archive):
    """Unpack an LMS export ARCHIVE (zip) into submitted/<student>/ASSIGNMENT_ID/."""
    from ..records.collect import collect as run

    course = _course(ctx)
    outcome = run(course=course, assignment_id=assignment_id, archive=archive)
    console.print(f"placed {len(outcome.placed)} submissions under {course.relative(course.submissions_root())}/")
    for entry, why in outcome.unplaced:
        console.print(f"  [yellow]not placed[/] {entry}: {why}")
    return 1 if outcome.unplaced else 0


_STATUS_STYLE = {"ok": "green", "tests_failed": "yellow", "infra_error": "red"}


@app.command()
@click.argument("assignment_id")
@click.option("--student", "students", multiple=True, help="Grade only this student (repeatable).")
@click.option("--workers", type=click.IntRange(min=1), help="CPU slots (default: c.Grading.workers, else one per core).")
@click.option("--gpus", help="'auto', 'none' or indices such as 0,1 (default: c.Grading.gpus).")
@click.option("--jobs-per-gpu", type=click.IntRange(min=1), help="Runs sharing one GPU (default: c.Grading.jobs_per_gpu).")
@click.option("--resume", is_flag=True, help="Keep records of unchanged submissions from an earlier run.")
@click.option("--backend", type=click.Choice(["local", "slurm"]), default="local", show_default=True,
              help="Where units run: worker processes here, or one Slurm job array.")
@click.option("--partition", help="Slurm: partition (default: c.Slurm.partition, else the cluster's default).")
@click.option("--gres", help="Slurm: resources per task, e.g. gpu:1 or 'none' (default: c.Slurm.gres).")
@click.option("--time", "time_minutes", type=click.IntRange(min=1), help="Slurm: minutes per task (default: c.Slurm.time_minutes).")
@click.option("--mem", "mem_gb", type=click.FloatRange(min=0, min_open=True), help="Slurm: GB per task (default: c.Slurm.mem_gb).")
@click.option("--array-parallelism", type=click.IntRange(min=0), help="Slurm: tasks running at once, 0 for no limit.")
@click.option("--slurm-setup", "setup", help="Slurm: shell lines each task runs first, e.g. 'module load cuda'.")
@click.pass_context
def grade(ctx, assignment_id, students, workers, gpus, jobs_per_gpu, resume, backend, **slurm_options):
    """Grade every submission of ASSIGNMENT_ID in parallel, sandboxed, one record per submission."""
    from ..grading.grade import grade as run
    from ..grading.sandbox import warning
    from ..records.results import EXPLAINED

    course = _course(ctx)
    given = {key: value for key, value in slurm_options.items() if value is not None}
    if given and backend != "slurm":
        raise click.UsageError(f"--{next(iter(given)).replace('_', '-')} is for --backend slurm")
    with _progress("grading") as progress:
        task = progress.add_task("", total=None)

        def started(summary, count):
            if warning(summary.isolation):
                console.print(f"[red bold]warning:[/] {warning(summary.isolation)}")
            console.print(f"grading {count} submissions on {summary.where}, isolation: {summary.isolation}"
                          + (f"; {summary.skipped} kept from the last run" if summary.skipped else ""))
            progress.update(task, total=count)

        def done(record):
            style = _STATUS_STYLE.get(record.status, "red")
            progress.console.print(f"  {record.student_id:<28} [{style}]{record.status:<16}[/] "
                                   f"{record.score:g}/{record.max_score:g}  {record.seconds:.1f} s  {record.message[:90]}")
            progress.update(task, advance=1, description=record.student_id)

        def queue_state(counts):  # Slurm: how many tasks wait, run and are done
            progress.update(task, description=", ".join(f"{n} {state}" for state, n in sorted(counts.items()) if n))

        options = {**given, "on_state": queue_state} if backend == "slurm" else {}
        summary = run(course=course, assignment_id=assignment_id, students=list(students), workers=workers,
                      gpus=gpus, jobs_per_gpu=jobs_per_gpu, resume=resume, backend=backend,
                      backend_options=options, on_start=started, on_done=done)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.counts.items()))
    console.print(f"{len(summary.records)} submissions: {counts}; grades are in the gradebook")
    if summary.counts.get("infra_error"):
        console.print(f"[red]{summary.counts['infra_error']} submissions could not be graded[/] ({EXPLAINED['infra_error']}); "
                      f"run `course grade {assignment_id} --resume` to try them again")
        return 1
    return 0


@app.command()
@click.argument("assignment_id")
@click.pass_context
def status(ctx, assignment_id):
    """Where grading of ASSIGNMENT_ID stands: records by status, ungraded submissions, queued Slurm tasks."""
    from ..reports.status import status as run

    course = _course(ctx)
    found = run(course=course, assignment_id=assignment_id)
    for state, n in sorted(found.statuses.items()):
        console.print(f"  [{_STATUS_STYLE.get(state, 'red')}]{state:<16}[/] {n}")
    if found.queued:
        states = ", ".join(f"{n} {state}" for state, n in sorted(found.queued.items()))
        console.print(f"in Slurm: {states} (jobs {' '.join(found.jobs)})")
    if found.ungraded:
        names = ", ".join(found.ungraded[:8]) + (" ..." if len(found.ungraded) > 8 else "")
        console.print(f"{len(found.ungraded)} submissions without a current record: {names}")
    unfinished = len(found.ungraded) + found.statuses.get("infra_error", 0) + found.statuses.get("cancelled", 0)
    if unfinished or found.queued:
        console.print(f"next: `course grade {assignment_id} --resume` (add --backend slurm to wait for queued tasks)")
        return 1
    console.print("every submission is graded")
    return 0


@app.command("slurm-check")
@click.option("--partition", help="Partition to check (default: c.Slurm.partition, else the cluster's default).")
@click.option("--gres", help="Resources per task, as for grading (default: c.Slurm.gres).")
@click.option("--slurm-setup", "setup", help="Shell lines each task runs first, as for grading.")
@click.pass_context
def slurm_check(ctx, **options):
    """For admins: two Slurm tasks report whether a node can grade (GPU, device cgroup, sandbox, PyTorch)."""
    from ..grading.backends.slurm_check import FAIL
    from ..grading.backends.slurm_check import slurm_check as run

    course = _course(ctx)
    with console.status("waiting for two Slurm tasks (sbatch --wait)..."):
        findings = run(course=course, **{k: v for k, v in options.items() if v is not None})
    style = {"pass": "green", "FAIL": "red bold", "info": "cyan"}
    for f in findings:
        console.print(f"  {f.task:<22} {f.check:<22} [{style[f.verdict]}]{f.verdict:<5}[/] {f.detail}")
    failed = sum(f.verdict == FAIL for f in findings)
    console.print(f"{failed} checks failed" if failed else "this cluster can grade")
    return 1 if failed else 0


@app.command()
@click.argument("assignment_id")
@click.option("--student", "students", multiple=True, help="Only this student (repeatable).")
@click.pass_context
def feedback(ctx, assignment_id, students):
    """Write feedback/<student>/ASSIGNMENT_ID/feedback.html: verdicts and the student's own answers."""
    from ..reports.feedback import feedback as run

    course = _course(ctx)
    paths = run(course=course, assignment_id=assignment_id, students=list(students))
    console.print(f"wrote {len(paths)} feedback files under {course.relative(course.root / course.nbgrader.feedback_directory)}/")


@app.command()
@click.argument("assignment_id")
@click.pass_context
def report(ctx, assignment_id):
    """Write reports/ASSIGNMENT_ID/: grades.csv for the LMS, tests.csv, plots and report.html."""
    from ..reports.report import report as run

    course = _course(ctx)
    _written(course, run(course=course, assignment_id=assignment_id))


@app.command()
@click.pass_context
def demo(ctx: click.Context):
    """The whole story on a synthetic cohort in demo-output/: release, grade, feedback, report."""
    from collections import Counter

    from ..demo.course import DEMO_ASSIGNMENT, make_cohort, make_demo_course

    demo_course = make_demo_course(_course(ctx))
    ctx.obj = demo_course.root
    console.rule("course release")
    ctx.invoke(release, assignment_ids=(DEMO_ASSIGNMENT,))
    console.rule("a synthetic cohort")
    cohort = make_cohort(demo_course)
    kinds = ", ".join(f"{n} {kind}" for kind, n in Counter(cohort.values()).items())
    console.print(f"{len(cohort)} submissions of {DEMO_ASSIGNMENT} in "
                  f"{demo_course.relative(demo_course.submissions_root())}/: {kinds}")
    for step in (grade, feedback, report):
        console.rule(f"course {step.name}")
        ctx.invoke(step, assignment_id=DEMO_ASSIGNMENT)
    console.print(f"open {demo_course.reports_dir(DEMO_ASSIGNMENT) / 'report.html'} in a browser")


@app.group()
def exam():
    """Exams: the question bank, seeded variants and their keys."""


@exam.command("check")
@click.argument("question_ids", nargs=-1, metavar="[QUESTION]...")
@click.option("--seeds", type=click.IntRange(min=1), help="Seeds per generator (default: c.Exam.check_seeds).")
@click.pass_context
def exam_check(ctx, question_ids, seeds):
    """Stress-test generators: both keys agree, sound answers and distractors, balanced options, difficulty bands."""
    from ..exam.check import check

    course = _course(ctx)
    seeds = seeds or course.exam.check_seeds
    with _progress("checking") as progress:
        task = progress.add_task("", total=len(question_ids) or len(list(course.exam_bank_dir().glob("*/question.py"))))

        def done(report):
            mark = "[green]ok[/]" if report.passed else "[red bold]FAIL[/]"
            progress.console.print(f"  {report.question_id:<32} {mark}  {report.distinct:>5} variants  {report.seconds:5.1f} s")
            for problem in report.problems:
                progress.console.print(f"      {problem}")
            progress.update(task, advance=1, description=report.question_id)

        reports = check(bank_folder=course.exam_bank_dir(), question_ids=list(question_ids), seeds=seeds,
                        variant_seconds=course.exam.variant_seconds, on_done=done)
    failed = [r.question_id for r in reports if not r.passed]
    disagreed = sum(r.disagreements for r in reports)
    console.print(f"{len(reports)} generators x {seeds} seeds: {len(reports) - len(failed)} passed"
                  + (f", [red]{len(failed)} failed[/]: {', '.join(failed)}" if failed else "")
                  + f"; keys disagreed {disagreed} times")
    return 1 if failed else 0


@exam.command("generate")
@click.argument("exam_id")
@click.option("--forms", multiple=True, help="A lettered form (repeatable: --forms A --forms B), seeded by --seed.")
@click.option("--seed", type=int, help="Seed of the lettered forms.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="CSV with a student_id column: one paper each.")
@click.option("--force", is_flag=True, help="Write over papers generated before.")
@click.pass_context
def exam_generate(ctx, exam_id, forms, seed, roster, force):
    """Draw EXAM_ID's papers (forms or one per student) with their keys and a manifest."""
    from ..exam.generate import generate

    course = _course(ctx)
    with _progress("papers") as progress:
        tasks = {}

        def drawn(phase, paper_id, total):
            if phase not in tasks:
                tasks[phase] = progress.add_task("", total=total)
            progress.update(tasks[phase], advance=1, description=f"{phase} {paper_id}")

        paths = generate(course=course, exam_id=exam_id, forms=list(forms), roster=roster, seed=seed, force=force,
                         on_paper=drawn)
    _exam_written(course, exam_id, paths)


def _exam_written(course, exam_id: str, paths) -> None:
    from ..exam.printable import chromium

    folder = course.exam_dir(exam_id)
    made = sorted(aid for aid, e in course.exam_assignments().items() if e["exam"] == exam_id)
    console.print(f"wrote {len(paths)} files: papers, keys (keys.csv, keys/), moodle.xml and printable pages under "
                  f"{course.relative(folder)}/; released as {', '.join(made)}")
    if (folder / "notebooks").is_dir():
        console.print(f"each student's own notebook: {course.relative(folder / 'notebooks')}/<student>.ipynb "
                      "(hand it out through the LMS; students submit it as the assignment above)")
    if not chromium():
        console.print("[yellow]note:[/] no PDFs: printing them needs Chromium (apt-get install chromium)")


@exam.command("reroll")
@click.argument("exam_id")
@click.argument("student_id")
@click.pass_context
def exam_reroll(ctx, exam_id, student_id):
    """Draw STUDENT_ID's paper of EXAM_ID again (or a first one for a student not on the roster)."""
    from ..exam.generate import reroll

    course = _course(ctx)
    paper, paths = reroll(course=course, exam_id=exam_id, student_id=student_id)
    console.print(f"drew paper {paper.id} again (draw {paper.draw}); wrote {len(paths)} files, every other paper "
                  "unchanged")
    if course.submission_dir(student_id, exam_id).is_dir():
        console.print(f"[yellow]note:[/] {student_id} has already submitted {exam_id}; its grade was removed, and "
                      f"`course grade {exam_id} --resume` grades it against the new paper")


@exam.command("analyze")
@click.argument("exam_id")
@click.pass_context
def exam_analyze(ctx, exam_id):
    """Item analysis of a graded exam: facility and discrimination per question and variant, with a plot."""
    from ..exam.analyze import analyze, write_analysis

    course = _course(ctx)
    items = analyze(course, exam_id)
    page = write_analysis(course, exam_id, items)
    for item in items:
        flags = ", ".join(f"[red]{v.variant} harder ({v.facility:.2f})[/]" for v in item.flagged)
        disc = "  -  " if item.discrimination is None else f"{item.discrimination:5.2f}"
        console.print(f"  {item.position:>2}. {item.question:<32} facility {item.facility:4.2f}  discrimination {disc}"
                      + (f"  {flags}" if flags else ""))
    flagged = sum(len(i.flagged) for i in items)
    console.print(f"{len(items)} questions analysed, {flagged} variants flagged harder; open {course.relative(page)}")


def main(argv: list[str] | None = None) -> int:
    try:
        result = app.main(args=argv, prog_name="course", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except CourseError as exc:
        console.print(f"[red]error:[/] {exc.message}")
        if exc.hint:
            console.print(f"[yellow]hint:[/] {exc.hint}")
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return 130
    except Exception as exc:  # a defect of ours: one line by default, the traceback on request
        if os.environ.get("COURSE_DEBUG"):
            raise
        console.print(f"[red]internal error:[/] {type(exc).__name__}: {exc}")
        console.print("[yellow]hint:[/] rerun with COURSE_DEBUG=1 for the traceback, and report it")
        return 3


if __name__ == "__main__":
    sys.exit(main())
