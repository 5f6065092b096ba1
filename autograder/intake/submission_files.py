"""The files of a submission, submitted/<student>/<assignment>/, read without following links.

Grading runs as root (or as staff) and a submission folder holds whatever shared storage, a
hand-made copy or another tool's unpacking left there: a symbolic link to the solutions, to another
student's notebook or to a root-only file, a named pipe, a device. nbgrader's submit makes none of
these, so a folder holding one anywhere is refused whole, as intake/inbound.py refuses it in the
exchange (a linked or missing timestamp.txt would otherwise dodge a late penalty). The files that
are read are then opened name by name from the course's submitted/ folder, each relative to its
folder and without following a link, must be regular files, and are read at most to
c.Grading.max_submission_mb: a name swapped for a link after the folder was screened is refused,
never followed. Hand-written because pathlib and shutil decide link or file from a listing and then
open by path.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from contextlib import contextmanager
from datetime import timezone
from pathlib import Path
from typing import Callable, Iterator

from nbgrader.utils import parse_utc

from ..course import notebooks
from ..course.coursedir import Course

TIMESTAMP_FILE = "timestamp.txt"  # nbgrader's record of when a submission arrived
SECRET_FILE = "submission_secret.txt"  # what nbgrader's release_feedback publishes a page under
# O_NONBLOCK: opening a named pipe must not wait for a writer. O_NOCTTY: a terminal never becomes ours.
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_OPEN_FOLDER = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC
_RESUBMIT = "a submission holds plain files only; submit the notebook again from Jupyter or the course's upload"



class InvalidSubmission(Exception):
    """The submission cannot be graded as this assignment's notebook; the message says why."""


def _kind(mode: int) -> str:
    return {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket",
            stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFDIR: "a folder", stat.S_IFREG: "a file"}.get(
                stat.S_IFMT(mode), "not a plain file")


class Folder:
    """One submission's folder, open and screened: its top-level files read by name."""

    def __init__(self, fd: int, shown: str, limit_bytes: int, names: list[str]):
        self.fd, self.shown, self.limit_bytes = fd, shown, limit_bytes
        self.names = names  # its regular files at the top, sorted

    def read(self, name: str) -> bytes:
        """The bytes of the regular file `name`, refused (InvalidSubmission) when it is anything else
        or larger than the limit; never more than the limit plus one byte is read."""
        shown = f"{self.shown}/{name}"
        try:
            fd = os.open(name, _OPEN_FILE, dir_fd=self.fd)
        except OSError as exc:
            raise _refusal(exc, self.fd, name, shown, "a file") from None
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise InvalidSubmission(f"{shown} is {_kind(mode)}, not a file: {_RESUBMIT}")
            # Read to the limit, not to what fstat says: a file can grow while it is read.
            chunks, left = [], self.limit_bytes + 1
            while left and (chunk := os.read(fd, min(left, 2**20))):
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
        if not left:
            raise InvalidSubmission(
                f"{shown} is larger than the {self.limit_bytes // 2**20} MB a submitted file may have "
                "(c.Grading.max_submission_mb): clear its outputs (Kernel > Restart and Clear Outputs), save, submit again")
        return b"".join(chunks)

    def text(self, name: str) -> str | None:
        """A small text file nbgrader's exchange puts beside the notebook, None when there is none."""
        if name not in self.names:
            return None
        return self.read(name).decode("utf-8", errors="replace")

    def exchange_texts(self) -> dict[str, str]:
        """timestamp.txt and submission_secret.txt as the exchange left them, those present."""
        return {name: text for name in (TIMESTAMP_FILE, SECRET_FILE) if (text := self.text(name)) is not None}


def _refusal(exc: OSError, dir_fd: int, name: str, shown: str, wanted: str, fix: str = _RESUBMIT) -> Exception:
    """What opening `name` in `dir_fd` failed with, as the student's problem where it is one."""
    if exc.errno in (errno.ELOOP, errno.ENOTDIR):  # O_DIRECTORY meets a link as ENOTDIR: look without following
        try:
            kind = _kind(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
        except OSError:
            kind = "gone"
        return InvalidSubmission(f"{shown} is {kind}, not {wanted}: {fix}")
    if exc.errno == errno.ENOENT:
        return InvalidSubmission(f"{shown} does not exist: {fix}")
    return exc  # a fault of ours or of the machine (no descriptors left, a lost mount): retried


_DEEPEST = 64  # folders within folders a submission may hold: each level open holds one descriptor


def _odd_entry(top: int, shown: str) -> str | None:
    """The first entry anywhere under the folder `top` that is neither a regular file nor a folder, as
    a reason; folders are entered through descriptors, never through a link, depth first, so that
    only one descriptor per level is open (a thousand sibling folders must not exhaust them)."""
    stack: list[tuple[int, str, list[tuple[str, int]]]] = []

    def enter(fd: int, where: str) -> None:
        try:
            with os.scandir(fd) as entries:
                listed = sorted(((e.name, e.stat(follow_symlinks=False).st_mode) for e in entries), reverse=True)
        except BaseException:
            os.close(fd)
            raise
        stack.append((fd, where, listed))

    enter(os.dup(top), shown)
    try:
        while stack:
            fd, where, listed = stack[-1]
            if not listed:
                os.close(stack.pop()[0])
                continue
            name, mode = listed.pop()
            if stat.S_ISDIR(mode):
                if len(stack) >= _DEEPEST:
                    return f"{where}/{name} lies more than {_DEEPEST} folders deep: {_RESUBMIT}"
                try:
                    enter(os.open(name, _OPEN_FOLDER, dir_fd=fd), f"{where}/{name}")
                except OSError as exc:
                    if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
                        raise  # out of descriptors, an I/O error: ours, retried, never the student's loss
                    return f"{where}/{name} changed while it was read: submit again"
            elif not stat.S_ISREG(mode):
                return f"{where}/{name} is {_kind(mode)}, not a file: {_RESUBMIT}"
    finally:
        for fd, _, _ in stack:
            os.close(fd)
    return None


@contextmanager
def opened(course: Course, student_id: str, assignment_id: str) -> Iterator[Folder]:
    """The submission's folder, refused (InvalidSubmission) when it, its student folder or anything in
    it is a link or a special file. The course's own submitted/ folder is the staff's and may be one."""
    root = course.submissions_root()
    shown = course.relative(root)
    fds = [os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]
    try:
        for name in (student_id, assignment_id):
            shown += f"/{name}"
            if name in ("", ".", "..") or "/" in name:
                raise InvalidSubmission(f"{shown} is not a submission's folder name")
            try:
                fds.append(os.open(name, _OPEN_FOLDER, dir_fd=fds[-1]))
            except OSError as exc:
                raise _refusal(exc, fds[-1], name, shown, "a folder") from None
        why = _odd_entry(fds[-1], shown)
        if why:
            raise InvalidSubmission(why)
        with os.scandir(fds[-1]) as entries:
            names = sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
        yield Folder(fds[-1], shown, course.grading.max_submission_mb * 2**20, names)
    finally:
        for fd in fds:
            os.close(fd)


def exchange_texts(course: Course, student_id: str, assignment_id: str) -> dict[str, str]:
    """The submission's timestamp.txt and submission_secret.txt, those present; none of a refused one."""
    try:
        with opened(course, student_id, assignment_id) as folder:
            return folder.exchange_texts()
    except InvalidSubmission:
        return {}


def made_folder(course: Course, student_id: str, assignment_id: str) -> Path:
    """submitted/<student>/<assignment>/ for collect to write into, made where missing; refused
    (InvalidSubmission) when a part of it is a link or not a folder, since what is written there would
    land where the link points (the course's sources, another student's folder)."""
    fd = os.open(course.submissions_root(), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    shown = course.relative(course.submissions_root())
    try:
        for name in (student_id, assignment_id):
            shown += f"/{name}"
            try:
                os.mkdir(name, dir_fd=fd)
            except FileExistsError:
                pass
            try:
                inner = os.open(name, _OPEN_FOLDER, dir_fd=fd)
            except OSError as exc:
                raise _refusal(exc, fd, name, shown, "a folder", fix="remove it, then collect again") from None
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    return course.submission_dir(student_id, assignment_id)


def replace_whole(dest: Path, write: Callable[[Path], None]) -> None:
    """A new submission at submitted/<student>/<assignment>/ (`dest`) in place of the one there, for
    collect. `write` fills a staging folder beside it; only then is the earlier submission renamed
    aside, the new one renamed in, and the earlier one removed. Killed anywhere in this, a collect
    leaves the earlier submission in place or aside, never half of one, and the next collect's
    `recover` puts it back before fetching the new one again. `write` raising leaves `dest` as it was."""
    staging, aside = _beside(dest, "collecting"), _beside(dest, "replaced")
    recover(dest)
    try:
        write(staging)
        if dest.is_symlink() or dest.is_file():  # not a submission collect made: never followed
            dest.unlink()
        elif dest.is_dir():
            os.rename(dest, aside)
        try:
            os.rename(staging, dest)
        except OSError:
            if os.path.lexists(aside):
                os.rename(aside, dest)
            raise
    except Exception:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def recover(dest: Path) -> None:
    """What a collect killed while replacing `dest` left behind: the earlier submission it had renamed
    aside goes back unless the new one took its place; a staging folder, whole or not, goes (the
    submission is fetched again)."""
    aside = _beside(dest, "replaced")
    if os.path.lexists(aside):
        if os.path.lexists(dest):
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(aside, dest)
    shutil.rmtree(_beside(dest, "collecting"), ignore_errors=True)


def recover_all(course: Course, assignment_id: str) -> None:
    """`recover` for every student's submission of `assignment_id`: before a collect, which replaces
    only those newer on the exchange, so that one killed after its new submission was in place
    leaves nothing behind either."""
    root = course.submissions_root()
    for folder in root.iterdir() if root.is_dir() else []:
        recover(folder / assignment_id)


def _beside(dest: Path, what: str) -> Path:
    # a dot: nbgrader, `listed` and grading never take it for an assignment's submission
    return dest.with_name(f".{dest.name}.{what}")


def listed(course: Course, assignment_id: str) -> list[str]:
    """The students with an entry for `assignment_id` in submitted/, whatever it is: a link or a file
    is listed too, so that grading refuses it with a reason rather than pass over it in silence."""
    root = course.submissions_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if os.path.lexists(p / assignment_id))


def timestamp_time(timestamp: str | None) -> str | None:
    try:
        return parse_utc(timestamp.strip()).replace(tzinfo=timezone.utc).isoformat()
    except (AttributeError, ValueError, TypeError):
        return None


def submitted_at(course: Course, student_id: str, assignment_id: str) -> str | None:
    """When the submission arrived, from nbgrader's timestamp.txt; None without one, or when refused."""
    return timestamp_time(exchange_texts(course, student_id, assignment_id).get(TIMESTAMP_FILE))


def pick_notebook(folder: Folder, expected: str) -> tuple[str, str]:
    """The submitted notebook's name, and a note when it was not where it belongs."""
    found = [name for name in folder.names if name.endswith(".ipynb") and not name.startswith(".")]
    if expected in folder.names:
        others = ", ".join(name for name in found if name != expected)
        # A copy beside the fetched notebook ("layer_math (1).ipynb") often holds the answers: say so.
        return expected, f"graded {expected}; also submitted and not graded: {others}. " if others else ""
    if len(found) == 1:
        return found[0], f"graded {found[0]} in place of {expected}; name it {expected} next time. "
    if not found:
        raise InvalidSubmission(f"no notebook submitted: {expected} is missing")
    raise InvalidSubmission(f"{expected} is missing and several other notebooks were submitted ({', '.join(found)})")


def submitted_notebook(course: Course, student_id: str, assignment_id: str) -> tuple[notebooks.Contents, str]:
    """One student's submitted notebook of an assignment, read, and a note when it was misnamed."""
    with opened(course, student_id, assignment_id) as folder:
        name, note = pick_notebook(folder, course.source_notebooks(assignment_id)[0].name)
        return notebooks.Contents(folder.read(name), name), note


def submitted_students(course: Course, assignment_id: str) -> list[str]:
    return listed(course, assignment_id)
