"""The local backend: one worker process per slot on this machine."""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from ...course.errors import CourseError
from .. import results
from ..sandbox import die_with_parent
from ..slots import Slot, limit_threads
from ..unit import Unit, grade_unit
from ..warm import Spares

_slot: Slot | None = None  # the slot of this worker process, taken once when it starts
_spares = Spares()  # its kernel started ahead for the next submission


def _take_slot(free, parent_pid: int) -> None:
    global _slot
    die_with_parent(parent_pid)
    _slot = free.get()
    limit_threads(_slot.threads)  # the judging replays share the slot's cores with its kernel
    # A worker ends through multiprocessing's exit, which runs these finalizers but not atexit's.
    multiprocessing.util.Finalize(_spares, _spares.discard, exitpriority=10)
    # Then it ends at once: its results are sent (a SimpleQueue writes as it is called) and its
    # kernels gone, and tearing down an interpreter that imported torch takes 0.7 s, which every
    # grading run would wait for at its end.
    multiprocessing.util.Finalize(None, os._exit, args=(0,), exitpriority=0)


def _grade(unit: Unit, more: bool) -> results.Result:
    return grade_unit(unit, _slot, _spares, more)


class LocalBackend:
    name = "local"

    def __init__(self, course, resume: bool = False, **options):  # a local run leaves nothing to resume but records
        if options:
            raise CourseError(f"the local backend takes no {', '.join(sorted(options))}",
                              hint="those options are for --backend slurm")

    def describe(self, slots) -> str:
        gpus = sorted({s.gpu for s in slots if s.gpu is not None})
        where = f"GPUs {','.join(map(str, gpus))}" if gpus else "CPU"
        return f"{len(slots)} slots on this machine ({where})"

    def run(self, units, slots, on_done):
        done: list[results.Result] = []
        # spawn, not fork: a worker must not inherit the parent's sockets or threads. Each worker
        # keeps one slot (its GPU share and its sandbox user) for its whole life.
        context = multiprocessing.get_context("spawn")
        free = context.Queue()
        for slot in slots:
            free.put(slot)
        pool = ProcessPoolExecutor(len(slots), mp_context=context, initializer=_take_slot, initargs=(free, os.getpid()))
        try:
            # Units are handed out in order: all but the last one per slot have a successor on some
            # slot, which is worth a kernel started ahead.
            futures = {pool.submit(_grade, unit, index < len(units) - len(slots)): unit
                       for index, unit in enumerate(units)}
            for future in as_completed(futures):
                unit = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    result = _lost(unit, "a grading worker process died")
                except Exception as exc:  # the worker failed outside grade_unit's own guard
                    result = _lost(unit, f"{type(exc).__name__}: {exc}")
                done.append(result)
                on_done(result)
        except BaseException:
            # Ctrl+C: stop now, not when the runs under way end. Their units keep no record, so the
            # next grading takes them up; their kernels die with the workers (die_with_parent).
            # ProcessPoolExecutor has no way to stop its workers before Python 3.14's terminate_workers.
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        return done


def _lost(unit: Unit, why: str) -> results.Result:
    return results.Result(unit.assignment_id, unit.student_id, results.INFRA, why, 0.0, 0.0)
