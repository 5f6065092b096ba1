"""What LTI 1.3 launches into the hub carried, kept for the staff's tools.

The hub (root) writes it on every launch it lets in; `course enroll --from-lms` and `course passback` read it.
It lives in the course folder (lms/launches.json), which only staff can enter (`course hub check`
refuses otherwise). It binds each hub name to the LMS user (iss, sub) it was first given to: a later
launch whose claim gives the same name for someone else is refused, never let into that server. It keeps
the course (c.LMS.context_id) as launches from it show it: its NRPS and AGS URLs and, per resource link,
the link's title and its AGS line item (the LMS's own grade column for it), which pass-back looks for.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
RESOURCE_LINK_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
FILE = Path("lms") / "launches.json"


class NameTaken(Exception):
    """The launch's hub name belongs to another LMS user (or to an account the LMS never gave)."""


class UnsafeFolder(Exception):
    """The record's folder is a link, or someone other than root or the course's owner could change it."""


@dataclass
class Launches:
    # hub name -> {"iss", "sub", "staff", "name", "email", "at"}: who each hub user is in the LMS
    users: dict[str, dict] = field(default_factory=dict)
    # the course (c.LMS.context_id) as its latest launch saw it: "context_id", "title", "memberships_url",
    # "lineitems_url", "deployment_id", "at", and "links": {resource link id: {"title", "lineitem"}}
    context: dict = field(default_factory=dict)

    def course(self, context_id: str) -> dict:
        """What launches from the LMS course `context_id` (c.LMS.context_id) carried; nothing where the
        record is of another course (kept from before the setting changed) or the setting is unset."""
        return self.context if context_id and self.context.get("context_id") == context_id else {}

    def hub_name_of(self, iss: str, sub: str) -> str | None:
        return next((name for name, user in self.users.items() if (user.get("iss"), user.get("sub")) == (iss, sub)),
                    None)


def path(course_root: Path) -> Path:
    return Path(course_root) / FILE


def _parsed(text: str) -> Launches:
    data = json.loads(text)
    return Launches(users=dict(data.get("users") or {}), context=dict(data.get("context") or {}))


def read(course_root: Path) -> Launches:
    """The record; an empty one where no launch has happened yet."""
    try:
        return _parsed(path(course_root).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Launches()


# The course folder is writable by its group, the staff, who could put a link or a folder of their own in
# the place of lms/ at any moment: root opens lms/ once, without following a link, checks whose it is, and
# reaches every file through that descriptor, never through the name again.
@contextmanager
def _locked(course_root: Path):
    """The record's folder, checked and locked (one launch's read-check-write at a time: two first launches
    must not both take a name), as an open descriptor."""
    root = Path(course_root)
    folder = path(root).parent
    try:
        folder.mkdir(mode=0o750)
        made = True
    except FileExistsError:
        made = False
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UnsafeFolder(f"{folder} is a link or a file, not the record's folder") from None
        raise
    try:
        course, seen = root.stat(), os.fstat(fd)
        if seen.st_uid not in (0, course.st_uid) or seen.st_mode & 0o022:
            raise UnsafeFolder(f"{folder} can be changed by others than root and the course's owner (owner uid "
                               f"{seen.st_uid}, mode {seen.st_mode & 0o777:o})")
        if made:  # the hub writes as root; the staff's tools read as the course's group, which owns the course
            os.fchown(fd, -1, course.st_gid)
            os.fchmod(fd, 0o750)
        lock = os.open(FILE.with_suffix(".lock").name, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640,
                       dir_fd=fd)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(lock)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFolder(f"{folder / exc.filename} is a link") from None
        raise
    finally:
        os.close(fd)


def _read_in(folder: int) -> Launches:
    try:
        record = os.open(FILE.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        return Launches()
    with open(record, encoding="utf-8") as handle:
        return _parsed(handle.read())


def _write_in(folder: int, launches: Launches) -> None:
    """The record replaced whole (a name of its own for the new text, then renamed over the old): a killed hub
    leaves the old record or the new one, and a link planted as launches.json is replaced, never followed."""
    new = f".{FILE.name}.{secrets.token_hex(8)}.tmp"
    handle = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640, dir_fd=folder)
    try:
        with open(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps({"users": launches.users, "context": launches.context}, indent=1, sort_keys=True))
            out.flush()
            os.fsync(out.fileno())
        os.replace(new, FILE.name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        os.unlink(new, dir_fd=folder)
        raise


def record(course_root: Path, claims: Mapping, hub_name: str, *, staff: bool, account_exists: bool = False,
           context_id: str = "") -> Launches:
    """Bind `hub_name` to the launch's LMS user and keep what it carried for the staff's tools; the course's
    services and links only where the launch comes from `context_id` (c.LMS.context_id).

    Raises NameTaken where the name is bound to another LMS user, or (`account_exists`) is an account
    this machine has that no launch was given: an LMS user named like the instructor's account or
    root's must not become them. Raises UnsafeFolder where the record's folder is not the hub's to trust."""
    iss, sub = str(claims.get("iss", "")), str(claims.get("sub", ""))
    with _locked(course_root) as folder:
        launches = _read_in(folder)
        bound = launches.users.get(hub_name)
        if bound is not None and (bound.get("iss"), bound.get("sub")) != (iss, sub):
            raise NameTaken(f"the user name {hub_name!r} already belongs to another LMS user")
        if bound is None and account_exists:
            raise NameTaken(f"the user name {hub_name!r} is an account of this machine that no LMS user was given")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        launches.users[hub_name] = {"iss": iss, "sub": sub, "staff": staff, "name": claims.get("name"),
                                    "email": claims.get("email"), "at": now}
        context = _mapping(claims.get(CONTEXT_CLAIM))
        if context_id and context.get("id") == context_id:
            _course_seen(launches, claims, context, now)
        _write_in(folder, launches)
        return launches


def _mapping(value) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _course_seen(launches: Launches, claims: Mapping, context: Mapping, now: str) -> None:
    ags, nrps, link = (_mapping(claims.get(claim)) for claim in (AGS_CLAIM, NRPS_CLAIM, RESOURCE_LINK_CLAIM))
    if launches.context.get("context_id") != context["id"]:
        launches.context = {}  # another course's, named before c.LMS.context_id was changed: none of it is this one's
    seen = {"context_id": context["id"], "title": context.get("title"), "deployment_id": claims.get(DEPLOYMENT_CLAIM),
            "at": now}
    # A student's launch carries the same service URLs as a teacher's.
    if nrps.get("context_memberships_url"):
        seen["memberships_url"] = nrps["context_memberships_url"]
    if ags.get("lineitems"):
        seen["lineitems_url"] = ags["lineitems"]
    links = dict(launches.context.get("links") or {})
    if link.get("id"):
        # The latest launch of a link says whether the LMS grades it now (a line item made or removed since).
        links[str(link["id"])] = {"title": link.get("title"), "lineitem": ags.get("lineitem")}
    launches.context.update(seen, links=links)
