"""A kernel template: one Python process that has done an assignment's slow imports (torch, sklearn,
matplotlib: 2-4 s of every kernel's start) and forks a fresh IPython kernel from that state for each
run, plus the launcher that stands in the kernel's place for jupyter_client.

Run as a script, never imported by the package: the kernels it forks hold only what a cold kernel
would after those imports, none of the grader's modules. Nothing of this is available off the
shelf: ipykernel has no fork server, and jupyter_client's provisioners start a process per kernel.

  fork_server.py serve SOCKET MODULE...   import MODULEs, print "ready", serve until stdin closes
  fork_server.py launch SOCKET ARG...     ask the template for a kernel with ipykernel's ARGs, and
                                          be that kernel's process for jupyter_client until it ends

One request per connection: the launcher sends a JSON line {"argv", "env", "cwd"} with its stdin,
stdout, stderr and a pidfd of itself; the template forks and answers with a pidfd of the kernel.
Signals sent to the launcher reach the kernel; when the launcher dies (jupyter_client kills it to
stop the kernel), the kernel ends at once.
"""

import sys

del sys.path[0]  # this script's folder: nothing may be imported from the grader's package

import importlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def serve(path: str, modules: list[str]) -> None:
    # What ipykernel sets before a cold kernel's notebook can import matplotlib, which reads it at
    # import: without it the forked kernels' figures would not show inline.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the notebook's own import will say what is wrong, as in a cold kernel
            pass
    launcher_path = importlib.util.find_spec("ipykernel_launcher").origin
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system; nobody waits here
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([listener, 0], [], [])
        if 0 in readable and not os.read(0, 4096):
            return  # the grader that started the template has gone
        if listener in readable:
            connection, _ = listener.accept()
            with connection:
                _fork_kernel(connection, listener, launcher_path)


def _fork_kernel(connection, listener, launcher_path: str) -> None:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 4)
    while not data.endswith(b"\n"):
        more = connection.recv(1 << 16)
        if not more:
            break
        data += more
    try:
        request = json.loads(data)
        if len(fds) != 4:
            raise ValueError("expected stdin, stdout, stderr and the launcher's pidfd")
    except ValueError:
        for fd in fds:
            os.close(fd)
        return  # the launcher sees the connection close and exits: its kernel never came up
    pid = os.fork()
    if pid == 0:
        try:
            connection.close()
            listener.close()
            _become_kernel(request, fds, launcher_path)
        finally:
            os._exit(1)
    for fd in fds:
        os.close(fd)
    try:
        kernel = os.pidfd_open(pid)
    except ProcessLookupError:
        return  # it ended already
    try:
        socket.send_fds(connection, [b"\n"], [kernel])
    finally:
        os.close(kernel)


def _become_kernel(request: dict, fds: list[int], launcher_path: str) -> None:
    os.setsid()  # its own session, like a kernel jupyter_client starts itself
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    *standard, launcher = fds
    for target, fd in enumerate(standard):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    if "tempfile" in sys.modules:  # found again from TMPDIR, as a fresh process would
        sys.modules["tempfile"].tempdir = None
    if "numpy" in sys.modules:  # a cold kernel's numpy draws its global state from the OS; so does this one
        sys.modules["numpy"].random.seed()
    threading.Thread(target=_end_with, args=(launcher,), daemon=True).start()
    sys.argv = [launcher_path, *request["argv"]]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
    os._exit(0)


def _end_with(pidfd: int) -> None:
    """End this kernel the moment its launcher ends: that is how jupyter_client kills it."""
    select.select([pidfd], [], [])
    os._exit(1)


def launch(path: str, argv: list[str]) -> int:
    myself = os.pidfd_open(os.getpid())
    request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode() + b"\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(path)
        socket.send_fds(connection, [request], [0, 1, 2, myself])
        _, fds, _, _ = socket.recv_fds(connection, 16, 1)
    if not fds:
        return 1  # the template could not start it
    kernel = fds[0]

    def forward(number, _frame):
        try:
            signal.pidfd_send_signal(kernel, number)
        except ProcessLookupError:
            pass  # it has ended; the wait below returns

    for number in FORWARDED:
        signal.signal(number, forward)
    select.select([kernel], [], [])
    return 0


if __name__ == "__main__":
    role, socket_path, *rest = sys.argv[1:]
    if role == "serve":
        serve(socket_path, rest)
    else:
        sys.exit(launch(socket_path, rest))
