"""Verbs TAs run on a cohort: collect, grade, status, feedback, report; and the admins' slurm-check."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from .common import STATUS_STYLE, console, course_of, plain, print_written, progress_bar, shown


@click.command()
@click.argument("assignment_id")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--exchange", is_flag=True, help="Collect from nbgrader's exchange (a hub) instead of an LMS zip.")
@click.pass_context
def collect(ctx, assignment_id, archive, exchange):
    """Unpack an LMS export ARCHIVE (zip), or with --exchange take the newest submission of each
    student from nbgrader's exchange, into submitted/<student>/ASSIGNMENT_ID/."""
    from ..intake import exchange as nbgrader_exchange
    from ..intake.archives import collect_archive as run

    course = course_of(ctx)
    if exchange == (archive is not None):
        raise click.UsageError("give either an LMS export ARCHIVE or --exchange")
    if exchange:
        taken = nbgrader_exchange.collect_exchange(course=course, assignment_id=assignment_id)
        console.print(f"collected {len(taken.placed)} new submissions from the exchange"
                      f" ({taken.unchanged} unchanged) under {shown(course.relative(course.submissions_root()))}/")
        arrivals(taken)
        return 0
    outcome = run(course=course, assignment_id=assignment_id, archive=archive)
    console.print(f"placed {len(outcome.placed)} submissions under {shown(course.relative(course.submissions_root()))}/")
    for entry, why in outcome.unplaced:
        console.print(f"  [yellow]not placed[/] {shown(entry)}: {shown(why)}")
    for entry, note in outcome.noted:
        console.print(f"  [cyan]note[/] {shown(entry)}: {shown(note)}")
    return 1 if outcome.unplaced else 0


@click.command()
@click.argument("students", nargs=-1)
@click.option("--from-lms", is_flag=True, help="Take the students from the LMS's roster (LTI Names and Role "
              "Provisioning) and enroll them in nbgrader's gradebook too; members who cannot be mapped are listed.")
@click.pass_context
def enroll(ctx, students, from_lms):
    """Enroll STUDENTS (hub user names) in the course on the ngshare exchange service, making the
    course there if it is new: the service serves a course only to the people it knows."""
    from ..intake import exchange
    from .lms import enroll_from_lms

    if from_lms == bool(students):
        raise click.UsageError("give either STUDENTS or --from-lms")
    course = course_of(ctx)
    if from_lms:
        return enroll_from_lms(course)
    exchange.enroll(course=course, students=list(students))
    console.print(f"enrolled {len(students)} students in {shown(course.nbgrader.course_id)} on {shown(exchange.where(course))}")


def show_profile(summary) -> None:
    from rich.table import Table

    from ..reports.profile import stages

    table = Table(title=f"where the time went, per submission ({len(summary.graded)} graded)")
    for column in ("stage", "median s", "mean s", "share"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in stages(summary.graded):
        table.add_row(stage.name, f"{stage.median:.3f}", f"{stage.mean:.3f}", f"{100 * stage.share:.1f} %")
    console.print(table)
    console.print(f"gradebook write for the run: {summary.ingest_seconds:.2f} s")


def arrivals(collected) -> None:
    """What a collect from the exchange did with each new submission that needs a word."""
    for student, why in collected.refused:
        console.print(f"  [red]refused[/] {shown(student)}: {shown(why)}")
    for student, why in collected.invalid:
        console.print(f"  [yellow]will score 0[/] {shown(student)}: {shown(why)}")
    for student, note in collected.noted:
        console.print(f"  [yellow]note[/] {shown(student)}: {shown(note)}")


@click.command()
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
@click.option("--profile", is_flag=True, help="Afterwards, show where the time went: each stage's seconds per submission.")
@click.pass_context
def grade(ctx, assignment_id, students, workers, gpus, jobs_per_gpu, resume, backend, profile, **slurm_options):
    """Grade every submission of ASSIGNMENT_ID in parallel, sandboxed, one record per submission."""
    from ..verbs.grade import grade as run
    from ..grading.sandbox import warning
    from ..grading.results import EXPLAINED

    course = course_of(ctx)
    given = {key: value for key, value in slurm_options.items() if value is not None}
    if given and backend != "slurm":
        raise click.UsageError(f"--{next(iter(given)).replace('_', '-')} is for --backend slurm")
    with progress_bar("grading") as progress:
        task = progress.add_task("", total=None)

        def started(summary, count):
            if warning(summary.isolation):
                console.print(f"[red bold]warning:[/] {shown(warning(summary.isolation))}")
            console.print(f"grading {count} submissions on {shown(summary.where)}, isolation: {shown(summary.isolation)}"
                          + (f"; {summary.skipped} kept from the last run" if summary.skipped else ""))
            progress.update(task, total=count)

        def done(record):
            style = STATUS_STYLE.get(record.status, "red")
            progress.console.print(f"  {shown(record.student_id):<28} [{style}]{shown(record.status):<16}[/] "
                                   f"{record.score:g}/{record.max_score:g}  {record.seconds:.1f} s  {shown(record.message[:90])}")
            progress.update(task, advance=1, description=plain(record.student_id))

        def queue_state(counts):  # Slurm: how many tasks wait, run and are done
            progress.update(task, description=", ".join(f"{n} {state}" for state, n in sorted(counts.items()) if n))

        options = {**given, "on_state": queue_state} if backend == "slurm" else {}
        summary = run(course=course, assignment_id=assignment_id, students=list(students), workers=workers,
                      gpus=gpus, jobs_per_gpu=jobs_per_gpu, resume=resume, backend=backend,
                      backend_options=options, on_start=started, on_done=done)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.counts.items()))
    console.print(f"{len(summary.records)} submissions: {shown(counts)}; grades are in the gradebook")
    if profile:
        show_profile(summary)
    if summary.counts.get("infra_error"):
        console.print(f"[red]{summary.counts['infra_error']} submissions could not be graded[/] ({EXPLAINED['infra_error']}); "
                      f"run `course grade {shown(assignment_id)} --resume` to try them again")
        return 1
    return 0


@click.command()
@click.argument("assignment_id")
@click.pass_context
def status(ctx, assignment_id):
    """Where grading of ASSIGNMENT_ID stands: records by status, ungraded submissions, queued Slurm tasks."""
    from ..reports.status import status as run

    course = course_of(ctx)
    found = run(course=course, assignment_id=assignment_id)
    for state, n in sorted(found.statuses.items()):
        console.print(f"  [{STATUS_STYLE.get(state, 'red')}]{shown(state):<16}[/] {n}")
    if found.queued:
        states = ", ".join(f"{n} {state}" for state, n in sorted(found.queued.items()))
        console.print(f"in Slurm: {shown(states)} (jobs {shown(' '.join(found.jobs))})")
    if found.extensions:
        console.print("extensions: " + shown(", ".join(f"{sid} +{extension}" for sid, extension in sorted(found.extensions.items()))))
    if found.late:
        console.print(f"{len(found.late)} graded submissions came late (extensions counted): "
                      + shown(", ".join(f"{sid} ({days} d)" for sid, days in sorted(found.late.items())[:8])))
    if found.ungraded:
        names = ", ".join(found.ungraded[:8]) + (" ..." if len(found.ungraded) > 8 else "")
        console.print(f"{len(found.ungraded)} submissions without a current record: {shown(names)}")
    unfinished = len(found.ungraded) + found.statuses.get("infra_error", 0) + found.statuses.get("cancelled", 0)
    if unfinished or found.queued:
        console.print(f"next: `course grade {shown(assignment_id)} --resume` (add --backend slurm to wait for queued tasks)")
        return 1
    console.print("every submission is graded")
    return 0


@click.command("slurm-check")
@click.option("--partition", help="Partition to check (default: c.Slurm.partition, else the cluster's default).")
@click.option("--gres", help="Resources per task, as for grading (default: c.Slurm.gres).")
@click.option("--slurm-setup", "setup", help="Shell lines each task runs first, as for grading.")
@click.pass_context
def slurm_check(ctx, **options):
    """For admins: two Slurm tasks report whether a node can grade (GPU, device cgroup, sandbox, PyTorch)."""
    from ..grading.backends.slurm_check import FAIL
    from ..grading.backends.slurm_check import slurm_check as run

    course = course_of(ctx)
    with console.status("waiting for two Slurm tasks (sbatch --wait)..."):
        findings = run(course=course, **{k: v for k, v in options.items() if v is not None})
    style = {"pass": "green", "FAIL": "red bold", "info": "cyan"}
    for f in findings:
        console.print(f"  {shown(f.task):<22} {shown(f.check):<22} [{style[f.verdict]}]{f.verdict:<5}[/] {shown(f.detail)}")
    failed = sum(f.verdict == FAIL for f in findings)
    console.print(f"{failed} checks failed" if failed else "this cluster can grade")
    return 1 if failed else 0


@click.command()
@click.argument("assignment_id")
@click.option("--student", "students", multiple=True, help="Only this student (repeatable).")
@click.option("--release", is_flag=True,
              help="Also release it through nbgrader's exchange: students press Fetch Feedback to see it.")
@click.pass_context
def feedback(ctx, assignment_id, students, release):
    """Write feedback/<student>/ASSIGNMENT_ID/<notebook>.html: verdicts and the student's own answers."""
    from ..intake import exchange
    from ..reports.feedback import feedback as run

    course = course_of(ctx)
    paths = run(course=course, assignment_id=assignment_id, students=list(students))
    console.print(f"wrote {len(paths)} feedback files under {shown(course.relative(course.root / course.nbgrader.feedback_directory))}/")
    if release:
        released = [path.parent.parent.name for path in paths]
        exchange.release_feedback(course=course, assignment_id=assignment_id, students=released)
        console.print(f"released {len(released)} of them into the exchange")


@click.command()
@click.argument("assignment_id")
@click.pass_context
def report(ctx, assignment_id):
    """Write reports/ASSIGNMENT_ID/: grades.csv for the LMS, tests.csv, plots and report.html."""
    from ..reports.report import report as run

    course = course_of(ctx)
    print_written(course, run(course=course, assignment_id=assignment_id))


@click.command()
@click.argument("assignment_id")
@click.argument("student_id")
@click.option("--days", type=click.FloatRange(min=0), default=0, help="Days added to the deadline.")
@click.option("--hours", type=click.FloatRange(min=0), default=0, help="Hours added to the deadline.")
@click.pass_context
def extend(ctx, assignment_id, student_id, days, hours):
    """Grant STUDENT_ID an extension of ASSIGNMENT_ID's deadline in nbgrader's gradebook (it replaces an
    earlier one; 0 removes it). Late penalties, reports and feedback honour it."""
    from datetime import timedelta

    from ..records.gradebook import grant_extension

    course = course_of(ctx)
    (assignment_id,) = course.resolve([assignment_id])
    extension = timedelta(days=days, hours=hours)
    grant_extension(course, assignment_id, student_id, extension)
    console.print(f"{shown(student_id)}'s deadline for {shown(assignment_id)} is now {extension} later" if extension
                  else f"{shown(student_id)} has no extension on {shown(assignment_id)}")


@click.command()
@click.argument("assignment_id")
@click.option("--exchange", is_flag=True, help="Collect from nbgrader's exchange and release feedback there (a hub).")
@click.option("--interval", type=click.FloatRange(min=0), help="Seconds between passes (default: c.Grading.watch_interval_seconds).")
@click.option("--once", is_flag=True, help="One pass, then exit (for cron).")
@click.option("--passback", is_flag=True, help="Also post each new grade to the LMS, as `course passback` does.")
@click.pass_context
def watch(ctx, assignment_id, exchange, interval, once, passback):
    """Grade on submit: keep collecting new submissions of ASSIGNMENT_ID, grade each as it arrives
    (a resubmission again, an unchanged one never), and write and release its feedback. Stop it with
    Ctrl+C at any time; started again, it goes on where it was."""
    from ..verbs.watch import watch as run

    # Ctrl+C (or SIGTERM) ends the watch at once, in the middle of a pass too: records are written
    # whole, a collect lands whole or not at all, and grading workers are stopped with their runs.
    # The request is also kept, because libraries the pass calls may swallow the KeyboardInterrupt
    # (nbgrader's capture_log catches everything): the watch then ends after that call.
    requests = []

    def stop(signum, frame):
        requests.append(signum)
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    course = course_of(ctx)

    def done(record):
        style = STATUS_STYLE.get(record.status, "red")
        console.print(f"  graded {shown(record.student_id):<24} [{style}]{shown(record.status):<16}[/] "
                      f"{record.score:g}/{record.max_score:g}  {record.seconds:.1f} s")

    def passed(finished):
        if finished.collected:
            arrivals(finished.collected)
        if finished.released:
            console.print(f"  feedback {'released' if exchange else 'written'} for {shown(', '.join(finished.released))}")
        if finished.passed_back:
            sent = finished.passed_back
            console.print(f"  passed back to the LMS: {shown(', '.join(s.student for s in sent.scores)) or 'nothing'}"
                          + "".join(f"; not sent {shown(sid)}: {shown(why)}" for sid, why in sent.not_in_roster))

    def failed(exc):
        console.print(f"[red]error:[/] {shown(exc.message)} (trying again next pass)")

    where = "the exchange" if exchange else course.relative(course.submissions_root()) + "/"
    console.print(f"watching {shown(where)} for submissions of {shown(assignment_id)}" + ("" if once else "; Ctrl+C stops"))
    try:
        run(course=course, assignment_id=assignment_id, exchange=exchange, interval=interval, once=once,
            stopped=lambda: bool(requests), on_pass=passed, on_error=failed, on_done=done, passback=passback)
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not once:
        console.print("stopped; every record and feedback page written so far is kept, and a new watch goes on from there")
    return 0
