"""The one-machine hub's settings, read from the environment by its JupyterHub config
(deploy/hub/jupyterhub_config.py) and by `course hub`, so that both act on one hub. They are values
read at load time, never pasted into code: a quote in a password is just a character of it.

    HUB_STATE       where the hub keeps its files (default /srv/adlm-hub); its own (database, cookie
                    secret, log, passwords, the staff's token, ngshare's data) in HUB_STATE/hub, root's alone
    HUB_PORT        the hub's port on 127.0.0.1 (default 8000); the next three: its API, the proxy's, ngshare's
    HUB_STUDENTS    the students' Unix users (default "student1 student2")
    HUB_INSTRUCTOR  the instructor's Unix user (default instructor)
    HUB_COURSE      the course folder the instructor grades in (default HUB_STATE/course)
    HUB_EXCHANGE    folder (default): nbgrader's exchange folder, c.Exchange.root; ngshare: the exchange
                    as the hub's service, reached over HTTP, no shared folder
    HUB_AUTH        pam (default): users log in with their Unix password; lti13: the course's LMS launches
                    them in (LTI 1.3, from the platform's values in the course's c.LMS), and every LMS
                    user who launches gets a Unix user of their own; staff by their LTI roles
    HUB_AUTH_CONFIG a file of JupyterHub settings for the institution's login, loaded after the hub's
                    own; without it users log in with their Unix password (PAM)
    HUB_DEMO_LOGIN  1: JupyterHub's dummy login, everyone with the one password HUB_PASSWORD,
                    for a demo on a machine nobody else reaches
    HUB_PASSWORD    the demo login's one password (default adlm-course); refused without HUB_DEMO_LOGIN=1
    HUB_START_SECONDS  how long a starting hub may take to answer (default 60)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..course.errors import CourseError

if TYPE_CHECKING:
    from ..course.coursedir import Course
    from ..course.settings import LMS

EXCHANGES = ("folder", "ngshare")
AUTHS = ("pam", "lti13")
# What an LTI 1.3 login cannot start without: where the platform authenticates users and what it signs with.
LTI_NEEDS = ("issuer", "client_id", "authorize_url", "jwks_url")
DEMO_PASSWORD = "adlm-course"


def _whole(environ: Mapping[str, str], name: str, default: int, what: str) -> int:
    value = environ.get(name) or str(default)
    if not value.isdigit() or not 0 < int(value) < 65533:
        raise CourseError(f"{name} is {value!r}, not {what}", hint=f"leave it out for the default, {default}")
    return int(value)


@dataclass(frozen=True)
class HubSettings:
    state: Path
    port: int
    students: tuple[str, ...]
    instructor: str
    course: Path
    exchange: str
    auth: str  # one of AUTHS
    auth_config: Path | None
    demo_password: str | None  # None: not the demo login
    start_seconds: int  # how long `course hub publish` waits for a starting hub to answer

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> "HubSettings":
        state = Path(environ.get("HUB_STATE") or "/srv/adlm-hub").absolute()
        port = _whole(environ, "HUB_PORT", 8000, "a port of 1-65532 (it uses the next three too)")
        exchange = environ.get("HUB_EXCHANGE") or "folder"
        if exchange not in EXCHANGES:
            raise CourseError(f"HUB_EXCHANGE is {exchange}", hint="use folder (the default) or ngshare")
        demo = environ.get("HUB_DEMO_LOGIN") == "1"
        auth = environ.get("HUB_AUTH") or "pam"
        if auth not in AUTHS:
            raise CourseError(f"HUB_AUTH is {auth}", hint="use pam (the default: Unix passwords) or lti13 (launches from the LMS)")
        if auth == "lti13" and (demo or environ.get("HUB_STUDENTS")):
            raise CourseError(f"HUB_AUTH=lti13 lets in whoever the LMS launches; {'HUB_DEMO_LOGIN' if demo else 'HUB_STUDENTS'} "
                              "is for the hub's own logins", hint="leave it out, or leave out HUB_AUTH")
        if environ.get("HUB_PASSWORD") and not demo:
            raise CourseError("HUB_PASSWORD is the demo login's one password for everyone",
                              hint="set HUB_DEMO_LOGIN=1 to use it, or leave it out: users then log in with their own passwords")
        auth_config = Path(environ["HUB_AUTH_CONFIG"]).absolute() if environ.get("HUB_AUTH_CONFIG") else None
        if auth_config and not auth_config.is_file():
            raise CourseError(f"HUB_AUTH_CONFIG names {auth_config}, which is not a file",
                              hint="give the file of JupyterHub settings for your institution's login (the admin guide's hub page, docs/admin/hub.md, has an example)")
        students = () if auth == "lti13" else tuple((environ.get("HUB_STUDENTS") or "student1 student2").split())
        return cls(state=state, port=port, students=students,
                   instructor=environ.get("HUB_INSTRUCTOR") or "instructor",
                   course=Path(environ.get("HUB_COURSE") or state / "course").absolute(), exchange=exchange,
                   auth=auth, auth_config=auth_config, demo_password=(environ.get("HUB_PASSWORD") or DEMO_PASSWORD) if demo else None,
                   start_seconds=_whole(environ, "HUB_START_SECONDS", 60, "a number of seconds"))

    def lms(self, course: Course) -> LMS:
        """The course's LMS as the hub's LTI 1.3 login needs it; refused while a value it needs is unset."""
        missing = [f"c.LMS.{name}" for name in LTI_NEEDS if not getattr(course.lms, name)]
        if missing:
            raise CourseError(f"HUB_AUTH=lti13 needs {', '.join(missing)} in {course.root / 'course_config.py'}",
                              hint="copy them from the tool's registration in the LMS (the admin guide's LMS page, docs/admin/lms.md, says where)")
        return course.lms

    @property
    def private(self) -> Path:
        """The hub's own files, root's alone."""
        return self.state / "hub"

    @property
    def env(self) -> Path:
        """The users' servers' environment: the student library, nbgrader, no staff code."""
        return self.state / "env"

    @property
    def proxy(self) -> Path:
        return self.state / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        """Where the hub's proxy serves ngshare, to the staff's commands and users' servers alike."""
        return f"{self.url}/services/ngshare"

    @property
    def staff_token_file(self) -> Path:
        return self.private / "staff-token"

    @property
    def users(self) -> tuple[str, ...]:
        """The hub's own users; with LTI logins, the instructor only (LMS users arrive as they launch)."""
        return (self.instructor, *self.students)

    @property
    def probes(self) -> tuple[str, ...]:
        """Whom `course hub check` asks what students reach: the students; with LTI logins, whom the LMS will
        launch is not known yet, and nobody (a user in none of the course's groups) stands for each of them."""
        return self.students or ("nobody",)
