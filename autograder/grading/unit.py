"""Grade one submission on one slot: the unit every backend runs.

submitted/<student>/<assignment>/ -> sanitize -> run in a jail -> verdicts -> a Result, saved with
the executed notebook under autograded/. A unit never raises: whatever happens becomes the
submission's record (an unexpected failure of ours becomes `infra_error`, which is retried).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from dlmed.runtime import SEED_ENV

import autograder

from .. import checks
from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.files import write_atomically
from ..course.notebooks import maximum
from ..intake.submission_files import (SECRET_FILE, TIMESTAMP_FILE, InvalidSubmission, opened, pick_notebook,
                                       submitted_at, submitted_notebook, timestamp_time)
from . import results, sandbox
from .execute import DATA_ENV, CRASHED, OUT_OF_DISK, OUT_OF_MEMORY, TIMEOUT, RunLimits, start_kernel
from .paper_key import paper_key
from .run_and_judge import plan_for, run_and_judge
from .sanitize import sanitize
from .slots import Slot
from .warm import Spares, import_line

_STOPPED = {TIMEOUT: results.TIMEOUT, OUT_OF_MEMORY: results.OUT_OF_MEMORY, OUT_OF_DISK: results.OUT_OF_DISK,
            CRASHED: results.CRASHED}


def _setup(seed: int) -> str:
    """Run in the kernel before the first cell: the submission's seed, then the run settings."""
    return (f"import os as _os\n_os.environ[{SEED_ENV!r}] = {str(seed)!r}\ndel _os\n"
            "import dlmed.runtime as _runtime\n_runtime.configure()\ndel _runtime")


@dataclass(frozen=True)
class Unit:
    """Plain data, so that any backend can ship it (a Slurm array task reads it from a file)."""

    course_root: str
    assignment_id: str
    student_id: str

    def to_dict(self) -> dict:
        return asdict(self)


def submission_seed(course: Course, assignment_id: str, student_id: str) -> int:
    """Fresh hidden-check inputs for every submission, the same ones again when it is regraded."""
    text = f"{course.grading.seed}:{assignment_id}:{student_id}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def sha256_of(notebook: notebooks.Contents) -> str:
    return hashlib.sha256(notebook.data).hexdigest()


def keep_exchange_files(course: Course, student_id: str, assignment_id: str, texts: dict[str, str]) -> None:
    """The grader's own copy of the exchange's files, beside the graded notebook as nbgrader's autograde
    keeps them: feedback copies these, never what the submission folder holds by then."""
    folder = course.autograded_dir(student_id, assignment_id)
    for name in (TIMESTAMP_FILE, SECRET_FILE):
        if name in texts:
            write_atomically(folder / name, texts[name])
        else:
            (folder / name).unlink(missing_ok=True)


def _cap_sources(nb, budget: int) -> bool:
    """Cut the graded copy's cell sources and attachments past `budget` characters, as outputs are
    cut in flight: the copy is kept for people to read, and a 200 MB markdown cell would be kept
    whole. The student's other cells share the budget; an nbgrader cell (an answer, a test) is cut
    only past it alone, so that a pasted screenshot never blanks the answers that feedback and
    formgrader show. Whether anything was cut."""
    cut = False
    shared = budget
    for cell in nb.cells:
        graded = bool(notebooks.nbgrader_meta(cell))
        room = budget if graded else shared
        over = len(cell.source) - room
        if over > 0:
            cell.source = cell.source[:room] + f"\n[{over} characters cut from the graded copy: over c.Grading.source_chars]"
            cut = True
        size = len(json.dumps(cell.attachments)) if cell.get("attachments") else 0
        if size and size > room - len(cell.source):
            del cell["attachments"]
            cell.source += "\n[attachments cut from the graded copy: over c.Grading.source_chars]"
            cut, size = True, 0
        if not graded:
            shared = max(0, shared - len(cell.source) - size)
    return cut


# The folder that holds the staff package (the repository, in an editable install): sources and checks.
_STAFF_FOLDER = Path(autograder.__file__).resolve().parents[1]


def shown_paths(course: Course) -> list[Path]:
    """What a run sees besides the system and its scratch: the interpreter, the student library,
    the data the course points runs at, and the folders the course config adds."""
    data = [os.environ[name] for name in DATA_ENV if os.environ.get(name)]
    shown = [*sandbox.interpreter_folders(), *map(Path, data), *map(Path, course.sandbox.show)]
    # The temporary folder too: shown read-only, it would replace the run's own writable /tmp.
    kept = [course.root, _STAFF_FOLDER, Path(tempfile.gettempdir())]
    kept += [course.sqlite_gradebook()] if course.sqlite_gradebook() else []
    for folder in shown:
        held = [k for k in kept if folder.resolve() == k.resolve() or folder.resolve() in k.resolve().parents]
        if held:
            raise CourseError(f"student code would see {held[0]}: it lies inside {folder}, which runs are shown",
                              hint="keep the course, the grader and the gradebook outside c.Sandbox.show, the "
                              "virtual environment and the data folders")
    return shown


def jail_for(course: Course, slot: Slot, level: str, user: int = 0):
    """Confinement for runs on `slot` as this process's `user`-th sandbox user."""
    limits = sandbox.Limits(
        max_processes=course.grading.max_processes,
        max_file_bytes=course.grading.max_file_mb * 2**20,
        memory_bytes=course.grading.memory_mb * 2**20,
    )
    uid = sandbox.claim_uid(course.sandbox.uid_base, nth=user) if level != sandbox.NONE else None

    def confine(scratch: Path, workdir: Path) -> sandbox.Jail:
        return sandbox.Jail(level=level, scratch=scratch, workdir=workdir, uid=uid, limits=limits,
                            shown=shown_paths(course),
                            devices=sandbox.nvidia_devices(slot.gpu))
    return confine


def _sentence(line: str) -> str:
    line = line.strip()
    return line[0].upper() + line[1:] + ("" if line.endswith((".", "!", "?")) else ".")


def _status(run, tests: list[results.TestResult]) -> tuple[str, str]:
    if run.stopped:
        return _STOPPED[run.stopped], run.error
    failed = [t.grade_id for t in tests if not t.passed]
    if failed:
        return results.TESTS_FAILED, f"{len(failed)} of {len(tests)} tests failed: {', '.join(failed)}"
    return results.OK, results.EXPLAINED[results.OK]


def _tests(verdicts) -> list[results.TestResult]:
    return [
        results.TestResult(v.grade_id, v.points, v.max_points, "; ".join(v.messages) if v.messages else "passed",
                           v.visible)
        for v in verdicts
    ]


def grade_unit(unit: Unit, slot: Slot, spares: Spares | None = None, more: bool = False) -> results.Result:
    """Grade `unit` on `slot`. With `spares`, its kernel may be one started ahead, and when `more`
    submissions follow on this slot, the next one's kernel starts while this one runs."""
    started = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    clock = time.perf_counter()
    course = Course.load(Path(unit.course_root))
    aid, sid = unit.assignment_id, unit.student_id
    source_path = course.source_notebooks(aid)[0]
    source_nb = notebooks.read(source_path)
    result = results.Result(aid, sid, results.INFRA, "", 0.0, maximum(source_nb).tests, device=slot.label,
                            started_at=started)
    stage = _Stages(result.profile)
    texts: dict[str, str] = {}
    try:
        level = sandbox.isolation(course.sandbox.mode)
        result.isolation = level
        limits = RunLimits.of(course)
        with stage("read and sanitize"), opened(course, sid, aid) as folder:
            texts = folder.exchange_texts()
            result.submitted_at = timestamp_time(texts.get(TIMESTAMP_FILE))
            name, note = pick_notebook(folder, source_path.name)
            submitted = notebooks.Contents(folder.read(name), name)
        result.notebook = name
        result.submission_sha256 = sha256_of(submitted)

        def kernel_for(user: int) -> dict:
            # Cold or started ahead, a kernel imports the assignment's modules as it starts: both then
            # hold the same modules and give the notebook the same time.
            return dict(files_from=course.release_dir(aid), limits=limits, confine=jail_for(course, slot, level, user),
                        env=slot.environment(), startup=import_line(notebooks.imports_of(source_nb)))

        key = (unit.course_root, aid, slot)
        kernel = spares.take(key) if spares else None
        user = spares.user if kernel else 0
        result.started_ahead = kernel is not None
        with stage("kernel start"):
            kernel = kernel or start_kernel(**kernel_for(user))
        try:
            # The kernel boots (a second and a half of imports) while the submission is sanitized and
            # the checks' inputs drawn: a worker's first plan imports the checks' modules, torch too.
            with stage("read and sanitize"):
                nb, resolved = sanitize(submitted, notebook_id=source_path.stem, assignment_id=aid,
                                        db_url=course.nbgrader.db_url, shown_as=f"{sid}/{name}", source_nb=source_nb)
            paper = paper_key(course, aid, sid)
            seed = submission_seed(course, aid, sid)
            with stage("plan"):
                plan = plan_for(source_nb, seed, paper)
            # Ahead only where runs have sandbox users of their own: kernels of one user reach each other.
            if spares is not None and more and course.grading.warm_kernels and level != sandbox.NONE:
                try:  # under the other sandbox user, out of this run's reach
                    with stage("next kernel started ahead"):
                        spares.start(key, 1 - user, **kernel_for(1 - user))
                except Exception:  # none ahead, then: the next submission starts its own (and fails there, if it must)
                    pass
            graded = run_and_judge(source_nb, nb, plan=plan, limits=limits, paper=paper, kernel=kernel,
                                   setup=_setup(seed))
        except BaseException:
            kernel.discard()
            raise
        run = graded.run
        result.profile.update({"kernel ready and setup": round(run.ready_seconds, 3),
                               "cells": round(run.seconds - run.ready_seconds, 3),
                               "captures": round(run.capture_seconds, 3), "judging": round(graded.judge_seconds, 3)})
        result.tests = _tests(graded.verdicts)
        result.score = sum(t.points for t in result.tests)
        result.status, message = _status(graded.run, result.tests)
        result.peak_memory_mb = round(graded.run.peak_memory_bytes / 2**20, 1)
        with stage("record"):
            said = [note, *resolved, message]
            said += ["Output over the limit was cut"] if graded.run.truncated else []
            if _cap_sources(graded.run.notebook, course.grading.source_chars):
                said.append("Cell source over the limit was cut from the graded copy")
            result.message = " ".join(_sentence(line) for line in said if line.strip())
            out = course.autograded_dir(sid, aid) / source_path.name
            write_atomically(out, nbformat.writes(graded.run.notebook))
    except InvalidSubmission as exc:
        result.status, result.message = results.INVALID, str(exc)
    except checks.CheckCrashed as exc:
        result.status, result.message = results.INFRA, f"a hidden check crashed: {exc}"
    except Exception as exc:  # a defect of ours or of the machine; retried, never the student's loss
        result.status, result.message = results.INFRA, f"{type(exc).__name__}: {exc}"
    result.seconds = round(time.perf_counter() - clock, 2)
    keep_exchange_files(course, sid, aid, texts)
    results.save(result, course.record_path(sid, aid))
    return result


class _Stages:
    """Times the stages of one unit into its record's profile (seconds, summed per stage name)."""

    def __init__(self, into: dict[str, float]):
        self.into = into

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.into[name] = round(self.into.get(name, 0.0) + time.perf_counter() - started, 3)


def stale(course: Course, record: results.Result) -> bool:
    """Whether a record no longer answers for its submission: grading did not finish, or the file changed."""
    if record.status in results.UNFINISHED:
        return True
    # A new submission is graded again even when its notebook is unchanged: its files beside the
    # notebook, and its lateness, are its own.
    if submitted_at(course, record.student_id, record.assignment_id) != record.submitted_at:
        return True
    try:
        notebook, _ = submitted_notebook(course, record.student_id, record.assignment_id)
        return sha256_of(notebook) != record.submission_sha256
    except InvalidSubmission:  # still no notebook to grade: the record that says so stands
        return record.status != results.INVALID
    except Exception:  # now unreadable or gone: grade it again, and say so in the new record
        return True
