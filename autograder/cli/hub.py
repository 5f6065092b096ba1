"""`course hub ...`: the course's side of the one-machine JupyterHub, which scripts/hub.sh runs as
root around what needs the shell (users, environments, the hub's process). The hub's settings come
from the environment (HUB_STATE, HUB_PORT, ...), as the hub's own config reads them."""

from __future__ import annotations

import click

from .common import console, course_of, shown


def _course_and_hub(ctx: click.Context):
    from ..hub.settings import HubSettings

    return course_of(ctx), HubSettings.from_environ()


@click.group()
def hub():
    """The course on a JupyterHub on this machine (scripts/hub.sh start runs check, setup and publish)."""


@hub.command()
@click.pass_context
def check(ctx):
    """Refuse a hub whose exchange the course would not reach, whose ports are taken, or where a
    student can list, enter or read the staff checkout, the course folder or the hub's own files."""
    from ..hub.steps import check as run

    course, settings = _course_and_hub(ctx)
    run(course, settings)
    console.print(f"checked: {shown(' '.join(settings.probes))} cannot reach the staff's files")


@hub.command()
@click.pass_context
def setup(ctx):
    """Before the hub starts: everyone's nbgrader config, the staff's token, the gradebook for formgrader."""
    from ..hub.steps import setup as run

    course, settings = _course_and_hub(ctx)
    run(course, settings)


@hub.command()
@click.pass_context
def publish(ctx):
    """Once the hub starts: wait for it to answer, then enroll the students and release the coursework
    on its ngshare exchange; say where everything is."""
    from ..hub.steps import publish as run

    course, settings = _course_and_hub(ctx)
    run(course, settings)
    private = settings.private
    if settings.exchange == "ngshare":
        console.print(f"the exchange: ngshare at {shown(settings.service_url)} (staff token in "
                      f"{shown(settings.staff_token_file)}, root only)")
    console.print(f"the course {shown(course.nbgrader.course_id)} is on {settings.url}/ "
                  f"(users: {shown(' '.join(settings.users))})")
    if settings.auth == "lti13":
        console.print(f"logins: launches from the LMS {shown(course.lms.issuer)}; what its admin registers: "
                      f"{settings.url}/hub/lti13/config, and the tool's keyset from `course lms jwks`")
        if not course.lms.context_id:
            console.print("c.LMS.context_id is unset: every launch is refused until it names the LMS course; the "
                          "course's instructor launches the tool from it once, and the page shows the line to add")
    elif settings.demo_password is not None:
        console.print(f"demo login: every user's password is {shown(settings.demo_password)}")
    elif settings.auth_config is None:
        console.print(f"logins: each user's Unix password; those the script made are in {shown(private / 'passwords')} (root only)")
    staff = "<name>" if settings.auth == "lti13" else shown(settings.instructor)  # LMS staff: each as themselves
    console.print(f"formgrader: {settings.url}/user/{staff}/formgrader")
