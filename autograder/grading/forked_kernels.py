"""Kernels forked from a template for our own runs (`course validate`, `course solutions`).

Each case of validate is a run in a fresh kernel, and 2-4 s of each kernel's start is importing
torch, sklearn and matplotlib. A template process (fork_server.py) does those imports once per
worker and forks each kernel from that state: a kernel that has run nothing, with the run's own
environment, folder and standard streams, as a cold one that imported the assignment's modules
first. Student submissions never take this path: they run in jails (kernels started ahead there).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
from multiprocessing.util import Finalize
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode

from ..course.notebooks import imports_of

SERVER = Path(__file__).with_name("fork_server.py")
LAUNCHER = ["-m", "ipykernel_launcher"]
READY_SECONDS = 120  # the template's imports; a loaded 2-core machine takes 10 s for 04's


class ForkedKernelManager(AsyncKernelManager):
    """jupyter_client's manager, with the kernel's process a launcher that the template forks it for."""

    template = Unicode(help="The template's socket.").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if command[0] != sys.executable or command[1:3] != LAUNCHER:
            return command  # a kernel the template cannot stand for starts cold
        return [sys.executable, str(SERVER), "launch", self.template, *command[3:]]


class Template:
    """A template process started by this process, ready to fork kernels that imported `modules`."""

    def __init__(self, modules: list[str]):
        self.modules = modules
        self.folder = tempfile.mkdtemp(prefix="course-template-")
        self.socket = os.path.join(self.folder, "socket")
        # stdin is the template's lifeline: it ends when this process does, however that happens.
        self.process = subprocess.Popen([sys.executable, str(SERVER), "serve", self.socket, *modules],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready, _, _ = select.select([self.process.stdout], [], [], READY_SECONDS)
        if not ready or self.process.stdout.readline().strip() != b"ready":
            self.close()
            raise RuntimeError("the kernel template did not start")

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_current: list[Template] = []


def template_for(source_nb, files_from: Path) -> Template | None:
    """This process's template for the modules `source_nb` imports (started now if
    need be: one at a time), or None where kernels cannot be forked here (no pidfds), so the run
    starts its kernel cold. Modules of the assignment's own folder are left to each run, which
    imports them from its copy of the folder."""
    if not hasattr(os, "pidfd_open"):
        return None
    modules = [name for name in imports_of(source_nb) if not _in_folder(name.partition(".")[0], files_from)]
    if _current and _current[0].modules == modules and _current[0].process.poll() is None:
        return _current[0]
    while _current:
        _current.pop().close()
    try:
        _current.append(Template(modules))
    except (OSError, RuntimeError):
        return None
    # Pool workers skip atexit; a multiprocessing finalizer runs as they exit.
    Finalize(_current[0], _current[0].close, exitpriority=10)
    return _current[0]


def _in_folder(name: str, folder: Path) -> bool:
    return (folder / f"{name}.py").is_file() or (folder / name).is_dir()
