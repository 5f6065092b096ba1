"""nbgrader's exchange without a hub: what goes wrong says what to fix in one line, and `course
watch` answers every arrival (graded, scored 0 with the reason, or refused when made by hand),
never stops for one, and ends at once on Ctrl+C."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from autograder.cli import main
from tests.conftest import REPO, alive, make_course_copy

WIDE = {**os.environ, "COLUMNS": "200"}  # rich wraps at 80 columns: a reason would be cut across lines

AID = "01_layer_math"


@pytest.fixture
def course(tmp_path):
    return make_course_copy(tmp_path, extra_config=f'\nc.Exchange.root = "{tmp_path}/exchange"\n')


def course_says(course, capsys, *args: str) -> tuple[int, str]:
    code = main(["--course-dir", str(course.root), *args])
    return code, " ".join(capsys.readouterr().out.split())


def submit(course, folder_name: str, files: dict[str, str]) -> None:
    """nbgrader's own `submit`, as root (its student is then "root"), from a folder of its own."""
    home = course.root.parent / "student-home"
    work = home / folder_name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name, text in files.items():
        (work / name).write_text(text)
    (home / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "{course.nbgrader.course_id}"\n'
        f'c.Exchange.root = "{course.root.parent}/exchange"\n')
    subprocess.run([sys.executable, "-m", "nbgrader", "submit", folder_name], cwd=home, check=True,
                   capture_output=True, timeout=120)


def test_a_missing_or_closed_exchange_folder_says_how_to_fix_it(course, capsys):
    code, out = course_says(course, capsys, "release", AID, "--exchange")
    assert code == 2 and "exchange folder" in out and "does not exist" in out and "mkdir -p -m 1777" in out
    exchange = course.root.parent / "exchange"
    exchange.mkdir(mode=0o755)
    exchange.chmod(0o755)
    code, out = course_says(course, capsys, "collect", AID, "--exchange")
    assert code == 2 and "students cannot submit" in out and "chmod 1777" in out
    exchange.chmod(0o1777)
    code, out = course_says(course, capsys, "collect", AID, "--exchange")
    assert code == 2 and "never released into the exchange" in out and f"course release {AID} --exchange" in out
    assert "Traceback" not in out and not course.submissions_root().exists()


class Watch:
    """A running `course watch --exchange --interval 1`, its output read line by line as it comes."""

    def __init__(self, course):
        self.lines: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.cli", "--course-dir", str(course.root), "watch", AID, "--exchange",
             "--interval", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=WIDE)
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stdout], daemon=True).start()
        self.seen: list[str] = []

    def said(self, *words: str, within: float = 90) -> str:
        """The next line holding every one of `words`; what came before it is kept in `seen`."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if all(w in line for w in words):
                return line
        raise AssertionError(f"the watch never said {words!r}; it said:\n{''.join(self.seen)}")


@pytest.mark.slow
def test_the_watch_answers_every_arrival_and_stops_at_once(course, tmp_path):
    """Whatever arrives is graded or refused with a reason while the watch runs; Ctrl+C ends it in
    the middle of a grading within seconds, keeping every record."""
    (course.root.parent / "exchange").mkdir(mode=0o1777)
    (course.root.parent / "exchange").chmod(0o1777)
    assert main(["--course-dir", str(course.root), "release", AID, "--exchange"]) == 0
    fetched = (REPO / "release" / AID / "layer_math.ipynb").read_text()
    answered = (REPO / "solutions" / AID / "layer_math.ipynb").read_text()
    watch = Watch(course)
    try:
        watch.said("watching the exchange")
        submit(course, AID, {"layer_math.ipynb": fetched})
        assert "tests_failed" in watch.said("graded root")
        # The case: the answers in a copy beside the fetched notebook, which is unchanged.
        time.sleep(1.1)  # nbgrader's submission times are its folder names: a second apart
        submit(course, AID, {"layer_math.ipynb": fetched, "layer_math (1).ipynb": answered})
        watch.said("graded root")
        assert "also submitted and not graded: layer_math (1).ipynb" in watch.said("note", "root")
        time.sleep(1.1)
        submit(course, AID, {"layer_math (1).ipynb": answered})
        assert "30/30" in watch.said("graded root")
        assert "in place of layer_math.ipynb" in watch.said("note", "root")
        for files, why in (({"a.ipynb": fetched, "b.ipynb": fetched}, "several other notebooks were submitted (a.ipynb, b.ipynb)"),
                           ({}, "no notebook submitted: layer_math.ipynb is missing"),
                           ({"layer_math.ipynb": "%PDF-1.4 a scan of the answers"}, "")):
            time.sleep(1.1)
            submit(course, AID, files)
            graded = watch.said("graded root")
            assert "invalid_notebook" in graded and "0/30" in graded, graded
            assert why in (watch.said("will score 0", "root") if why else graded)
        record = json.loads(course.record_path("root", AID).read_text())
        assert record["status"] == "invalid_notebook" and "layer_math.ipynb" in record["message"]

        # Made by hand in the exchange, not by `nbgrader submit`: refused, and the last grade stands.
        inbound = course.root.parent / "exchange" / course.nbgrader.course_id / "inbound"
        stamp = "2030-01-01 00:00:00.000000 UTC"
        forged = inbound / f"root+{AID}+{stamp}+link"
        forged.mkdir()
        (forged / "layer_math.ipynb").symlink_to(REPO / "solutions" / AID / "layer_math.ipynb")
        (forged / "timestamp.txt").write_text(stamp)
        assert "symbolic link (layer_math.ipynb)" in watch.said("refused", "root")
        impostor = inbound / f"student2+{AID}+{stamp}+x"
        impostor.mkdir()
        (impostor / "layer_math.ipynb").write_text(answered)
        assert "claims to be student2's but belongs to root" in watch.said("refused", "student2")
        piped = inbound / f"root+{AID}+{stamp}+fifo"
        piped.mkdir()
        os.mkfifo(piped / "layer_math.ipynb")
        assert "not a plain file" in watch.said("refused", "root")
        assert json.loads(course.record_path("root", AID).read_text()) == record
        assert not course.submission_dir("student2", AID).exists()

        # A notebook that runs long: Ctrl+C in the middle of its grading.
        slow = json.loads(answered)
        slow["cells"].insert(1, {"cell_type": "code", "id": "slow", "metadata": {}, "execution_count": None,
                                 "outputs": [], "source": "import time\ntime.sleep(300)"})
        time.sleep(1.1)
        submit(course, AID, {"layer_math.ipynb": json.dumps(slow)})
        time.sleep(4)  # well into its grading
        workers = psutil.Process(watch.process.pid).children(recursive=True)
        assert workers, "the slow notebook was not being graded"
        asked = time.monotonic()
        watch.process.send_signal(signal.SIGINT)
        watch.process.wait(timeout=30)
        stopped_in = time.monotonic() - asked
    finally:
        watch.process.kill()
    assert stopped_in < 5, f"Ctrl+C took {stopped_in:.1f} s"
    watch.said("stopped; every record", within=10)
    # Workers and kernels die with the watch; multiprocessing's resource tracker ends when it sees the pipe close.
    psutil.wait_procs(alive(workers), timeout=5)
    assert not alive(workers), [p.cmdline() for p in alive(workers)]
    assert json.loads(course.record_path("root", AID).read_text()) == record  # kept; the slow one is graded next time
