"""`course collect`: an LMS download (a zip of renamed files) into nbgrader's submitted/ layout.

The student id comes from each file name through c.Collect.student_pattern; the zip entry's time
becomes nbgrader's timestamp.txt (late penalties are computed from it). Files that cannot be
placed are reported, never guessed.

The archive is untrusted (students choose their files' names and contents): every entry is placed
or reported whatever the others hold, entries are decompressed in bounded chunks against
c.Collect.max_entry_mb and max_archive_mb, and nothing is written outside submitted/.
"""

from __future__ import annotations

import contextlib
import lzma
import os
import re
import secrets
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..course import identity
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.files import write_atomically
from .submission_files import TIMESTAMP_FILE, InvalidSubmission, made_folder

_CHUNK = 1 << 20
_MB = 2**20
# What a damaged or hostile entry raises while it is opened or decompressed (bz2 raises OSError).
_UNREADABLE = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, RuntimeError, OSError)
_PATH_LIKE = re.compile(r"^[/\\]|^[A-Za-z]:|\\|(^|/)\.\.?(/|$)")


@dataclass
class ArchiveCollected:
    placed: dict[str, str] = field(default_factory=dict)  # student id -> zip entry
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (zip entry, why)
    noted: list[tuple[str, str]] = field(default_factory=list)  # (zip entry, what the TA should know)


class _Refused(Exception):
    """Why one entry is not placed."""


class _Expander:
    """Decompresses entries into files, counting the bytes they really expand to: a zip's declared
    sizes can lie, and a few MB of zip can expand to many GB."""

    def __init__(self, zf: zipfile.ZipFile, entry_mb: int, archive_mb: int):
        self.zf, self.entry_mb, self.archive_mb = zf, entry_mb, archive_mb
        self.left = archive_mb * _MB  # every decompressed byte counts, kept or refused: it bounds the work

    def into(self, info: zipfile.ZipInfo, out) -> None:
        if info.flag_bits & 0x1:
            raise _Refused("encrypted (password-protected) in the archive; ask the student to hand it in again")
        # zipfile bounds a deflated read by the length asked for, but decompresses a bzip2 or LZMA
        # block whole before anything is counted: a few KB of one would take gigabytes of memory.
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused("compressed with a method LMS exports do not use (only stored and deflated entries are "
                           "read); download the export again, or zip the notebook again with a common tool")
        if info.file_size > self.entry_mb * _MB:
            raise _Refused(f"declares {info.file_size / _MB:.0f} MB expanded, over c.Collect.max_entry_mb = {self.entry_mb}")
        if info.file_size > self.left:
            raise _Refused(f"not read: the archive expands past c.Collect.max_archive_mb = {self.archive_mb} "
                           "(raise it in course_config.py if the export is genuine)")
        # zipfile stops at the declared size today (and then fails the CRC); the count does not rely on it.
        limit = min(self.entry_mb * _MB, self.left)
        written = 0
        for chunk in self._chunks(info):
            written += len(chunk)
            self.left -= len(chunk)
            if written > limit:
                raise _Refused(f"expands past c.Collect.max_entry_mb = {self.entry_mb}" if limit == self.entry_mb * _MB
                               else f"not read whole: the archive expands past c.Collect.max_archive_mb = {self.archive_mb}")
            out.write(chunk)

    def _chunks(self, info: zipfile.ZipInfo):
        # Apart from the writes: a full disk is ours to report, not the entry's fault.
        try:
            with self.zf.open(info) as entry:
                while chunk := entry.read(_CHUNK):
                    yield chunk
        except _UNREADABLE as exc:
            raise _Refused(f"cannot be read from the archive ({exc or type(exc).__name__}); download the export again") from None


def collect_archive(*, course: Course, assignment_id: str, archive: Path) -> ArchiveCollected:
    (assignment_id,) = course.resolve([assignment_id])
    notebook_name = course.source_notebooks(assignment_id)[0].name
    try:
        pattern = re.compile(course.collect.student_pattern)
    except re.error as exc:
        raise CourseError(f"c.Collect.student_pattern is not a valid regular expression: {exc}") from None
    try:
        zf = zipfile.ZipFile(archive)
    # UnicodeDecodeError: an entry name flagged UTF-8 that is not; NotImplementedError: a zip version it cannot read.
    except (OSError, zipfile.BadZipFile, EOFError, NotImplementedError, UnicodeDecodeError, ValueError) as exc:
        raise CourseError(f"{archive} is not a readable zip file: {exc}",
                          hint="download the submissions again from the LMS as one zip") from None
    outcome = ArchiveCollected()
    candidates: dict[str, list[zipfile.ZipInfo]] = {}
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = re.split(r"[/\\]", info.filename)[-1]  # Windows zips separate folders with backslashes
            match = pattern.search(name)
            if not name.endswith(".ipynb"):
                outcome.unplaced.append((info.filename, "not a notebook" + (
                    " (an archive inside the archive is not opened)" if name.lower().endswith(".zip") else "")))
            elif not match or not match.groupdict().get("student"):
                outcome.unplaced.append((info.filename, "no student id in the file name (c.Collect.student_pattern)"))
            else:
                candidates.setdefault(identity.student(match.group("student"), from_lms=True).nbgrader_id, []).append(info)
        expander = _Expander(zf, course.collect.max_entry_mb, course.collect.max_archive_mb)
        for student, infos in sorted(candidates.items()):
            newest, *older = sorted(infos, key=lambda i: (i.date_time, i.header_offset), reverse=True)
            try:
                _place(course, expander, newest, student, assignment_id, notebook_name)
            except _Refused as refused:
                outcome.unplaced.append((newest.filename, str(refused)))
            else:
                outcome.placed[student] = newest.filename
                if _PATH_LIKE.search(newest.filename):
                    outcome.noted.append((newest.filename, f"a path in the archive (absolute, '..', a drive or "
                                          f"backslashes): placed as {student}'s notebook by its file name alone"))
            for info in older:
                if student in outcome.placed:
                    outcome.noted.append((info.filename, f"an older notebook of {student}, not placed: the newest "
                                          f"({newest.filename}) was"))
                else:
                    outcome.unplaced.append((info.filename, f"an older notebook of {student}; the newest "
                                             f"({newest.filename}) was not placed either"))
    return outcome


def _place(course: Course, expander: _Expander, info: zipfile.ZipInfo, student: str, assignment_id: str,
           notebook_name: str) -> None:
    try:
        when = datetime(*info.date_time).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    except ValueError:
        raise _Refused(f"its time in the archive {info.date_time} is not a date, so its submission time is unknown") from None
    root = course.submissions_root()
    try:
        if student in (".", ".."):
            raise ValueError("not a name")
        (root / student).mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:  # too long for the file system, a NUL, ...: that entry only
        raise _Refused(f"its student id cannot be a folder name here ({getattr(exc, 'strerror', None) or exc})") from None
    # Not mkstemp: its private mode would follow the notebook to formgrader, which runs as the
    # instructor; "x" still refuses a name that exists, a planted link included.
    tmp = root / f".collect-{secrets.token_hex(8)}.tmp"
    try:
        try:
            with open(tmp, "xb") as out:
                expander.into(info, out)
        except OSError as exc:
            raise CourseError(f"cannot write under {course.relative(root)}/: {exc.strerror or exc}",
                              hint="free disk space (or fix the folder's permissions) and collect again") from None
        folder = course.submission_dir(student, assignment_id)
        try:
            made_folder(course, student, assignment_id)  # never a link: a rename into it would land where it points
            os.replace(tmp, folder / notebook_name)
            write_atomically(folder / TIMESTAMP_FILE, when)
        except InvalidSubmission as exc:
            raise _Refused(str(exc)) from None
        except OSError as exc:
            raise _Refused(f"cannot be placed in {course.relative(folder)}/ ({exc.strerror or exc})") from None
    except _Refused:
        with contextlib.suppress(OSError):  # leaves a student folder that holds anything
            (root / student).rmdir()
        raise
    finally:
        tmp.unlink(missing_ok=True)
