"""A throw-away PostgreSQL server on 127.0.0.1 (its data in a temporary folder), for the gradebook
test and bench/scale.py. Not a test module: pytest collects only test_*.py."""

from __future__ import annotations

import glob
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def postgres_bin() -> str | None:
    """The folder of PostgreSQL's server programs, None where it is not installed."""
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))), None)
    return found and found.rsplit("/", 1)[0]


@contextmanager
def running_postgres(bindir: str):
    """The SQLAlchemy URL of an empty database `gradebook` on a fresh server, stopped and removed after."""
    data = Path(tempfile.mkdtemp(prefix="pgdata-"))  # pytest's own folders are closed to other users
    shutil.chown(data, "postgres", "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_postgres, f"{bindir}/initdb", "-D", str(data), "--auth=trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run([*as_postgres, f"{bindir}/pg_ctl", "-D", str(data), "-w", "-l", str(data / "log"), "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        for _ in range(50):
            made = subprocess.run([shutil.which("psql", path=bindir) or "psql", "-h", "127.0.0.1", "-p", str(port),
                                   "-U", "postgres", "-c", "create database gradebook"], capture_output=True)
            if made.returncode == 0:
                break
            time.sleep(0.2)
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*as_postgres, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)
