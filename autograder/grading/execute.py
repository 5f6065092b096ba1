"""Execute one notebook in a fresh Jupyter kernel, with a hidden-check plan, and collect captures.

Without a jail (validation of the course's own cases) the kernel runs as we do. With one (grading
student work) it runs inside it, talks to us over Unix sockets in the scratch folder (its network
is its own), and lives under the run's limits: per-cell and whole-notebook time, memory, output.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import nbformat
from dlmed.probe import CAPTURE_ENV, PLAN_ENV
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from traitlets import List, Unicode
from traitlets.config import Config

from .forked_kernels import ForkedKernelManager, Template
from .sandbox import DISK, MEMORY, Jail, ResourceWatch
from .scratch import Scratch, scratch_folder

if TYPE_CHECKING:  # an annotation only: running a notebook needs no course
    from ..course.coursedir import Course

KERNEL = "python3"
TIMEOUT, OUT_OF_MEMORY, OUT_OF_DISK, CRASHED = "timeout", "out_of_memory", "out_of_disk", "crashed"
# A jailed kernel sees only these variables of ours (plus what the run adds): database URLs,
# tokens or cluster credentials in the grader's environment stay outside.
# Where the course keeps data a run reads (shown to the jail read-only when set). Environment
# variables, not course settings: the student library reads them in the kernel, a student's own
# Jupyter included, where there is no course config; the grader reads them only in shown_paths.
DATA_ENV = ("DLMED_MEDNIST_ROOT", "DLMED_RESNET18_WEIGHTS")
# LD_LIBRARY_PATH: GPU images often find the CUDA driver's libraries only through it.
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "LD_LIBRARY_PATH", *DATA_ENV, "DLMED_DEVICE")


@dataclass(frozen=True)
class RunLimits:
    cell_timeout: int
    notebook_timeout: int | None = None
    output_chars: int | None = None
    capture_bytes: int | None = None  # of the hidden checks' record the kernel leaves; the rest is not read
    disk_bytes: int | None = None  # what a jailed run may write in all (its scratch, /tmp and /dev/shm)

    @classmethod
    def of(cls, course: Course, draws: int = 1) -> RunLimits:
        """The limits of a graded submission's run, the only ones any run gets. A run that makes the
        hidden checks' calls for `draws` plans (validate's seeds) gets each draw's time, record and
        output: a cell makes every draw's calls."""
        grading = course.grading
        return cls(course.execute.timeout * draws, grading.notebook_timeout * draws, grading.output_chars * draws,
                   grading.capture_mb * 2**20 * draws, grading.disk_mb * 2**20)


@dataclass
class Run:
    notebook: nbformat.NotebookNode
    captures: dict[str, dict] = field(default_factory=dict)
    # The records of the plan's further draws, by draw number (validate's runs; a student's run has none).
    draw_captures: dict[int, dict[str, dict]] = field(default_factory=dict)
    error: str | None = None  # the run itself broke off (timeout, dead kernel), in words
    stopped: str | None = None  # TIMEOUT, OUT_OF_MEMORY, OUT_OF_DISK or CRASHED when it broke off
    truncated: bool = False  # output went over the limit and was cut
    seconds: float = 0.0
    ready_seconds: float = 0.0  # of `seconds`, until the first cell: the kernel answering, then the setup
    capture_seconds: float = 0.0  # reading what the checks' calls recorded, after the run
    peak_memory_bytes: int = 0


# Kernel messages are the student's to shape. nbformat turns outputs into notebook nodes two stack
# frames a level, so a display nested some 450 levels deep would crash the grader, not the run;
# real outputs (widget state, JSON displays) stay within a few dozen levels.
MAX_NESTING = 200


class UnreadableMessage(ValueError):
    """The kernel sent a message the grader will not decode."""


def _nesting(value) -> int:
    """How deeply lists and dicts nest in a decoded message (iteratively: no stack to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _bounded(unpack: Callable[[bytes], object]) -> Callable[[bytes], object]:
    def decode(data: bytes):
        try:
            value = unpack(data)
        except RecursionError:
            value = None
            depth = "past the decoder's limit"
        else:
            depth = _nesting(value)
            if depth <= MAX_NESTING:
                return value
        raise UnreadableMessage(f"the notebook sent output nested {depth} levels deep; the grader reads at most "
                                f"{MAX_NESTING}")
    return decode


def _read_captures(path: Path, limit: int | None) -> dict[int, dict[str, dict]]:
    """The first record of each check the kernel left, per draw of the plan (0: the plan's own). The
    kernel can write anything into this file, so it is read up to `limit` bytes, and a line that does
    not decode (damaged, or nested so deep that decoding it would exhaust the stack) counts as that
    check not having run."""
    captures: dict[int, dict[str, dict]] = {0: {}}
    if not path.is_file():
        return captures
    with open(path, "rb") as file:
        text = file.read(limit if limit is not None else -1).decode("utf-8", errors="replace")
    for line in text.splitlines():
        try:
            record = json.loads(line)
            check_id, draw = str(record["check"]), int(record.get("draw", 0))
        except (ValueError, KeyError, TypeError, IndexError, RecursionError, AttributeError):
            continue  # a damaged line judges as a missing capture
        captures.setdefault(draw, {}).setdefault(check_id, record)  # the first record of a check is the one kept
    return captures


class _JailedKernelManager(AsyncKernelManager):
    prefix = List(Unicode())

    def format_kernel_cmd(self, extra_arguments=None):
        return [*self.prefix, *super().format_kernel_cmd(extra_arguments)]


def _size(output) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    return len(json.dumps(output.get("data", {}))) + len(json.dumps(output.get("traceback", [])))


class KernelSetupError(RuntimeError):
    """The run settings could not be applied in the kernel (a fault of ours, not the notebook's)."""


class _Client(NotebookClient):
    """nbclient with an output budget: a notebook printing 100 MB would otherwise be held, joined
    and saved whole. Errors are always kept, because a cell's visible verdict is read from them.
    `setup` runs unseen (no output, no execution count) before the first cell."""

    def __init__(self, nb, *, output_chars: int | None, setup: str | None, setup_timeout: int, **kwargs):
        super().__init__(nb, **kwargs)
        self.output_budget = output_chars
        self.truncated = False
        self.setup, self.setup_timeout = setup, setup_timeout
        self.cells_started: float | None = None  # when the notebook's own time began: after the setup

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kc.session.unpack = _bounded(kc.session.unpack)
        if self.setup:
            # Our code, before any of the student's: whatever goes wrong here is ours (infra_error).
            # nbclient's own reply wait would time out through an assertion when it has no cell.
            try:
                reply = await asyncio.wait_for(
                    self.async_wait_for_reply(kc.execute(self.setup, silent=True, store_history=False)),
                    self.setup_timeout)
            except asyncio.TimeoutError:
                raise KernelSetupError(f"the kernel did not finish its setup in {self.setup_timeout} s") from None
            except DeadKernelError:
                raise KernelSetupError("the kernel died in its setup, before the notebook's first cell") from None
            content = (reply or {}).get("content", {})
            if content.get("status") != "ok":
                raise KernelSetupError(f"the kernel's setup failed: {content.get('ename')}: {content.get('evalue')}")
        self.cells_started = time.perf_counter()
        return kc

    def output(self, outs, msg, display_id, cell_index):
        if self.output_budget is None:
            return super().output(outs, msg, display_id, cell_index)
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return None
        size = _size(out)
        if out.get("output_type") == "error":
            out["traceback"] = out.get("traceback", [])[-3:]
        elif size > self.output_budget:
            outs.remove(out)
            if not self.truncated:
                outs.append(nbformat.v4.new_output("stream", name="stderr", text="[output truncated: over the limit]\n"))
            self.truncated = True
            return None
        self.output_budget -= min(size, self.output_budget)
        return out


def _disk_error(folder: Scratch) -> str:
    """Which budget of its scratch the run used up: the space, or the files (the tmpfs's inodes), so a
    student who made a million empty files is not told they wrote too many bytes. Read while mounted."""
    try:
        usage = os.statvfs(folder.path)
    except OSError:
        usage = None
    if usage is not None and usage.f_favail == 0:
        return (f"the run created as many files as it may, {usage.f_files} (its folder, /tmp and /dev/shm together; "
                "the limit grows with its disk budget)")
    return f"the run wrote more than its {folder.budget_bytes // 2**20} MB of disk (its folder, /tmp and /dev/shm together)"


@dataclass
class Kernel:
    """A kernel started in a scratch folder of its own (in its jail, when it has one), before the
    notebook it will run is known; it runs one notebook and is then killed with its folder."""

    km: AsyncKernelManager | None  # None until nbclient launches an unjailed one
    folder: Scratch
    workdir: Path
    plan_path: Path
    capture_path: Path
    jail: Jail | None
    cleanup: ExitStack
    arguments: list[str] = field(default_factory=list)  # of the kernel's command line
    launch: dict | None = None  # an unjailed kernel is launched by nbclient, with these, when the run starts
    template: str | None = None  # the socket of the template an unjailed kernel is forked from, if any
    released: bool = False

    def kill(self) -> None:
        # Everything a run produced is in hand when its last cell ends (captures are written and
        # closed cell by cell), so the kernel is killed rather than asked to exit: a graceful exit of
        # a kernel that imported torch takes 1-2 s, a third of a short notebook's run.
        # An unjailed kernel is nbclient's, which shuts it down so ("immediate").
        if self.jail is not None:
            self.jail.kill_all()

    def release(self) -> None:
        """Remove its folder (once it is killed and its run read)."""
        self.released = True
        self.cleanup.close()

    def discard(self) -> None:
        """Kill it and remove its folder, unless that is done already."""
        if not self.released:
            try:
                self.kill()
            finally:
                self.release()


def start_kernel(*, files_from: Path, limits: RunLimits, confine: Callable[[Path, Path], Jail] | None = None,
                 env: dict[str, str] | None = None, startup: str | None = None,
                 template: Template | None = None) -> Kernel:
    """Start a kernel in a scratch copy of the folder `files_from` (its data files), so runs never
    write into the course and several can run side by side. `confine(scratch, workdir)` gives the
    jail to run in; `env` adds variables for the kernel; `startup` is Python the kernel runs before
    it answers (before the first cell); an unjailed kernel is forked from `template` when one is given."""
    cleanup = ExitStack()
    jail = None
    try:
        folder = cleanup.enter_context(scratch_folder(limits.disk_bytes if confine else None))
        scratch = folder.path
        workdir, home = scratch / "work", scratch / "home"
        shutil.copytree(files_from, workdir, ignore=shutil.ignore_patterns("*.ipynb"))
        for made in (home, scratch / "tmp", scratch / "shm"):  # a jail binds the last two as /tmp, /dev/shm
            made.mkdir()
        plan_path, capture_path = scratch / "plan.json", scratch / "captures.jsonl"
        plan_path.write_text("{}", encoding="utf-8")  # the run's own plan replaces it before the first cell
        capture_path.touch()
        added = {PLAN_ENV: str(plan_path), CAPTURE_ENV: str(capture_path), **(env or {})}
        jail = confine(scratch, workdir) if confine else None
        if jail is None:
            # Its temporary files go with the scratch too (a jailed run's /tmp is in it already).
            kernel_env = {**os.environ, **added, "TMPDIR": str(scratch / "tmp")}
        else:
            kernel_env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
            kernel_env.update(added, HOME=str(home), MPLBACKEND="Agg", NBGRADER_EXECUTION="autograde")
            # Unix sockets in the scratch folder: the jail has no network to reach us by TCP.
            km = _JailedKernelManager(kernel_name=KERNEL, transport="ipc",
                                      connection_file=str(scratch / "kernel.json"), prefix=jail.prefix())
            km.write_connection_file()
            jail.prepare()
        kernel_log = cleanup.enter_context(open(scratch / "kernel.log", "wb"))  # its chatter, kept out of our output
        # The kernel listens on loopback only; its start-up warning about that is noise. No history
        # file: nbclient's own choice when it starts a kernel.
        arguments = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]
        arguments += [f"--IPKernelApp.exec_lines={startup}"] if startup else []
        launch = dict(env=kernel_env, cwd=str(workdir), stdout=kernel_log, stderr=kernel_log)
        if jail is None:
            # Our own cases (validate, solutions) run unjailed and never ahead: nbclient launches and
            # owns such a kernel, as it always has.
            return Kernel(None, folder, workdir, plan_path, capture_path, None, cleanup, arguments, launch,
                          template.socket if template else None)
        run_sync(km.start_kernel)(extra_arguments=arguments, **launch)
        jail.root_pid = km.provisioner.pid if km.provisioner else None
        return Kernel(km, folder, workdir, plan_path, capture_path, jail, cleanup, arguments)
    except BaseException:
        try:  # a kernel launched before the failure goes too
            if jail is not None:
                jail.kill_all()
        finally:
            cleanup.close()
        raise


def run_notebook(
    nb: nbformat.NotebookNode,
    *,
    plan: dict,
    limits: RunLimits,
    kernel: Kernel | None = None,
    setup: str | None = None,
    **start,
) -> Run:
    """Run a copy of `nb` in `kernel` (one started ahead by start_kernel), else in one started now
    with `start` (start_kernel's arguments). `setup` is Python run unseen before the first cell."""
    nb = nbformat.from_dict(nb)
    kernel = kernel or start_kernel(limits=limits, **start)
    jail, folder = kernel.jail, kernel.folder
    try:
        kernel.plan_path.write_text(json.dumps(plan), encoding="utf-8")
        start_time = time.perf_counter()

        def deadline() -> float | None:
            # The notebook's time starts with its first cell, for a kernel started ahead and a cold one alike.
            return client.cells_started + limits.notebook_timeout if limits.notebook_timeout else None

        def cell_timeout(cell) -> int:
            if deadline() is None:
                return limits.cell_timeout
            return max(1, min(limits.cell_timeout, int(deadline() - time.perf_counter()) + 1))

        forked = {} if kernel.template is None else dict(
            kernel_manager_class=ForkedKernelManager, config=Config(ForkedKernelManager={"template": kernel.template}))
        client = _Client(
            nb,
            km=kernel.km,
            **forked,
            extra_arguments=kernel.arguments,
            output_chars=limits.output_chars,
            setup=setup,
            setup_timeout=limits.cell_timeout,
            timeout_func=cell_timeout,
            shutdown_kernel="immediate",  # an unjailed kernel, or cleaning up after a failed start
            kernel_name=KERNEL,
            allow_errors=True,
            record_timing=False,
            resources={"metadata": {"path": str(kernel.workdir)}},
        )
        run = Run(notebook=nb)
        watch = ResourceWatch(jail, folder.full) if jail is not None else None
        if watch:
            watch.start()
        try:
            client.execute(**(kernel.launch or {}))
        except CellTimeoutError:
            whole = deadline() is not None and time.perf_counter() >= deadline() - 1
            run.stopped = TIMEOUT
            run.error = (f"the notebook ran longer than {limits.notebook_timeout} s in all" if whole
                         else f"a cell ran longer than {limits.cell_timeout} s")
        except UnreadableMessage as exc:
            run.stopped, run.error = CRASHED, str(exc)
        except DeadKernelError:
            if watch and watch.exceeded == MEMORY:
                run.stopped = OUT_OF_MEMORY
                run.error = f"the run used more than {jail.limits.memory_bytes // 2**20} MB of memory"
            elif watch and watch.exceeded == DISK:
                run.stopped, run.error = OUT_OF_DISK, _disk_error(folder)
            else:
                run.stopped = CRASHED
                run.error = "the kernel died (a crash, os._exit or sys.exit from a child, or a signal)"
        finally:
            if watch:
                watch.stop()
                run.peak_memory_bytes = watch.peak_bytes
            if client.kc is not None:
                client.kc.stop_channels()
            kernel.kill()
        run.seconds = time.perf_counter() - start_time
        run.ready_seconds = (client.cells_started or time.perf_counter()) - start_time
        if not run.stopped and folder.full():  # filled it as it finished, before the watch looked
            run.stopped, run.error = OUT_OF_DISK, _disk_error(folder)
        run.truncated = client.truncated
        read_from = time.perf_counter()
        run.draw_captures = _read_captures(kernel.capture_path, limits.capture_bytes)
        run.captures = run.draw_captures.pop(0)
        run.capture_seconds = time.perf_counter() - read_from
    finally:
        kernel.release()
    return run
