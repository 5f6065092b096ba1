"""Verbs for the course in an LMS (LTI 1.3): the tool's key, the roster, grades back to the LMS."""

from __future__ import annotations

import json

import click
from rich.table import Table

from .common import console, course_of, plain, progress_bar, shown


@click.group()
def lms():
    """The tool's key pair, which signs its requests to the LMS (roster and grades)."""


# What each LMS's registration form takes: Moodle's 'Public key type' RSA key (PEM) or keyset URL,
# Canvas's 'JWK Method' Public JWK (one key), a keyset for any other.
FORMATS = ("keyset", "jwk", "pem")


def _print_jwks(key, course, form: str = "keyset") -> None:
    from ..lms.tool_key import public_jwks, public_pem

    keyset = public_jwks(key, course.lms.key_id)
    # plain print: the key is for copying into the LMS, and rich would wrap or style it
    click.echo(public_pem(key).rstrip() if form == "pem" else
               json.dumps(keyset["keys"][0] if form == "jwk" else keyset, indent=1))


@lms.command()
@click.option("--force", is_flag=True, help="Replace an existing key (the LMS then needs the new keyset).")
@click.pass_context
def key(ctx, force):
    """Write a new private key to c.LMS.private_key_file (mode 600) and print the public keyset to
    register in the LMS (Moodle: 'Public keyset'; Canvas: the developer key's 'Public JWK')."""
    from ..lms.tool_key import key_path, write_key

    course = course_of(ctx)
    path = key_path(course)
    written = write_key(path, force=force)
    console.print(f"wrote the tool's private key to {shown(path)} (mode 600; never share it); its public keyset:")
    _print_jwks(written, course)


@lms.command()
@click.option("--as", "form", type=click.Choice(FORMATS), default="keyset", show_default=True,
              help="keyset: a JWKS; jwk: one key (Canvas's 'Public JWK'); pem: the public key (Moodle's 'RSA key').")
@click.pass_context
def jwks(ctx, form):
    """Print the public half of the tool's key (c.LMS.private_key_file), to register in the LMS."""
    from ..lms.tool_key import read_key

    course = course_of(ctx)
    _print_jwks(read_key(course), course, form)


def _outcome(member) -> str:
    if member.staff:  # never a student, with a user name or without
        return "staff"
    if member.hub_name is None:
        return f"[yellow]not mapped:[/] {shown(member.why)}"
    return "[green]enrolled[/]" if member.student else f"{shown(member.status.lower())}: not enrolled"


def enroll_from_lms(course) -> int:
    """`course enroll --from-lms`: the LMS's students enrolled; every member listed who was not."""
    from ..lms.enroll import enroll_from_lms as run

    roster, exchange = run(course)
    table = Table(title=f"the LMS's roster ({shown(roster.url)})", title_justify="left")
    for column in ("member", "LMS user id", "user name", ""):
        table.add_column(column)
    for member in sorted(roster.members, key=lambda m: (m.student, m.hub_name or "", m.user_id)):
        table.add_row(shown(member.name or member.email), shown(member.user_id), shown(member.hub_name or "-"),
                      _outcome(member))
    console.print(table)
    students = roster.students
    console.print(f"enrolled {len(students)} students in nbgrader's gradebook"
                  + (f" and in {shown(course.nbgrader.course_id)} on {shown(exchange)}" if exchange else ""))
    unmapped = roster.unmapped
    if unmapped:
        console.print(f"[yellow]{len(unmapped)} member{'s' if len(unmapped) > 1 else ''} could not be mapped to a "
                      "user name[/] (listed above); "
                      "fix c.LMS.username_key / username_prefix, or let them launch the tool once")
        return 1
    return 0


@click.command()
@click.argument("assignment_id")
@click.option("--dry-run", is_flag=True,
              help="Show what would be sent and send nothing (the roster and the line items are still read).")
@click.option("--zero-missing", is_flag=True,
              help="Send a zero for each student in the LMS with nothing in submitted/ whose deadline (their extension "
                   "included) has passed; collect first.")
@click.option("--lineitem", metavar="URL",
              help="The line item (column) to post to, where the LMS has several that could be the assignment's.")
@click.pass_context
def passback(ctx, assignment_id, dry_run, zero_missing, lineitem):
    """Post each student's final score of ASSIGNMENT_ID (as `course report` has it: manual grades, late
    penalties and extensions applied) to its line item in the LMS: the one --lineitem names, else the one
    the tool made (its resourceId), else the LMS's own column for the assignment's activity (its title),
    else a new one. Run again, it replaces the scores; it never makes a second result."""
    from ..lms.passback import passback as run

    course = course_of(ctx)
    with progress_bar("posting scores") as progress:
        task = progress.add_task("", total=None)

        def planned(done):
            progress.update(task, total=len(done.scores))
            if done.lineitem is None:
                console.print(f"the LMS has no line item for {shown(done.assignment_id)}: "
                              + ("it would be" if dry_run else "it is") + f" made at {shown(done.lineitems_url)} "
                              f"(label {shown(repr(done.label))}, maximum {done.maximum:g})")

        def sent(score):
            progress.update(task, advance=1, description=plain(score.student))

        def waiting():
            console.print(f"another pass-back of {shown(assignment_id)} is running: waiting for it to end")

        found = run(course=course, assignment_id=assignment_id, zero_missing=zero_missing, dry_run=dry_run,
                    lineitem=lineitem, on_plan=planned, on_sent=sent, on_wait=waiting)
    table = Table(title=f"{shown(found.assignment_id)} " + ("would be sent to" if dry_run else "sent to")
                  + f" {shown(found.lineitem or found.lineitems_url)}"
                  + (f" ({shown(found.found_by)})" if found.found_by else ""), title_justify="left")
    for column, justify in (("student", "left"), ("LMS user id", "left"), ("score", "right"), ("progress", "left"),
                            ("", "left")):
        table.add_column(column, justify=justify)
    for score in found.scores:
        table.add_row(shown(score.student), shown(score.user_id), f"{score.given:g} / {score.maximum:g}",
                      f"{score.activity}, {score.grading}", shown(score.why_pending))
    console.print(table)
    for student, why in found.not_in_roster:
        console.print(f"  [yellow]not sent[/] {shown(student)}: {shown(why)}")
    for member in found.unmapped:
        console.print(f"  [yellow]not mapped[/] {shown(member.name or member.user_id)} ({shown(member.user_id)}): "
                      f"{shown(member.why)}")
    if found.ungraded:
        console.print(f"  submitted, not graded yet: {shown(', '.join(found.ungraded))} (nothing sent; "
                      f"`course grade {shown(found.assignment_id)} --resume` grades them)")
    open_until: dict = {}
    for student, until in found.not_due:
        open_until.setdefault(until, []).append(student)
    for until, students in sorted(open_until.items()):
        console.print(f"  not submitted yet, may still submit until {until:%Y-%m-%d %H:%M %Z}: "
                      f"{shown(', '.join(students))} (nothing sent)")
    if found.missing:
        zeroed = " (would be sent a zero)" if dry_run else " (sent a zero)"
        console.print(f"  never submitted: {shown(', '.join(found.missing))}"
                      + (zeroed if zero_missing else " (nothing sent; --zero-missing sends them a zero)"))
    console.print(f"dry run: {len(found.scores)} scores would be sent, nothing was" if dry_run
                  else f"posted {found.sent} scores to the LMS")
    return 0
