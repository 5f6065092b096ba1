"""The staff's collect from the ngshare service, one student at a time.

ngshare-exchange's collect writes each file where its path says, through any link, resolving
sub-folders against the current directory, and lets the first OSError end the whole collect: one
student's file with a name the disk cannot hold (300 characters) stopped everyone's collection, and
its `--update` deletes the earlier submission before the new one is fetched. This collect keeps
ngshare-exchange's listing and download and writes each submission itself, into a folder that
takes the earlier one's place only once whole (submission_files.replace_whole). A submission that
cannot be stored is refused for its student alone, the earlier one stands, and a marker beside it
(a dot file, which nbgrader and `submitted_students` never take for an assignment) says why, so
that `course collect` and `course watch` report it once and do not fetch it again. The staff's disk
failing (full, read-only) refuses nobody: the collect fails and the next one fetches it.
"""

from __future__ import annotations

import base64
import errno
from functools import partial
from pathlib import Path

from nbgrader.utils import parse_utc
from ngshare_exchange import ExchangeCollect

from ..course.identity import student
from .ngshare import due, marker
from .submission_files import replace_whole


# The staff's disk failing, not the submission: the collect fails, to be tried again, and nobody is
# refused (a refusal stands until its student submits again: a full disk would lose their submission).
_DISK_TROUBLE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


def _unstorable(path: str, exc: OSError | ValueError) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        longest = max(path.split("/"), key=len)
        return f"a file name of {len(longest)} characters cannot be stored"
    shown = path if len(path) <= 60 else path[:57] + "..."
    return f"{shown!r} cannot be stored ({exc.strerror if isinstance(exc, OSError) else exc})"


def _write(files: list[dict], folder: Path) -> None:
    """Each file under `folder`, refusing any path that would leave it (the service refuses those on
    upload; a service that kept one from before must still not lead the staff's copy elsewhere)."""
    folder.mkdir()
    for entry in files:
        path = entry["path"]
        parts = Path(path).parts
        if not parts or Path(path).is_absolute() or ".." in parts:
            raise ValueError(f"the path {path!r} leads out of the submission")
        target = folder.joinpath(*parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(entry["content"]))
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno in _DISK_TROUBLE:
                raise
            raise ValueError(_unstorable(path, exc)) from None


class GuardedServiceCollect(ExchangeCollect):
    """ngshare-exchange's collect, writing each student's newest submission whole or not at all."""

    def copy_files(self):
        for record in self.src_records:  # each student's newest submission on the service (its init_src)
            sid = student(record["student_id"]).nbgrader_id
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, sid,
                                                   self.coursedir.assignment_id))
            if not due(self.coursedir, dest, record["timestamp"]):
                continue
            submission = self._get_submission(self.coursedir.course_id, self.coursedir.assignment_id,
                                              record["student_id"])
            if submission is None:  # its download logged what the service answered
                self.fail(f"could not download {sid}'s submission of {self.coursedir.assignment_id}")
            # the service hands out the newest: one the student made since the listing, whose time this is
            when = parse_utc(submission["timestamp"]).isoformat()
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                replace_whole(dest, partial(_write, submission["files"]))
            except ValueError as exc:
                why = str(exc)
            except OSError as exc:  # this student's alone: everyone else is still collected
                if exc.errno in _DISK_TROUBLE:
                    self.fail(f"{sid}'s submission of {self.coursedir.assignment_id} could not be stored "
                              f"({exc.strerror}); it is collected once the course's disk is fixed")
                why = f"it could not be stored ({exc.strerror})"
            else:
                continue
            marker(dest).write_text(f"{when}\n{why}; ask them to submit again\n", encoding="utf-8")
