"""The course's side of the one-machine hub (scripts/hub.sh runs it as root, `course hub ...`):
`check` refuses a hub students could use to read staff files, before it starts; `setup` writes what
the hub and the users' servers read; `publish` waits for the hub to answer, then enrolls the students
and releases the coursework on its exchange. The users, the environments and the hub's process are
the script's: they need the shell and root's tools, not the course."""

from __future__ import annotations

import grp
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from ..authoring.release import release
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..intake import exchange
from .settings import HubSettings

CHECKOUT = Path(__file__).resolve().parents[2]  # the staff's: its sources hold the hidden tests and the solutions
STUDENTS_CONFIG = CHECKOUT / "deploy" / "student_nbgrader_config.py"


def check(course: Course, hub: HubSettings) -> None:
    """Refuses to go on while the course would not reach the hub's exchange, the hub's ports are
    taken, or any student can list, enter or read the staff's files."""
    if os.geteuid() != 0:
        raise CourseError("what students can reach is checked as each of them: run this as root")
    if hub.auth == "lti13":
        hub.lms(course)
    if _running(hub):
        raise CourseError(f"a hub is already running from {hub.state}", hint="run `scripts/hub.sh stop` first")
    _exchange_matches(course, hub)
    for port in range(hub.port, hub.port + 4):
        with socket.socket() as probe:
            # As the hub's servers bind (SO_REUSEADDR): the connections of a hub just stopped, which linger a
            # minute, do not stop it starting again, a server that listens there does.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise CourseError(f"a port of {hub.port}-{hub.port + 3} is in use", hint="choose others with HUB_PORT") from None
    out_of_reach(hub, CHECKOUT, "the staff checkout `course` runs from: its sources hold the hidden tests and the solutions")
    out_of_reach(hub, course.root, "the course folder: its sources, solutions, every submission and the gradebook")
    out_of_reach(hub, hub.private, "the hub's own files: its database, cookie secret and the users' passwords")


def _exchange_matches(course: Course, hub: HubSettings) -> None:
    service = course.exchange_service
    if hub.exchange == "ngshare" and (service.url != hub.service_url or service.token_file != str(hub.staff_token_file)):
        raise CourseError("the course's staff commands would not reach this hub's ngshare exchange",
                          hint=f'put these lines in {course.root / "course_config.py"}: c.ExchangeService.url = '
                               f'"{hub.service_url}"; c.ExchangeService.token_file = "{hub.staff_token_file}"; '
                               f'c.ExchangeService.instructors = ["{hub.instructor}"]')
    if hub.exchange == "folder" and service.url:
        raise CourseError("the course's course_config.py sets c.ExchangeService.url (the ngshare exchange)",
                          hint="start with HUB_EXCHANGE=ngshare, or drop that line")


def out_of_reach(hub: HubSettings, path: Path, what: str) -> None:
    """Refuses while any student can list, enter or read `path`. Asked as each student, by a process
    of theirs, so that every folder above it, their groups and ACLs count as they do for them."""
    for user in hub.probes:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise CourseError(f"there is no Unix user {user}", hint="`scripts/hub.sh start` makes the users of HUB_STUDENTS") from None
        as_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": os.getgrouplist(user, entry.pw_gid)}

        def allowed(flag: str) -> bool:
            return subprocess.run(["test", flag, str(path)], cwd="/", **as_user).returncode == 0

        if allowed("-r") or (path.is_dir() and allowed("-x")):
            raise CourseError(f"{user} can reach {path} ({what})",
                              hint=f"close it to students, e.g. `chmod o-rwx {path}` (or a folder above it), then start again")


def _running(hub: HubSettings) -> bool:
    try:
        os.kill(int((hub.private / "hub.pid").read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def setup(course: Course, hub: HubSettings) -> None:
    """Everyone's nbgrader finds the course's exchange, the instructor's formgrader the course, and
    the instructor's group may write the gradebook; the staff's token on the ngshare exchange."""
    etc = hub.env / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    if hub.exchange == "ngshare":
        shutil.copyfile(STUDENTS_CONFIG, etc / "nbgrader_config.py")
        if not hub.staff_token_file.is_file() or not hub.staff_token_file.read_text().strip():
            _private_file(hub.staff_token_file).write_text(secrets.token_urlsafe(32) + "\n")
        release(course=course)  # makes the gradebook; the exchange takes it once the hub serves it (publish)
    else:
        folder = exchange.root(course)
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o1777)
        _write_config(etc / "nbgrader_config.py", CourseDirectory={"course_id": course.nbgrader.course_id},
                      Exchange={"root": str(folder)})
        exchange.release_assignments(course=course)
    make_staff(course.root, hub, hub.instructor)
    instructor = pwd.getpwnam(hub.instructor)
    # formgrader writes manual grades into the gradebook, and SQLite its journal beside it.
    gradebook = course.sqlite_gradebook()
    for path, mode in ((course.root, 0o070), (gradebook, 0o060)):
        if path and path.exists():
            os.chown(path, -1, instructor.pw_gid)
            path.chmod(path.stat().st_mode | mode)
    if gradebook:
        out_of_reach(hub, gradebook, "the course's gradebook")
    _private_file(hub.private / "jupyterhub.sqlite")  # SQLite gives its journal the database's mode


def make_staff(course_root: Path, hub: HubSettings, user: str, staff: bool = True) -> None:
    """Give `user` what makes the instructor staff, or (`staff` False) take it away: membership of the
    course folder's group, the instructor's own (formgrader writes the gradebook), and formgrader's
    nbgrader config in their home, naming the course. It reaches a server started after this. The config
    is written as the user: root following a link they planted in their home would write where they cannot."""
    member = is_staff(hub, user)
    if not staff and not member:
        return  # a student as before: nothing in their home is ours to touch
    if user != hub.instructor and staff != member:
        group = _course_group(hub).gr_name
        _root_runs(["usermod", "--append", "--groups", group, user] if staff else ["gpasswd", "--delete", user, group])
    entry = pwd.getpwnam(user)
    config = _config_text(CourseDirectory={"root": str(course_root)})
    script = ('mkdir -p "$1/.jupyter" && cat >"$1/.jupyter/nbgrader_config.py"' if staff
              else 'rm -f "$1/.jupyter/nbgrader_config.py"')
    written = subprocess.run(["sh", "-c", script, "sh", entry.pw_dir], input=config, text=True, capture_output=True,
                             cwd="/", user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
    if written.returncode:
        raise CourseError(f"{user}'s formgrader config could not be {'written' if staff else 'removed'}: "
                          f"{written.stderr.strip()}", hint=f"check that {user} owns {entry.pw_dir}")


def is_staff(hub: HubSettings, user: str) -> bool:
    """Staff on this hub: the instructor and whom make_staff made staff, members of the course folder's group."""
    return user == hub.instructor or user in _course_group(hub).gr_mem


def _course_group(hub: HubSettings) -> grp.struct_group:
    return grp.getgrgid(pwd.getpwnam(hub.instructor).pw_gid)


def _root_runs(command: list[str]) -> None:
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        raise CourseError(f"`{' '.join(command)}` failed: {run.stderr.strip()}", hint="run the hub as root")


def _private_file(path: Path) -> Path:
    """`path`, made root's alone (600) before anything is written into it."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)
    return path


def _write_config(path: Path, **sections: dict) -> None:
    path.write_text(_config_text(**sections))


def _config_text(**sections: dict) -> str:
    # repr: each value as a Python literal, whatever quotes or backslashes a path or id holds.
    lines = [f"c.{section}.{key} = {value!r}" for section, values in sections.items() for key, value in values.items()]
    return "\n".join(["c = get_config()  # noqa: F821 - written by `course hub setup`", *lines, ""])


def publish(course: Course, hub: HubSettings) -> None:
    """Once the hub answers: the ngshare exchange checked, the students enrolled, the coursework released."""
    _wait_for_hub(hub)
    if hub.exchange != "ngshare":
        return
    try:
        exchange.check_setup(course)
        exchange.enroll(course=course, students=list(hub.students))
        exchange.release_assignments(course=course)
    except CourseError as exc:
        raise CourseError(f"the course could not be set up on the ngshare exchange: {exc.message}",
                          hint=f"the hub's log is {hub.private / 'hub.log'}") from None


def _wait_for_hub(hub: HubSettings) -> None:
    log = hub.private / "hub.log"
    deadline = time.monotonic() + hub.start_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{hub.url}/hub/health", timeout=5):
                return
        except OSError:
            pass
        if not _running(hub):
            raise CourseError(f"the hub did not start: {_last_error(log)}", hint=f"its log is {log}")
        time.sleep(0.5)
    raise CourseError(f"the hub did not answer within {hub.start_seconds} s", hint=f"its log is {log}")


def _last_error(log: Path) -> str:
    """What the hub said last as it stopped: the exception that ended its traceback, else its last line."""
    try:
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return "it wrote no log"
    errors = [match.group() for line in lines if (match := re.search(r"[A-Za-z]*Error\b.*", line))]
    return (errors or [line for line in lines if line] or ["it wrote nothing into its log"])[-1]
