"""Where student code runs: a bubblewrap jail per run, an unprivileged user per grading process, limits.

bubblewrap builds each run a root of its own from an allow-list: the system's programs and
libraries, the interpreter's environment, the student library and the data the run is given, all
read-only, and its scratch folder, the one writable place (also its /tmp and /dev/shm). Nothing
else of the host exists inside: not the course, not other courses' files, not the host's /tmp or
/run. A private network, PID and IPC namespace (so every process of the run, `setsid()` escapes
included, dies with it) complete it. Inside, the kernel drops to a user of its own (one per grading
process), whose process limit therefore counts that run alone.
"""

from __future__ import annotations

import fcntl
import functools
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import psutil

from ..course.errors import CourseError
from . import scratch

BUBBLEWRAP = "bubblewrap"
UNPRIVILEGED = "unprivileged user, no bubblewrap"
NONE = "none"
_WARNINGS = {
    UNPRIVILEGED: "bubblewrap is missing: student code runs as an unprivileged user with limits, but it can "
    "read world-readable course files and reach the network. Install it: apt-get install bubblewrap",
    NONE: "bubblewrap is missing and grading does not run as root: student code runs with limits only, and "
    "can read the course folder. Install bubblewrap and grade as root",
}
_NO_DISK_BUDGET = ("runs have no disk budget here: c.Grading.disk_mb needs to mount each run's scratch as a tmpfs, "
                   "which takes root allowed to mount; only the file-size limit holds. Grade as root")


@functools.lru_cache(maxsize=1)
def _bubblewrap_works() -> bool:
    if not shutil.which("bwrap"):
        return False
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--dev", "/dev", "--proc", "/proc", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def isolation(mode: str) -> str:
    """The strongest isolation this machine allows; `mode='bubblewrap'` refuses anything less."""
    if _bubblewrap_works():
        return BUBBLEWRAP
    if mode == BUBBLEWRAP:
        raise CourseError(
            "c.Sandbox.mode is 'bubblewrap' but bubblewrap is missing or cannot create namespaces here",
            hint="apt-get install bubblewrap (and grade as root), or set c.Sandbox.mode = 'auto'",
        )
    return UNPRIVILEGED if os.geteuid() == 0 else NONE


def warning(level: str) -> str | None:
    if level == BUBBLEWRAP and not scratch.budget_possible():
        return _NO_DISK_BUDGET
    return _WARNINGS.get(level)


@dataclass(frozen=True)
class Limits:
    max_processes: int
    max_file_bytes: int
    memory_bytes: int


# What every run sees of the host besides what it is given: programs and shared libraries (the
# merged-/usr links included), /sys for the CPU and GPU topology torch reads, and the few files of
# /etc that the dynamic loader, time zones, TLS and fonts read. Anything missing is skipped.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/sys")
SYSTEM_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "timezone", "ssl",
              "ca-certificates", "fonts", "mime.types", "nsswitch.conf", "host.conf", "hosts", "os-release")


@dataclass
class Jail:
    """One run's confinement: the command prefix for its kernel, and what to clean up after."""

    level: str
    scratch: Path  # the only writable folder; holds the working folder, plan, captures, sockets
    workdir: Path
    uid: int | None
    limits: Limits
    shown: list[Path] = field(default_factory=list)  # read-only, beside the system's own folders
    devices: list[str] = field(default_factory=list)
    root_pid: int | None = None  # the launched kernel command, once started

    def prepare(self) -> None:
        if self.uid is not None:
            for path in [self.scratch, *self.scratch.rglob("*")]:
                os.chown(path, self.uid, self.uid, follow_symlinks=False)

    def prefix(self) -> list[str]:
        limits = [
            "prlimit",
            f"--nproc={self.limits.max_processes}",
            f"--fsize={self.limits.max_file_bytes}",
            "--core=0",
            "--",
        ]
        drop = []
        if self.uid is not None:
            drop = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--pdeathsig=KILL", "--"]
        if self.level != BUBBLEWRAP:
            return limits + drop
        jail = ["bwrap"]
        for folder in SYSTEM_FOLDERS:
            if os.path.islink(folder):
                jail += ["--symlink", os.readlink(folder), folder]
            elif os.path.isdir(folder):
                jail += ["--ro-bind", folder, folder]
        for name in SYSTEM_ETC:
            jail += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        jail += ["--dev", "/dev", "--proc", "/proc",
                 # The run's /tmp and /dev/shm are folders of its scratch, so they share its disk budget.
                 "--bind", str(self.scratch / "tmp"), "/tmp", "--bind", str(self.scratch / "shm"), "/dev/shm"]
        shown = [p for p in dict.fromkeys(self.shown) if p.exists()]
        for folder in _parents([*shown, self.scratch]):
            jail += ["--perms", "0755", "--dir", str(folder)]
        for path in shown:
            jail += ["--ro-bind", str(path), str(path)]
        for device in self.devices:
            jail += ["--dev-bind", device, device]
        jail += ["--bind", str(self.scratch), str(self.scratch), "--remount-ro", "/", "--chdir", str(self.workdir),
                 "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                 "--die-with-parent", "--new-session",
                 # ipykernel exits when its parent is not the PID this variable names, and inside the
                 # PID namespace its parent is the jail's init; --die-with-parent does that job instead.
                 "--unsetenv", "JPY_PARENT_PID", "--"]
        return jail + limits + drop

    def processes(self) -> list[psutil.Process]:
        if self.uid is None:  # no user of its own: the launched process tree is all we can find
            try:
                root = psutil.Process(self.root_pid) if self.root_pid else None
                return [root, *root.children(recursive=True)] if root else []
            except psutil.Error:
                return []
        found = []
        for process in psutil.process_iter(["uids"]):
            uids = process.info["uids"]
            if uids is not None and self.uid in (uids.real, uids.effective):
                found.append(process)
        return found

    def kill_all(self) -> None:
        """Every process the run left behind; its own user makes them findable even outside a jail.
        Repeated, waiting each time, until none is left: a process may fork while its siblings are
        killed, and a busy machine takes a while to deliver SIGKILL."""
        for _ in range(_KILL_ROUNDS):
            alive = []
            for process in self.processes():
                try:
                    if process.status() != psutil.STATUS_ZOMBIE:  # dead already; its parent reaps it
                        process.send_signal(signal.SIGKILL)
                        alive.append(process)
                except psutil.Error:
                    pass
            if not alive:
                break
            psutil.wait_procs(alive, timeout=_KILL_WAIT_SECONDS)
        self._reap()

    def _reap(self) -> None:
        # The jail's own process is our child: jupyter_client kills it but leaves it unreaped, so every
        # unit left a zombie bwrap until its worker exited.
        if not self.root_pid:
            return
        deadline = time.monotonic() + _KILL_WAIT_SECONDS
        try:
            while os.waitpid(self.root_pid, os.WNOHANG) == (0, 0) and time.monotonic() < deadline:
                time.sleep(0.02)  # it exits right after the kernel it ran
        except ChildProcessError:  # reaped already
            pass


_KILL_ROUNDS, _KILL_WAIT_SECONDS = 10, 2.0
_UID_LOCKS = Path(tempfile.gettempdir()) / "course-sandbox-uids"
_claimed: list[tuple[int, object]] = []  # this process's users, each with the lock that keeps it


_PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(parent_pid: int) -> None:
    """Make this worker process die when the process that started it does, however that one ends
    (SIGKILL runs no handler): a worker left behind would go on grading, hold its sandbox user and
    grade beside a resumed run. Its jailed kernel follows it (bwrap --die-with-parent, or setpriv
    --pdeathsig without bubblewrap)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def claim_uid(base: int, span: int = 4096, nth: int = 0) -> int:
    """This process's `nth` sandbox user: one no other grading process on this machine is using,
    kept for this process's life. Runs are found and killed by their user, so two batches, or a run
    and the kernel started ahead for the next one, must never share one."""
    while len(_claimed) <= nth:
        _UID_LOCKS.mkdir(exist_ok=True)
        for uid in range(base, base + span):
            handle = open(_UID_LOCKS / str(uid), "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            _claimed.append((uid, handle))
            break
        else:
            raise CourseError(f"all {span} sandbox users from {base} are taken by other grading processes")
    return _claimed[nth][0]


def nvidia_devices(gpu: int | None) -> list[str]:
    """The device nodes a run on GPU `gpu` needs inside the jail (the control nodes and its own card)."""
    if gpu is None:
        return []
    control = [d for d in glob.glob("/dev/nvidia*") if not d[len("/dev/nvidia"):].isdigit()]
    own = f"/dev/nvidia{gpu}"
    return sorted(control + ([own] if os.path.exists(own) else []))


def _parents(paths: list[Path]) -> list[Path]:
    """The folders above `paths` that the jail must create, shallowest first: bwrap makes a missing
    mount point's parents readable by root alone, and the run's user has to pass through them."""
    above = {parent for path in paths for parent in path.parents if parent != Path("/")}
    return sorted(above, key=lambda p: len(p.parts))


def interpreter_folders() -> list[Path]:
    """What every kernel needs besides the system: the interpreter's environment and the
    student-side library (an editable install points into the repository)."""
    import dlmed

    return [Path(sys.prefix), Path(sys.base_prefix), Path(dlmed.__file__).resolve().parents[1]]


MEMORY, DISK = "memory", "disk"


class ResourceWatch(threading.Thread):
    """Stops a run whose processes together hold more resident memory than allowed, or that has
    filled its scratch. A poll, because RLIMIT_AS breaks CUDA and RLIMIT_RSS is ignored by Linux;
    and a full tmpfs only makes the run's writes fail, which the run may well ignore."""

    def __init__(self, jail: Jail, full: Callable[[], bool] = lambda: False, interval: float = 0.2):
        super().__init__(daemon=True)
        self.jail, self.full, self.interval = jail, full, interval
        self.exceeded: str | None = None  # MEMORY or DISK, once the run was stopped for it
        self.peak_bytes = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            total = 0
            for process in self.jail.processes():
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_bytes = max(self.peak_bytes, total)
            over = MEMORY if total > self.jail.limits.memory_bytes else DISK if self.full() else None
            if over:
                self.exceeded = over
                self.jail.kill_all()

    def stop(self) -> None:
        self._done.set()
        self.join()
