"""The staff's collect from the ngshare service, one student at a time.

ngshare-exchange's collect writes each file where its path says, through any link, resolving
sub-folders against the current directory, and lets the first OSError end the whole collect: one
student's file with a name the disk cannot hold (300 characters) stopped everyone's collection, and
its `--update` deletes the earlier submission before the new one is fetched. This collect keeps
ngshare-exchange's listing and download and writes each submission itself, into a folder of its
own that replaces the earlier one only once whole. A submission that cannot be stored is refused
for its student alone, the earlier one stands, and a marker beside it (a dot file, which nbgrader
and `submitted_students` never take for an assignment) says why, so that `course collect` and
`course watch` report it once and do not fetch it again.
"""

from __future__ import annotations

import base64
import errno
import shutil
from pathlib import Path

from ngshare_exchange import ExchangeCollect

from ..course.identity import student
from .ngshare import marker


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
            raise ValueError(_unstorable(path, exc)) from None


class GuardedServiceCollect(ExchangeCollect):
    """ngshare-exchange's collect, writing each student's newest submission whole or not at all."""

    def copy_files(self):
        for record in self.src_records:  # each student's newest submission on the service (its init_src)
            sid, when = student(record["student_id"]).nbgrader_id, record["timestamp"]
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, sid,
                                                   self.coursedir.assignment_id))
            kept = marker(dest)
            if kept.is_file() and kept.read_text(encoding="utf-8").split("\n")[0] == when.isoformat():
                continue  # refused and reported already: the student has not submitted since
            if dest.is_dir() and (before := self.coursedir.get_existing_timestamp(str(dest))) and when <= before:
                continue
            submission = self._get_submission(self.coursedir.course_id, self.coursedir.assignment_id,
                                              record["student_id"])
            if submission is None:  # its download logged what the service answered
                self.fail(f"could not download {sid}'s submission of {self.coursedir.assignment_id}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            staging = dest.with_name(f".{dest.name}.collecting")
            shutil.rmtree(staging, ignore_errors=True)
            try:
                _write(submission["files"], staging)
            except ValueError as exc:
                shutil.rmtree(staging, ignore_errors=True)
                kept.write_text(f"{when.isoformat()}\n{exc}; ask them to submit again\n", encoding="utf-8")
                continue
            try:
                if dest.is_symlink() or dest.is_file():  # not a submission we made: never followed
                    dest.unlink()
                shutil.rmtree(dest, ignore_errors=True)
                staging.rename(dest)
            except OSError as exc:  # this student's alone: everyone else is still collected
                shutil.rmtree(staging, ignore_errors=True)
                kept.write_text(f"{when.isoformat()}\nit could not be stored ({exc.strerror}); ask them to submit "
                                "again\n", encoding="utf-8")
