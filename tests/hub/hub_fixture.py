"""A hub whose users log in from the test LMS (scripts/hub.sh with HUB_AUTH=lti13), for the tests that
launch into it: `lti_hub(members=..., links=...)` starts the platform (tests/lms/platform.py)
and the hub, each knowing the other's URLs, and stops both; `launch_form` and `post_launch` walk a
member's launch without a browser, as the platform's pages would lead one.

Runs as root (the hub makes Unix users and runs their servers as them); one such hub at a time
(`xdist_group("hub")`), since LMS users are Unix users of the machine.
"""

from __future__ import annotations

import grp
import html
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import requests

from autograder.course import identity, lms_launches
from autograder.course.coursedir import Course
from tests.conftest import REPO, free_ports, make_course_copy
from tests.lms.platform import Platform, start_platform, tool_key_pair

INSTRUCTOR = "instructor"  # HUB_INSTRUCTOR by default: its group owns the course
COURSE_ID = "adlm"  # the platform's course (tests/lms/platform.py's default), its launches' context id


@dataclass
class LtiHub:
    url: str
    instructor: str  # HUB_INSTRUCTOR, whose group owns the course and makes staff
    course: Course
    state: Path
    platform: Platform
    env: dict[str, str]  # the hub's settings, which its config and `course hub` read from the environment
    seconds_to_start: float  # scripts/hub.sh start, platform excluded
    said_at_start: str  # what scripts/hub.sh start printed (`course hub publish` among it)

    @property
    def platform_state(self) -> Path:
        """The platform's own folder: its key pair, which a test may sign launches with as the platform."""
        return self.state / "lms" / "state"

    def launches(self) -> lms_launches.Launches:
        return lms_launches.read(self.course.root)


def _remove_users(names) -> None:
    """The hub's Unix users and their groups, never one of the machine's own (root, system accounts)."""
    for name in names:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if 1000 <= entry.pw_uid < 65534 and entry.pw_dir.startswith("/home/"):
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)  # its server, if the hub left one
            subprocess.run(["userdel", "--force", "--remove", name], capture_output=True)
    # userdel keeps a user's group while others are in it (staff are in the instructor's)
    primary = {entry.pw_gid for entry in pwd.getpwall()}
    for name in names:
        try:
            group = grp.getgrnam(name)
        except KeyError:
            continue
        if 1000 <= group.gr_gid < 65534 and group.gr_gid not in primary:
            subprocess.run(["groupdel", name], capture_output=True)


def _hub_name(member: dict, username_key: str, prefix: str) -> str | None:
    value = {"sub": member["user_id"], "custom_username": member.get("username")}.get(username_key, member.get(username_key))
    try:
        return identity.lms_hub_name(value, prefix) if value else None
    except identity.NotAHubName:
        return None


def context_line(context_id: str) -> str:
    """The course_config.py line that makes the LMS course `context_id` the hub's course."""
    return f"c.LMS.context_id = {context_id!r}\n"


@contextmanager
def lti_hub(*, members: list[dict], links: list[dict], username_key: str = "email",
            username_prefix: str = "", extra_config: str = "", exchange: str = "folder",
            instructor: str = INSTRUCTOR, context_id: str | None = COURSE_ID) -> Iterator[LtiHub]:
    """The platform and the hub, up; `extra_config` goes into the course's course_config.py, and so does
    `context_id`, the LMS course's (None: the hub as its admin starts it before the course is named, every
    launch refused). Every Unix user the hub made for an LMS user is removed afterwards, and any that a run
    before left behind first.
    An LMS member whose name would be `instructor` is refused (the account is not theirs): give the hub's
    instructor another name, or the LMS users a `username_prefix`."""
    if os.geteuid() != 0:
        import pytest

        pytest.skip("the hub makes Unix users and runs their servers as them: run the suite as root (CI does)")
    # Not under pytest's own temporary folders, which only root may enter: the users' servers run the hub's
    # environment from here.
    state = Path(tempfile.mkdtemp(prefix="lti-hub-"))
    state.chmod(0o755)
    stale = {instructor, *filter(None, (_hub_name(m, username_key, username_prefix) for m in members))}
    _remove_users(stale)
    port = free_ports(4, start=32000)
    url = f"http://127.0.0.1:{port}"
    tool_key, tool_jwks = tool_key_pair(state / "tool")
    platform = start_platform(state / "lms", members=members, links=links, tool_jwks=tool_jwks,
                              tool_login_url=f"{url}/hub/lti13/oauth_login", tool_launch_url=f"{url}/hub/lti13/oauth_callback")
    exchange_config = (f'c.ExchangeService.url = "{url}/services/ngshare"\nc.ExchangeService.token_file = "{state}/hub/staff-token"\n'
                       f'c.ExchangeService.instructors = ["{instructor}"]\n' if exchange == "ngshare" else
                       f'c.Exchange.root = "{state}/exchange"\n')
    course = make_course_copy(state, extra_config=(
        f'\nc.LMS.issuer = "{platform.issuer}"\nc.LMS.client_id = "{platform.client_id}"\n'
        f'c.LMS.deployment_id = "{platform.deployment_id}"\nc.LMS.authorize_url = "{platform.authorize_url}"\n'
        f'c.LMS.jwks_url = "{platform.jwks_url}"\nc.LMS.token_url = "{platform.token_url}"\n'
        f'c.LMS.username_key = "{username_key}"\nc.LMS.username_prefix = "{username_prefix}"\n'
        f'c.LMS.private_key_file = "{tool_key}"\n'
        + exchange_config + (context_line(context_id) if context_id else "") + extra_config))
    course.root.chmod(0o750)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HUB_")}, "HUB_STATE": str(state),
           "HUB_PORT": str(port), "HUB_AUTH": "lti13", "HUB_EXCHANGE": exchange, "HUB_INSTRUCTOR": instructor,
           "HUB_COURSE": str(course.root)}
    # The staff checkout is closed to students while the hub runs, which `course hub check` asks for.
    checkout_mode = REPO.stat().st_mode
    REPO.chmod(0o700)
    try:
        started = time.monotonic()
        said = _start(course.root, env)
        yield LtiHub(url, instructor, course, state, platform, env, time.monotonic() - started, said)
    finally:
        subprocess.run([str(REPO / "scripts" / "hub.sh"), "stop"], env=env, capture_output=True, timeout=120)
        REPO.chmod(checkout_mode)
        platform.stop()
        _remove_users([*lms_launches.read(course.root).users, instructor])
        shutil.rmtree(state, ignore_errors=True)


def _start(course_root: Path, env: dict[str, str]) -> str:
    up = subprocess.run([str(REPO / "scripts" / "hub.sh"), "start", str(course_root)], env=env,
                        capture_output=True, text=True, timeout=600)
    assert up.returncode == 0, up.stdout + up.stderr
    return up.stdout


def restart(hub: LtiHub) -> None:
    """scripts/hub.sh stop, then start: the hub reads course_config.py as it starts."""
    subprocess.run([str(REPO / "scripts" / "hub.sh"), "stop"], env=hub.env, capture_output=True, timeout=120)
    hub.said_at_start = _start(hub.course.root, hub.env)


def launch_form(hub: LtiHub, user_id: str, link_title: str | None = None) -> tuple[requests.Session, str, dict]:
    """A member's click on a link of the platform's course page (the first, or the one titled so), up to
    the platform's auto-submitting launch form: (their browser's session, the form's action, its fields)."""
    session = requests.Session()
    page = session.get(f"{hub.platform.url}/?as={user_id}", timeout=30)
    page.raise_for_status()
    links = {html.unescape(title): html.unescape(href)
             for href, title in re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', page.text)}
    assert links, page.text
    # The link starts the tool's OIDC login; the hub redirects to the platform, which answers with the form.
    form = session.get(links[link_title] if link_title else next(iter(links.values())), timeout=30)
    assert form.status_code == 200, form.text
    action = re.search(r'<form method="post" action="([^"]+)"', form.text)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.text))
    assert action and set(fields) == {"id_token", "state"}, form.text
    return session, html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields.items()}


def post_launch(session: requests.Session, action: str, fields: dict) -> requests.Response:
    """The form's post, as the page's script sends it; the hub's answer, its redirect not followed."""
    return session.post(action, data=fields, allow_redirects=False, timeout=60)


def open_server(hub: LtiHub, session: requests.Session, name: str, launched: requests.Response,
                path: str = "lab") -> requests.Response:
    """Where the launch sent the user, followed until their server answers (a first spawn takes seconds
    on busy cores; meanwhile the hub shows its spawn-pending page), then `path` on it."""
    assert launched.status_code == 302, launched.text
    answer = session.get(hub.url + launched.headers["Location"], timeout=120)
    deadline = time.monotonic() + 120
    while not answer.url.startswith(f"{hub.url}/user/{name}/"):
        assert time.monotonic() < deadline, f"{name}'s server did not start: {answer.status_code} {answer.url}"
        time.sleep(1)
        answer = session.get(f"{hub.url}/user/{name}/{path}", timeout=60)
    return session.get(f"{hub.url}/user/{name}/{path}", timeout=60)
