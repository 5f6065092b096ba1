"""Verbs instructors run on the sources: release, solutions, validate, export."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ..course.errors import ValidationFailed
from .common import console, course_of, ids_argument, print_written, progress_bar, shown

_DETAIL_CHARS = 200


@click.command()
@ids_argument
@click.option("--exchange", is_flag=True,
              help="Also publish it in nbgrader's exchange (c.Exchange.root, or the ngshare service of "
                   "c.ExchangeService.url), for students on a hub to fetch; a roster exam gives each their own paper.")
@click.pass_context
def release(ctx: click.Context, assignment_ids: tuple[str, ...], exchange: bool):
    """Regenerate release/<id>/: student notebooks without solutions or hidden tests (nbgrader), and
    the student library's wheel beside them."""
    from ..authoring.release import release as run
    from ..authoring.release import release_library
    from ..intake import exchange as nbgrader_exchange

    course = course_of(ctx)
    if not exchange:
        print_written(course, [*run(course=course, assignment_ids=assignment_ids), release_library(course=course)])
        return
    for assignment_id in nbgrader_exchange.release_assignments(course=course, assignment_ids=assignment_ids):
        console.print(f"  released {shown(assignment_id)} into the exchange at {shown(nbgrader_exchange.where(course))}")


@click.command()
@ids_argument
@click.pass_context
def solutions(ctx: click.Context, assignment_ids: tuple[str, ...]):
    """Regenerate solutions/<id>/: executed solution notebooks with hidden tests removed."""
    from ..verbs.solutions import build_solutions

    course = course_of(ctx)
    with console.status("executing solution notebooks"):
        paths = build_solutions(course=course, assignment_ids=assignment_ids)
    print_written(course, paths)


def _validation_table(assignment_id: str, results, seeds: list[int]) -> Table:
    drawn = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}-{seeds[-1]}"
    table = Table(title=f"validate {shown(assignment_id)} ({len(seeds)} {drawn.split()[0]} each: {drawn})", title_justify="left")
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
        table.add_row(shown(r.case.name), shown(r.case.kind), f"{got:g}/{out_of:g}", mark, shown(detail))
    return table


@click.command()
@ids_argument
@click.option("--solutions", "publish_solutions", is_flag=True,
              help="Also regenerate solutions/<id>/ from the solution runs (what `course solutions` writes, "
                   "without running the solutions again).")
@click.option("--seeds", type=click.IntRange(min=1), default=None,
              help="Judge every case under this many seeds (default c.Checks.validate_seeds), all in the "
                   "case's one run; a cell whose points differ between seeds fails the case.")
@click.option("--otter", "through_otter", is_flag=True,
              help="Also grade the cases through a fresh otter export with otter's own grader, and fail on "
                   "any question whose points differ from ours.")
@click.option("--otter-only", "otter_kinds", multiple=True,
              type=click.Choice(["solution", "stub", "mistake", "alternative"]),
              help="With --otter: grade only cases of this kind through otter (repeatable; default all).")
@click.option("--mutants", "mutation", is_flag=True,
              help="Instead of the cases: mutation analysis. Judge every mutant of the solution's code under one "
                   "seed; fail where fewer than c.Checks.mutant_kill_rate of those not recorded as equivalent are killed.")
@click.option("--only", "only", multiple=True, metavar="NAME",
              help="With --mutants: only mutants of this function or class of the solution (repeatable).")
@click.option("--sample", type=click.IntRange(min=1), default=None,
              help="With --mutants: this many mutants per notebook, spread evenly (the same ones every run).")
@click.pass_context
def validate(ctx: click.Context, assignment_ids: tuple[str, ...], publish_solutions: bool, seeds: int | None,
             through_otter: bool, otter_kinds: tuple[str, ...], mutation: bool, only: tuple[str, ...],
             sample: int | None):
    """Prove the tests right: solution passes, stub fails, known mistakes caught, alternatives pass,
    every requirement of the prompt guarded and proven (or, with --mutants, the solution's mutants killed)."""
    if mutation:
        return _mutation_analysis(course_of(ctx), assignment_ids, set(only) or None, sample)
    if only or sample:
        raise click.UsageError("--only and --sample go with --mutants")
    from ..verbs.solutions import publish
    from ..verbs.validate import validate as run, validation_seeds

    course = course_of(ctx)
    drawn = validation_seeds(course, seeds)
    with progress_bar("validating") as progress:
        task = progress.add_task("", total=None)
        validation = run(
            course=course,
            assignment_ids=assignment_ids,
            seeds=len(drawn),
            on_start=lambda n: progress.update(task, total=n),
            on_done=lambda r: progress.update(task, advance=1, description=r.case.name),
        )
    results = validation.results
    for assignment_id in dict.fromkeys(r.assignment_id for r in results):
        console.print(_validation_table(assignment_id, [r for r in results if r.assignment_id == assignment_id], drawn))
    for covered in validation.coverage:
        console.print(_coverage_line(course, covered))
    for problem in validation.problems:
        console.print(f"[red]FAIL[/] {shown(problem)}")
    if publish_solutions:  # a solution that failed its own tests is never published
        print_written(course, [publish(course, r.assignment_id, r.source, r.executed) for r in results
                               if r.executed is not None])
    differences = _otter_parity(course, results, otter_kinds) if through_otter else []
    failed = [r for r in results if not r.ok]
    kinds = {k: sum(r.case.kind == k for r in results) for k in ("mistake", "alternative")}
    console.print(
        f"{len(results)} cases ({kinds['mistake']} known mistakes, {kinds['alternative']} alternative solutions), "
        f"{len(failed)} failed, {len(validation.problems)} structural problems"
    )
    if differences:
        raise ValidationFailed(f"otter grades {len(differences)} case(s) differently; first: {differences[0]}",
                               hint="see the parity table above; the export is otter's reading of the source")
    if failed or validation.problems:
        first = failed[0] if failed else None
        raise ValidationFailed(
            f"{first.notebook} case {first.case.name}: {first.problems[0]}" if first else validation.problems[0],
            hint="fix the tests, the case or the requirement table, then run `course validate` again",
        )


def _coverage_line(course, covered) -> str:
    if covered.missing:
        return f"requirements {shown(covered.assignment_id)}: no table ({shown(course.relative(covered.table))})"
    mark = "[green]ok[/]" if not covered.problems else "[red]FAIL[/]"
    return (f"requirements {shown(covered.assignment_id)}: {covered.rows} rows, {covered.guarded} guarded, "
            f"{covered.proven} proven {mark}")


def _mutation_analysis(course, assignment_ids, only, sample) -> None:
    import time

    from ..verbs.mutants import analyse, by_cell

    started = time.perf_counter()
    with progress_bar("mutants") as progress:
        task = progress.add_task("", total=None)
        runs = analyse(course=course, assignment_ids=assignment_ids, only=only, sample=sample,
                       on_start=lambda n: progress.update(task, total=n),
                       on_done=lambda r: progress.update(task, advance=1, description=f"{r.key.split(':')[0]} {r.outcome}"))
    wall = time.perf_counter() - started
    aim = course.validation.mutant_kill_rate
    short = []
    for run in runs:
        table = Table(title=f"mutants {shown(run.assignment_id)} (seed {course.validation.validate_seed})", title_justify="left")
        for column in ("test cell", "mutants", "killed", "equivalent", "survived", "kill rate"):
            table.add_column(column)
        for cell, results in by_cell(run).items():
            table.add_row(shown(cell), *(str(n) for n in (len(results), run.count("killed", results),
                                                   run.count("equivalent", results), run.count("survived", results))),
                          _rate(run.rate(results)))
        console.print(table)
        for result in (r for r in run.results if r.outcome == "survived"):
            console.print(f"[yellow]survived[/] {shown(result.key)}" + (shown(f"  [{result.message}]") if result.message else ""))
            console.print(result.mutant.diff, markup=False, highlight=False)
        for problem in run.broken:
            console.print(f"[red]FAIL[/] {shown(problem)}")
        for key in run.stale:
            console.print(f"[red]FAIL[/] {shown(course.relative(course.equivalent_mutants_path(run.assignment_id)))} records "
                          f"a mutant the solution no longer makes: {shown(key)}")
        rate = run.rate(run.results)
        console.print(f"{shown(run.assignment_id)}: {len(run.results)} mutants, {run.count('killed')} killed, "
                      f"{run.count('equivalent')} equivalent, {run.count('survived')} survived, kill rate "
                      f"{_rate(rate)} (aim {aim:.0%}); {run.seconds:.0f} s of kernel time")
        if run.broken or run.stale or (rate is not None and rate < aim):
            short.append(run)
    console.print(f"{sum(len(r.results) for r in runs)} mutants in {wall:.0f} s")
    if short:
        first = short[0]
        raise ValidationFailed(
            f"{first.assignment_id}: " + (first.broken[0] if first.broken else
                                          f"{len(first.stale)} recorded equivalent mutant(s) no longer made" if first.stale
                                          else f"the hidden checks kill {_rate(first.rate(first.results))} of its "
                                               f"mutants, under the aim of {aim:.0%}"),
            hint="strengthen the checks the survivors above slip past, or record a mutant no input can tell from "
                 "the solution, with the reason, in the assignment's equivalent_mutants.toml")


def _rate(rate) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _otter_parity(course, results, kinds) -> list[str]:
    """Grade the validated cases through otter; print a table per assignment; return the differences."""
    from ..verbs.otter_parity import prove

    with progress_bar("otter run") as progress:
        task = progress.add_task("", total=None)
        proven = prove(course, results, kinds,
                       on_start=lambda aid, n: progress.reset(task, total=n, description=aid),
                       on_done=lambda p: progress.update(task, advance=1, description=p.case))
    for assignment in proven:
        table = Table(title=f"otter parity {shown(assignment.assignment_id)}", title_justify="left")
        for column in ("case", "ours", "otter", "result"):
            table.add_column(column, overflow="fold")
        for parity in assignment.parities:
            diff = parity.differences
            table.add_row(shown(parity.case), f"{sum(parity.ours.values()):g}", f"{sum(parity.otter.values()):g}",
                          "[red]" + shown("; ".join(diff)) + "[/]" if diff else "[green]same[/]")
        console.print(table)
        cases = len(assignment.parities)
        console.print(f"{cases} cases graded by otter in {assignment.seconds:.0f} s ({assignment.seconds / cases:.1f} s a "
                      f"case), {sum(bool(p.differences) for p in assignment.parities)} differ")
    return [d for assignment in proven for d in assignment.differences]


@click.group()
def export():
    """Export assignments for other graders."""


@export.command("otter")
@ids_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write (default: exports/otter/); each assignment gets <out>/<id>/.")
@click.option("--no-run-tests", is_flag=True,
              help="Skip otter assign's own run of the tests on the solution (faster).")
@click.pass_context
def export_otter(ctx: click.Context, assignment_ids: tuple[str, ...], out: Path | None, no_run_tests: bool):
    """otter-grader assignments (student notebook, Gradescope autograder zip), made by `otter assign`."""
    from ..verbs.otter_export import export as run

    course = course_of(ctx)
    with console.status("otter assign (it runs the tests on the solution)" if not no_run_tests else "otter assign"):
        exports = run(course=course, assignment_ids=assignment_ids, out=out, run_tests=not no_run_tests)
    for exported in exports:
        console.print(f"{shown(exported.assignment_id)}:")
        print_written(course, [exported.master, exported.student, exported.autograder_zip])
