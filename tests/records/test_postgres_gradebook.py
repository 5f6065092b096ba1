"""Grades reach a shared gradebook on a real PostgreSQL server (started here, thrown away after)."""

import glob
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from autograder.demo.cohort import synthesize
from autograder.grading.grade import grade
from autograder.records.gradebook import open_gradebook

pytestmark = pytest.mark.slow
AID = "01_layer_math"


def _postgres_bin() -> str | None:
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))), None)
    return found and found.rsplit("/", 1)[0]


@pytest.fixture
def postgres_url():
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("needs PostgreSQL (scripts/test.sh installs it)")
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
            made = subprocess.run([shutil.which("psql", path=bindir) or "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "create database gradebook"],
                                  capture_output=True)
            if made.returncode == 0:
                break
            time.sleep(0.2)
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*as_postgres, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def test_grades_land_in_postgres(tmp_path, postgres_url):
    from tests.conftest import make_course_copy

    course = make_course_copy(tmp_path, extra_config=f"\nc.CourseDirectory.db_url = {postgres_url!r}\n")
    synthesize(course, AID, hostile=[], mistakes=1)
    summary = grade(course=course, assignment_id=AID)
    assert course.sqlite_gradebook() is None and not (course.root / "gradebook.db").exists()
    with open_gradebook(course) as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment(AID).submissions}
    expected = {r.student_id: r.score for r in summary.records}
    assert scores == expected and scores["solution"] == 30 and scores["stub"] == 0
