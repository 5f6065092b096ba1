"""What LTI 1.3 launches into the hub carried, kept for the staff's tools.

The hub (root) writes it on every launch; `course enroll --from-lms` and `course passback` read it.
It lives in the course folder (lms/launches.json), which only staff can enter (`course hub check`
refuses otherwise). It binds each hub name to the LMS user (iss, sub) it was first given to: a later
launch whose claim gives the same name for someone else is refused, never let into that server.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .files import write_atomically

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
RESOURCE_LINK_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
FILE = Path("lms") / "launches.json"


class NameTaken(Exception):
    """The launch's hub name belongs to another LMS user (or to an account the LMS never gave)."""


@dataclass
class Launches:
    # hub name -> {"iss", "sub", "staff", "name", "email", "at"}: who each hub user is in the LMS
    users: dict[str, dict] = field(default_factory=dict)
    # the course as the latest launch saw it: "context_id", "title", "memberships_url", "lineitems_url",
    # "deployment_id", "at"
    context: dict = field(default_factory=dict)

    def hub_name_of(self, iss: str, sub: str) -> str | None:
        return next((name for name, user in self.users.items() if (user.get("iss"), user.get("sub")) == (iss, sub)),
                    None)


def path(course_root: Path) -> Path:
    return Path(course_root) / FILE


def read(course_root: Path) -> Launches:
    """The record; an empty one where no launch has happened yet."""
    try:
        data = json.loads(path(course_root).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Launches()
    return Launches(users=dict(data.get("users") or {}), context=dict(data.get("context") or {}))


@contextmanager
def _locked(course_root: Path):
    """One launch's read-check-write at a time: two first launches must not both take a name."""
    lock = path(course_root).with_suffix(".lock")
    if not lock.parent.is_dir():
        # The hub writes as root; the staff's tools read as the course's group, which owns the course.
        lock.parent.mkdir(mode=0o750)
        os.chown(lock.parent, -1, Path(course_root).stat().st_gid)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def record(course_root: Path, claims: Mapping, hub_name: str, *, staff: bool,
           account_exists: bool = False) -> Launches:
    """Bind `hub_name` to the launch's LMS user and keep what it carried for the staff's tools.

    Raises NameTaken where the name is bound to another LMS user, or (`account_exists`) is an account
    this machine has that no launch was given: an LMS user named like the instructor's account or
    root's must not become them."""
    iss, sub = str(claims.get("iss", "")), str(claims.get("sub", ""))
    with _locked(course_root):
        launches = read(course_root)
        bound = launches.users.get(hub_name)
        if bound is not None and (bound.get("iss"), bound.get("sub")) != (iss, sub):
            raise NameTaken(f"the user name {hub_name!r} already belongs to another LMS user")
        if bound is None and account_exists:
            raise NameTaken(f"the user name {hub_name!r} is an account of this machine that no LMS user was given")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        launches.users[hub_name] = {"iss": iss, "sub": sub, "staff": staff, "name": claims.get("name"),
                                    "email": claims.get("email"), "at": now}
        ags, nrps = claims.get(AGS_CLAIM) or {}, claims.get(NRPS_CLAIM) or {}
        context = claims.get(CONTEXT_CLAIM) or {}
        if isinstance(context, Mapping) and context.get("id"):
            seen = {"context_id": context.get("id"), "title": context.get("title"),
                    "deployment_id": claims.get(DEPLOYMENT_CLAIM), "at": now}
            if isinstance(nrps, Mapping) and nrps.get("context_memberships_url"):
                seen["memberships_url"] = nrps["context_memberships_url"]
            if isinstance(ags, Mapping) and ags.get("lineitems"):
                seen["lineitems_url"] = ags["lineitems"]
            # A student's launch carries the same service URLs; the first launch of a new course replaces
            # an old course's, never mixes them.
            if launches.context.get("context_id") == seen["context_id"]:
                launches.context.update(seen)
            else:
                launches.context = seen
        write_atomically(path(course_root), json.dumps({"users": launches.users, "context": launches.context},
                                                        indent=1, sort_keys=True))
        return launches
