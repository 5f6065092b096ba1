"""The Slurm backend: one job array per grading run, one array task per submission.

Each task runs `python -m autograder.grading.backends.slurm_task`, the same sandboxed unit as the local backend, and
writes the same record beside the submission's executed notebook. This process only submits,
watches the queue and reads records back; the gradebook is written by `grade`, once, after the
tasks end. A run keeps its state in slurm/<assignment>/<run>/ (units.json, grade.sbatch,
jobs.json, logs/), so that a grading command that was left can be picked up: tasks still in the
queue are watched again, never submitted twice.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ...course.coursedir import Course
from ...course.errors import CourseError
from ...course.files import write_atomically
from ...intake.submission_files import exchange_texts, submitted_at, submitted_notebook
from .. import results
from ..unit import Unit, keep_exchange_files, sha256_of
from . import slurm_commands as slurm
from .batch_scripts import render

SCRIPT, UNITS, JOBS = "grade.sbatch", "units.json", "jobs.json"
_SET_UP_MINUTES = 5  # kernel start, imports and sanitizing, beyond the notebook's own time limit
_GRADER_GB = 2  # the grading process and kernel start-up, beyond the run's own memory limit

# How Slurm's ends of a task that wrote no record become record statuses. Limits Slurm enforced
# are the student's (the run hit them); everything else is ours and graded again.
_OUTCOMES = {
    "TIMEOUT": (results.TIMEOUT, "Slurm stopped the task at its time limit ({request.time_minutes} min)"),
    "OUT_OF_MEMORY": (results.OUT_OF_MEMORY, "Slurm stopped the task at its memory limit ({request.mem_gb:g} GB)"),
    "CANCELLED": (results.CANCELLED, "the Slurm task was cancelled ({task.detail}) before it finished"),
    "NODE_FAIL": (results.INFRA, "the node running the Slurm task failed"),
    "BOOT_FAIL": (results.INFRA, "the node for the Slurm task failed to boot"),
    "PREEMPTED": (results.INFRA, "the Slurm task was preempted by higher-priority work"),
    "DEADLINE": (results.INFRA, "the Slurm task missed its deadline in the queue"),
}


@dataclass(frozen=True)
class Request:
    """What each task asks Slurm for."""

    partition: str
    gres: str
    time_minutes: int
    mem_gb: float
    cpus_per_task: int
    array_parallelism: int
    setup: str
    sbatch_options: tuple[str, ...]

    shorter_than_grader: bool = False  # Slurm's time limit comes before c.Grading.notebook_timeout

    @classmethod
    def for_course(cls, course: Course, **overrides) -> "Request":
        """From c.Slurm, with the command line's options (None: not given) on top."""
        chosen = course.slurm
        values = {f.name: getattr(chosen, f.name) for f in fields(cls) if f.name != "shorter_than_grader"}
        values["sbatch_options"] = tuple(chosen.sbatch_options)
        values["time_minutes"] = chosen.time_minutes or math.ceil(course.grading.notebook_timeout / 60) + _SET_UP_MINUTES
        values["mem_gb"] = chosen.mem_gb or math.ceil(course.grading.memory_mb / 1024) + _GRADER_GB
        values.update({key: value for key, value in overrides.items() if value is not None})
        values["shorter_than_grader"] = values["time_minutes"] * 60 < course.grading.notebook_timeout
        request = cls(**values)
        if request.time_minutes < 1 or request.mem_gb <= 0 or request.cpus_per_task < 1 or request.array_parallelism < 0:
            raise CourseError(f"Slurm request out of range: {request.time_minutes} min, {request.mem_gb:g} GB, "
                              f"{request.cpus_per_task} CPUs, parallelism {request.array_parallelism}",
                              hint="time, memory and CPUs must be positive; parallelism 0 means no limit")
        return request

    def options(self) -> list[str]:
        chosen = [f"--partition={self.partition}"] if self.partition else []
        if self.gres and self.gres != "none":
            chosen.append(f"--gres={self.gres}")
        chosen += [f"--time={self.time_minutes}", f"--mem={round(self.mem_gb * 1024)}M",
                   f"--cpus-per-task={self.cpus_per_task}", *self.sbatch_options]
        return chosen

    def describe(self) -> str:
        where = f"partition {self.partition}" if self.partition else "the default partition"
        limit = f", at most {self.array_parallelism} at once" if self.array_parallelism else ""
        if self.shorter_than_grader:
            limit += "; the time limit is shorter than c.Grading.notebook_timeout, so Slurm's comes first"
        return (f"Slurm job arrays on {where} ({self.gres if self.gres != 'none' else 'no GPU'}, "
                f"{self.time_minutes} min, {self.mem_gb:g} GB per task{limit})")


def render_script(request: Request, *, course_id: str, assignment_id: str, run_dir: Path, python: str) -> str:
    return render(SCRIPT + ".j2", course_id=course_id, assignment_id=assignment_id,
                       job_name=f"grade-{course_id}-{assignment_id}", options=request.options(),
                       setup=request.setup.strip(), run_dir=run_dir, python=python)


@dataclass
class Run:
    """One grading run's folder: the units its tasks grade and the arrays that were submitted."""

    folder: Path
    units: list[Unit]
    jobs: list[dict]  # {"job_id", "offset", "count"}: array task i grades units[offset + i]

    @classmethod
    def load(cls, folder: Path) -> "Run | None":
        try:
            units = [Unit(**u) for u in json.loads((folder / UNITS).read_text())]
            jobs = json.loads((folder / JOBS).read_text())
        except (OSError, ValueError, TypeError):
            return None  # a run that never reached sbatch
        return cls(folder, units, jobs)

    def save_jobs(self) -> None:
        write_atomically(self.folder / JOBS, json.dumps(self.jobs, indent=1))

    def unit_of(self, job_id: str, index: int) -> Unit | None:
        for job in self.jobs:
            if job["job_id"] == job_id and index < job["count"]:
                return self.units[job["offset"] + index]
        return None

    def log(self, job_id: str, index: int) -> Path:
        return self.folder / "logs" / f"{job_id}_{index}.log"


@dataclass(frozen=True)
class Task:
    """One submitted array task and the unit it grades."""

    run: Run
    job_id: str
    index: int
    unit: Unit

    @property
    def key(self) -> tuple[str, int]:
        return self.job_id, self.index


def in_flight(course: Course, assignment_id: str) -> tuple[list[Task], dict[tuple[str, int], slurm.TaskState]]:
    """Tasks of earlier runs of this assignment that Slurm still holds, and their states."""
    root = course.slurm_runs_dir(assignment_id)
    runs = [run for folder in sorted(root.iterdir()) if (run := Run.load(folder))] if root.is_dir() else []
    queue = slurm.queued({job["job_id"] for run in runs for job in run.jobs})
    tasks = []
    for (job_id, index) in queue:
        for run in runs:
            unit = run.unit_of(job_id, index)
            if unit is not None:
                tasks.append(Task(run, job_id, index, unit))
    return tasks, queue


class SlurmBackend:
    name = "slurm"

    def __init__(self, course: Course, *, resume: bool = False,
                 on_state: Callable[[Counter], None] | None = None, **overrides):
        self.course = course
        self.resume = resume
        self.on_state = on_state or (lambda counts: None)
        self.request = Request.for_course(course, **overrides)

    def describe(self, slots) -> str:
        return self.request.describe()

    def run(self, units, slots, on_done):
        if not units:
            return []
        aid = units[0].assignment_id
        earlier, _ = in_flight(self.course, aid)
        if earlier and not self.resume:
            jobs = " ".join(sorted({t.job_id for t in earlier}))
            raise CourseError(f"{len(earlier)} Slurm tasks of an earlier `course grade {aid}` are still queued or "
                              f"running (jobs {jobs})",
                              hint=f"`course grade {aid} --backend slurm --resume` waits for them and grades the "
                                   f"rest; `scancel {jobs}` stops them")
        wanted = set(units)
        attached = [t for t in earlier if t.unit in wanted]
        fresh = [u for u in units if u not in {t.unit for t in attached}]
        tasks = attached + (self._submit(aid, fresh) if fresh else [])
        try:
            return self._watch(tasks, on_done)
        except KeyboardInterrupt:
            jobs = " ".join(sorted({t.job_id for t in tasks}))
            raise CourseError(f"left the Slurm tasks running (jobs {jobs}); records already written are kept",
                              hint=f"`course status {aid}` shows them; `course grade {aid} --backend slurm --resume` "
                                   f"picks them up") from None

    def _submit(self, aid: str, units: list[Unit]) -> list[Task]:
        root = self.course.slurm_runs_dir(aid)
        root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-")
        run = Run(Path(tempfile.mkdtemp(prefix=stamp, dir=root)), units, [])
        (run.folder / "logs").mkdir()
        write_atomically(run.folder / UNITS, json.dumps([u.to_dict() for u in units], indent=1))
        script = run.folder / SCRIPT
        write_atomically(script, render_script(
            self.request, course_id=self.course.nbgrader.course_id, assignment_id=aid, run_dir=run.folder,
            python=sys.executable))
        # A regraded unit's old record goes before its task can write the new one: a record found
        # after the task left the queue is then the task's own. Put back if Slurm refuses the job.
        old = {}
        for unit in units:
            path = self.course.record_path(unit.student_id, aid)
            if path.exists():
                old[path] = path.read_text()
                path.unlink()
        size, limit = slurm.max_array_size(), self.request.array_parallelism
        try:
            for offset in range(0, len(units), size):
                count = min(size, len(units) - offset)
                previous = run.jobs[-1]["job_id"] if run.jobs and limit else None  # one array at a time keeps %K
                job_id = slurm.submit(script, array=f"0-{count - 1}" + (f"%{limit}" if limit else ""),
                                      argument=str(offset), dependency=previous)
                run.jobs.append({"job_id": job_id, "offset": offset, "count": count})
                run.save_jobs()
        except CourseError:
            for path, text in old.items():
                if not path.exists():
                    write_atomically(path, text)
            if not run.jobs:
                shutil.rmtree(run.folder, ignore_errors=True)
                raise
            raise CourseError(f"Slurm took only {sum(j['count'] for j in run.jobs)} of {len(units)} tasks",
                              hint=f"`course grade {aid} --backend slurm --resume` grades the rest") from None
        return [Task(run, job["job_id"], i, units[job["offset"] + i]) for job in run.jobs for i in range(job["count"])]

    def _watch(self, tasks: list[Task], on_done) -> list[results.Result]:
        waiting = {t.key: t for t in tasks}
        unaccounted: dict[tuple[str, int], float] = {}  # left the queue, not yet in accounting: since when
        done: list[results.Result] = []
        while waiting:
            jobs = {job_id for job_id, _ in waiting}
            queue = slurm.queued(jobs)
            gone = [key for key in waiting if key not in queue]
            for key in queue:
                unaccounted.pop(key, None)
            accounting = slurm.accounted({job_id for job_id, _ in gone}) if gone else {}
            for key in gone:
                task = waiting[key]
                record = results.load(self.course.record_path(task.unit.student_id, task.unit.assignment_id))
                ended = accounting.get(key)
                # A crashed kernel may be Slurm at work (time or memory limit, scancel): only accounting tells.
                needs_accounting = record is None or record.status == results.CRASHED
                if needs_accounting and (ended is None or ended.state in slurm.ACTIVE):
                    first = unaccounted.setdefault(key, time.monotonic())
                    if time.monotonic() - first < self.course.slurm.accounting_grace_seconds:
                        continue  # accounting lags the queue by a few seconds
                if record is None:
                    record = self._without_record(task, ended)
                elif record.status == results.CRASHED and ended is not None and ended.state in _OUTCOMES:
                    status, template = _OUTCOMES[ended.state]
                    record.status, record.message = status, template.format(request=self.request, task=ended)
                del waiting[key]
                done.append(record)
                on_done(record)
            self.on_state(Counter({**Counter(queue[k].state.lower() for k in waiting if k in queue),
                                   "done": len(done)}))
            if waiting:
                time.sleep(self.course.slurm.poll_seconds)
        return done

    def _without_record(self, task: Task, ended: slurm.TaskState | None) -> results.Result:
        """The record of a task that ended before grading did: Slurm's reason, the submission's identity."""
        unit, log = task.unit, task.run.log(task.job_id, task.index)
        if ended is None:
            status, message = results.INFRA, "Slurm no longer lists the task and has no accounting record of it"
        elif ended.state in _OUTCOMES:
            status, template = _OUTCOMES[ended.state]
            message = template.format(request=self.request, task=ended)
        else:
            status, message = results.INFRA, f"the Slurm task ended ({ended.state}, {ended.detail}) without a record"
        message += f"; log: {self.course.relative(log)}{_last_line(log)}"
        record = results.Result(unit.assignment_id, unit.student_id, status, message, 0.0, 0.0,
                                device=f"Slurm job {task.job_id}_{task.index}",
                                submitted_at=submitted_at(self.course, unit.student_id, unit.assignment_id))
        # A verdict (a Slurm time or memory limit) is released as feedback like any other: with grading's copy.
        keep_exchange_files(self.course, unit.student_id, unit.assignment_id,
                            exchange_texts(self.course, unit.student_id, unit.assignment_id))
        try:  # so that --resume keeps a verdict on an unchanged submission
            notebook, _ = submitted_notebook(self.course, unit.student_id, unit.assignment_id)
            record.notebook, record.submission_sha256 = notebook.name, sha256_of(notebook)
        except Exception:  # unreadable now: the record says nothing about it, and --resume grades it again
            pass
        return record


def _last_line(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return f" (last line: {lines[-1][:200]})" if lines else ""
