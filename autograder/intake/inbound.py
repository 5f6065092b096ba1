"""What students put in the exchange's inbound folder, screened before nbgrader's collect copies it.

Every user can write into inbound, and collect runs as staff (root on a hub), so nbgrader's own
copy would follow a symbolic link a student planted there (the solutions' notebook, graded as the
student's), fail the whole collect on a named pipe, and only warn when a folder claims to be another
student's. `nbgrader submit` itself never makes any of these, so a submission holding one was made by
hand: it is refused and moved out of collect's way, with the reason, and the student's earlier
submission stands. GuardedCollect then copies plain files and folders only, never through a link, so
even a folder changed after it was screened cannot lead the copy anywhere.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import stat
from functools import partial
from pathlib import Path

from nbgrader.exchange.default import ExchangeCollect
from nbgrader.utils import ignore_patterns

from ..course.identity import student
from .submission_files import replace_whole

_REFUSED = ".refused+"  # nbgrader's collect looks for "<student>+<assignment>+*": a dot hides the entry from it


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _odd_entry(folder: Path) -> str | None:
    """The first thing in a submission that is neither a plain file nor a folder, as a reason."""
    for parent, dirs, files in os.walk(folder):  # never follows links: a linked folder is listed, not entered
        for name in sorted(dirs + files):
            path = Path(parent) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                return f"it holds a symbolic link ({path.relative_to(folder)}); submit the files themselves"
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                return f"it holds {path.relative_to(folder)}, which is not a plain file"
    return None


def screen(inbound: Path, assignment_id: str, check_owner: bool = True) -> list[tuple[str, str]]:
    """Refuse the submissions of `assignment_id` that nbgrader's submit could not have made: (student, why)."""
    refused = []
    # glob.glob, as nbgrader's collect uses: unlike pathlib's, its "*" never matches a leading dot
    for entry in sorted(map(Path, glob.glob(str(inbound / f"*+{glob.escape(assignment_id)}+*")))):
        who = student(entry.name.rsplit("+", 3)[0])  # named by its exchange user: nbgrader's submit names it so
        info = entry.lstat()
        if not stat.S_ISDIR(info.st_mode):
            why = "it is not a folder"
        elif check_owner and _owner(info.st_uid) != who.hub_user:
            why = f"it claims to be {who.nbgrader_id}'s but belongs to {_owner(info.st_uid)}"
        else:
            why = _odd_entry(entry)
        if why:
            entry.rename(entry.with_name(_REFUSED + entry.name))
            refused.append((who.nbgrader_id, f"a submission was refused: {why}"))
    return refused


class GuardedCollect(ExchangeCollect):
    """nbgrader's collect, each newer submission landing whole in place of the earlier one
    (submission_files.replace_whole: nbgrader's own removes the earlier one first, and a collect killed
    then leaves the student none), copied without following links."""

    def copy_files(self):
        for record in self.src_records:  # each student's newest submission in inbound (nbgrader's init_src)
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, record["username"],
                                                   self.coursedir.assignment_id))
            before = self.coursedir.get_existing_timestamp(str(dest)) if dest.is_dir() else None
            # nbgrader's rule: a newer one, or with before_duedate any other one (its init_src chose it)
            if before is not None and not (record["timestamp"] > before or
                                           (self.before_duedate and record["timestamp"] != before)):
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            replace_whole(dest, partial(self.do_copy, os.path.join(self.inbound_path, record["filename"])))

    def do_copy(self, src, dest, log=None):
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:  # nbgrader's own limit, which its do_copy enforces
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is {1000 * self.coursedir.max_dir_size}")
        skip = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                               max_file_size=self.coursedir.max_file_size, log=self.log)
        top = os.open(src, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            _copy_plain(top, Path(dest), skip)
        finally:
            os.close(top)


def _copy_plain(folder_fd: int, dest: Path, skip) -> None:
    """Copy what `folder_fd` holds, opening every name relative to its folder without following a
    link, so a name swapped for a link after screening is skipped, never followed. Hand-written
    because shutil.copytree decides link or file from a listing and then opens by path."""
    dest.mkdir()
    names = sorted(os.listdir(folder_fd))
    ignored = set(skip(f"/proc/self/fd/{folder_fd}", names))
    for name in names:
        if name in ignored:
            continue
        try:  # O_NONBLOCK: opening a named pipe must not wait for a writer
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
        except OSError:  # a link (ELOOP), a socket, or gone
            continue
        try:
            kind = os.fstat(fd).st_mode
            if stat.S_ISDIR(kind):
                _copy_plain(fd, dest / name, skip)
            elif stat.S_ISREG(kind):
                with os.fdopen(os.dup(fd), "rb") as source, open(dest / name, "wb") as target:
                    shutil.copyfileobj(source, target)
        finally:
            os.close(fd)
