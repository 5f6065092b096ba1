"""The deadline rush (figures for bench/README.md, not a test): N students submit 01 through the hub's
ngshare exchange within minutes while `course watch --exchange` grades, optionally with a fault.

On this machine: the hub as scripts/hub.sh starts it with HUB_EXCHANGE=ngshare (its proxy, its
ngshare service), N hub users made through the hub's REST API, each with their own API token, and a
pool of worker processes making each student's exchange calls with nbgrader's own classes, as their
Jupyter server would (bench/rush_students.py). No users' servers run (300 would not fit), so the
students need no Unix accounts: the hub's demo login (HUB_DEMO_LOGIN=1) lets its API make users that
are not Unix users, which PAM's refuses; what the exchange sees (a token per user, checked by the hub
on every request through its proxy) is the same as with PAM.

Each student fetches 01, then submits at a time drawn from a deadline-shaped burst (density rising
with the square of the time: 70 % arrive in the last third of --burst-minutes), a correct, mistaken
or hostile notebook of the synthetic cohort (autograder/demo/cohort.py); some submit a mistaken one
first and their own later, some first with a data file over the service's size limit, which it
refuses, and they submit again without it. Each then presses Fetch Feedback every --poll-seconds
until the feedback of their last submission comes. `course watch 01_layer_math --exchange` runs as
a subprocess (bench/rush_watch.py: the same command, with its requests, passes and saved records
written down).

--fault, one per run: service-kill (ngshare SIGKILLed; the hub restarts its managed service),
watch-kill (the watch and everything it started SIGKILLed, then started again), hub-restart
(scripts/hub.sh stop, then start), collect-interrupt (the watch killed the moment it starts
downloading a submission, then started again), disk-full (the course's submitted/ folder on a tmpfs
too small for the cohort; made large enough a minute after the burst, as an admin would).

After the run it checks and prints: nothing a student was told was accepted is missing from the
service; every student's last accepted submission graded, and no submission graded twice; the record
is that of the last one; a student whose submission was not taken was told when they submitted; every
record parses and adds up, the gradebook opens and agrees with the records. Reports the submissions
accepted and refused, submit-to-feedback time, the service's response times and errors (timed by the
students' clients), peak memory of the hub, ngshare and the grader, the watch's requests per pass,
and the throughput against `course grade` offline on the same notebooks (--offline).

Usage (as root; at most one hub on the machine):
    .venv/bin/python bench/rush.py [--students 300] [--burst-minutes 5] [--fault NAME] [--offline]
                                   [--workers 12] [--poll-seconds 15] [--out bench-output/rush] [--plot FILE]
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from multiprocessing import get_context
from pathlib import Path

import psutil
import requests
from dateutil import parser as dateparser

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from course_copy import REPO, copy_course  # noqa: E402
from rush_students import act, start_worker  # noqa: E402
from autograder.course.coursedir import Course  # noqa: E402
from autograder.course.errors import CourseError  # noqa: E402
from autograder.course.identity import unix_account  # noqa: E402
from autograder.demo.cohort import HOSTILE, synthesize  # noqa: E402
from autograder.grading import results  # noqa: E402
from autograder.intake.ngshare import Service  # noqa: E402
from autograder.records.gradebook import open_gradebook  # noqa: E402
from tests.conftest import COURSE_FILES, free_ports  # noqa: E402

AID = "01_layer_math"
FAULTS = ("service-kill", "watch-kill", "hub-restart", "collect-interrupt", "disk-full")
STAFF, PROBE = "rush-staff", "rush-probe"  # the hub's instructor and the one student hub.sh checks reach with
MAX_FILE_MB = 2  # the service's limit on a file, small so that a refused submission is cheap to send
# Hostile notebooks that end in seconds: those that run to a limit (time, memory, disk, processes, 100 MB
# of output) would stand for a cohort of attackers, not of students; planted links and pipes are not
# what nbgrader's submit sends; the oversized notebook is over the service's limit, which the students
# with a data file too large try already (and would try again for the whole run).
LEFT_OUT = {"fork_bomb", "print_100mb", "oversized_notebook"}
CHEAP_HOSTILE = [h for h in HOSTILE if h.plant is None and h.name not in LEFT_OUT
                 and h.status not in (results.TIMEOUT, results.OUT_OF_MEMORY, results.OUT_OF_DISK)]
MIX = {"correct": 0.6, "mistaken": 0.25, "hostile": 0.15}
# ngshare enrolls a roster in one request, row by row: 300 at once took longer than the staff's commands
# wait for the service (c.ExchangeService.timeout, 10 s), so the roster goes in parts.
ENROLL_AT_ONCE = 25


def fail(message: str, hint: str = "") -> None:
    print(f"error: {message}" + (f"\nhint: {hint}" if hint else ""), file=sys.stderr)
    sys.exit(1)


def utc(text: str | None) -> datetime | None:
    """A timestamp as ngshare, nbgrader's timestamp.txt or a record writes it, as naive UTC."""
    if not text:
        return None
    moment = dateparser.parse(text.replace(" UTC", ""))
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the cohort ---------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    kind: str  # correct, mistaken, hostile
    file_name: str
    notebook: bytes


def cohort_cases(scratch: Path) -> dict[str, list[Case]]:
    """The synthetic cohort's notebooks of 01, by kind, as students would hand them in."""
    course = copy_course(scratch, ["course_config.py", "nbgrader_config.py", "assignments", "release", "tests/submissions"])
    kinds = synthesize(course, AID, hostile=CHEAP_HOSTILE)
    by_kind: dict[str, list[Case]] = {"correct": [], "mistaken": [], "hostile": []}
    for name, kind in sorted(kinds.items()):
        [path] = [p for p in course.submission_dir(name, AID).iterdir() if p.is_file()]
        mine = {"solution": "correct", "alternative": "correct", "stub": "mistaken", "mistake": "mistaken"}.get(kind, kind)
        by_kind[mine].append(Case(name, mine, path.name, path.read_bytes()))
    return by_kind


@dataclass
class Planned:
    at: float  # seconds after the burst starts
    case: Case
    extra_mb: float = 0  # a data file beside the notebook, over the service's limit when > MAX_FILE_MB


@dataclass
class Student:
    name: str
    home: Path
    plan: list[Planned]
    token: str = ""
    accepted: list[dict] = field(default_factory=list)  # {"at", "timestamp", "case"}
    told: list[dict] = field(default_factory=list)  # submissions refused, with what the student saw
    fetch_errors: list[str] = field(default_factory=list)
    feedback_at: float | None = None
    polls: int = 0
    done: bool = False


def make_students(count: int, burst: float, cases: dict[str, list[Case]], homes: Path, rng: random.Random,
                  resubmit_share: float, oversize_share: float) -> list[Student]:
    students = []
    kinds = list(MIX)
    for i in range(count):
        name = f"rush{i + 1:04d}"
        kind = rng.choices(kinds, weights=[MIX[k] for k in kinds])[0]
        final = rng.choice(cases[kind])
        at = burst * rng.random() ** (1 / 3)  # density rising as t squared: most arrive near the deadline
        plan = [Planned(at, final)]
        if rng.random() < resubmit_share:  # a first try, then their own a little later
            plan = [Planned(at, rng.choice(cases["mistaken"])), Planned(at + rng.uniform(0.1, 0.4) * burst, final)]
        if rng.random() < oversize_share:
            plan[0].extra_mb = MAX_FILE_MB + 1
        home = homes / name
        home.mkdir(parents=True)
        students.append(Student(name, home, plan))
    return students


# --- the hub ------------------------------------------------------------------------------------

class Hub:
    """scripts/hub.sh's hub, in a state folder of its own."""

    def __init__(self, state: Path, course: Course, port: int):
        self.state, self.course, self.port = state, course, port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "HUB_STATE": str(state), "HUB_PORT": str(port), "HUB_EXCHANGE": "ngshare",
                    "HUB_STUDENTS": PROBE, "HUB_INSTRUCTOR": STAFF, "HUB_DEMO_LOGIN": "1", "HUB_COURSE": str(course.root)}

    def script(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(REPO / "scripts" / "hub.sh"), *args], env=self.env, capture_output=True, text=True,
                              timeout=900)

    def start(self) -> float:
        started = time.monotonic()
        up = self.script("start", str(self.course.root))
        if up.returncode:
            raise RuntimeError(f"scripts/hub.sh start failed: {(up.stdout + up.stderr).strip()[-2000:]}")
        return time.monotonic() - started

    def stop(self) -> None:
        self.script("stop")

    def pid(self) -> int | None:
        try:
            return int((self.state / "hub" / "hub.pid").read_text())
        except (OSError, ValueError):
            return None

    def processes(self) -> tuple[list[psutil.Process], list[psutil.Process]]:
        """(the hub and its proxy, ngshare): the hub's process tree, split at its ngshare service."""
        pid = self.pid()
        if pid is None:  # between a stop and a start (the hub-restart fault)
            return [], []
        try:
            hub = psutil.Process(pid)
            tree = [hub, *hub.children(recursive=True)]
        except psutil.Error:
            return [], []
        ngshare = []
        for process in tree:
            try:
                if any("ngshare_service.py" in part for part in process.cmdline()):
                    ngshare += [process, *process.children(recursive=True)]
            except psutil.Error:
                pass
        return [p for p in tree if p not in ngshare], ngshare

    def ngshare_pid(self) -> int | None:
        _, ngshare = self.processes()
        return ngshare[0].pid if ngshare else None

    def admin_token(self) -> str:
        """A token of the hub's instructor, its admin (hub.sh's staff token is a service's, with no scopes)."""
        made = subprocess.run([str(REPO / ".venv" / "bin" / "jupyterhub"), "token", "-f",
                               str(REPO / "deploy" / "hub" / "jupyterhub_config.py"), STAFF], cwd=self.state / "hub",
                              env=self.env, capture_output=True, text=True, check=True, timeout=120)
        return made.stdout.split()[-1]

    def add_users(self, admin: str, names: list[str]) -> dict[str, str]:
        """Hub users through the REST API, each with an API token of their own, as their server would hold."""
        api = requests.Session()
        api.headers["Authorization"] = f"token {admin}"
        made = api.post(f"{self.url}/hub/api/users", json={"usernames": names}, timeout=120)
        if made.status_code != 201:
            raise RuntimeError(f"the hub did not make the users: HTTP {made.status_code} {made.text[:300]}")
        tokens = {}
        for name in names:
            reply = api.post(f"{self.url}/hub/api/users/{name}/tokens", json={"note": "bench/rush.py"}, timeout=60)
            reply.raise_for_status()
            tokens[name] = reply.json()["token"]
        return tokens


# --- the grader ---------------------------------------------------------------------------------

class Watch:
    """`course watch AID --exchange`, through bench/rush_watch.py, started again after each kill."""

    def __init__(self, course: Course, out: Path, interval: float | None):
        self.course, self.log, self.requests = course, out / "watch.log", out / "watch-events.jsonl"
        self.interval = interval
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        command = [sys.executable, str(REPO / "bench" / "rush_watch.py"), "--course-dir", str(self.course.root),
                   "watch", AID, "--exchange", *(["--interval", str(self.interval)] if self.interval is not None else [])]
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                            env={**os.environ, "RUSH_WATCH_LOG": str(self.requests)})
        self.starts += 1

    def tree(self) -> list[psutil.Process]:
        try:
            me = psutil.Process(self.process.pid)
            return [me, *me.children(recursive=True)]
        except (psutil.Error, AttributeError):
            return []

    def kill(self) -> None:
        """SIGKILL to the watch and everything it started, at once: a crash of the grading host's unit."""
        for process in self.tree():
            try:
                process.kill()
            except psutil.Error:
                pass
        self.process.wait()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.kill()


class Memory(threading.Thread):
    """Resident memory of the hub (with its proxy), ngshare and the grader (the watch's tree), sampled."""

    def __init__(self, hub: Hub, watch: Watch, interval: float = 0.5):
        super().__init__(daemon=True)
        self.hub, self.watch, self.interval = hub, watch, interval
        self.series: list[tuple[float, int, int, int]] = []
        self.halt = threading.Event()

    @staticmethod
    def rss(processes: list[psutil.Process]) -> int:
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                pass
        return total

    def run(self):
        while not self.halt.wait(self.interval):
            hub, ngshare = self.hub.processes()
            self.series.append((time.time(), self.rss(hub), self.rss(ngshare), self.rss(self.watch.tree())))

    def peaks_mb(self) -> dict[str, int]:
        return {name: round(max((row[i] for row in self.series), default=0) / 2**20)
                for i, name in ((1, "hub"), (2, "ngshare"), (3, "grader"))}


# --- the faults ---------------------------------------------------------------------------------

class Fault(threading.Thread):
    """One fault, `at` seconds into the burst; what happened and when goes into `events`."""

    def __init__(self, name: str, at: float, burst_end: float, hub: Hub, watch: Watch, events: list):
        super().__init__(daemon=True)
        self.name_, self.at, self.burst_end, self.hub, self.watch, self.events = name, at, burst_end, hub, watch, events
        self.error = ""

    def note(self, what: str) -> None:
        self.events.append((time.time(), what))
        print(f"  [{time.strftime('%H:%M:%S')}] {what}", flush=True)

    def run(self):
        try:
            if self.name_ == "disk-full":
                self.wait_until(self.burst_end + 60)
                subprocess.run(["mount", "-o", "remount,size=1g", str(self.watch.course.submissions_root())], check=True)
                self.note("submitted/ made large enough (tmpfs remounted at 1 GiB)")
                return
            self.wait_until(self.at)
            getattr(self, self.name_.replace("-", "_"))()
        except Exception as exc:  # reported with the figures; the run goes on
            self.error = f"{type(exc).__name__}: {exc}"
            self.note(f"the fault failed: {self.error}")

    def wait_until(self, moment: float) -> None:
        time.sleep(max(0.0, moment - time.time()))

    def service_kill(self):
        pid = self.hub.ngshare_pid()
        os.kill(pid, signal.SIGKILL)
        self.note(f"ngshare (pid {pid}) killed")
        while self.hub.ngshare_pid() in (None, pid):
            time.sleep(0.2)
        self.note(f"ngshare running again (pid {self.hub.ngshare_pid()}), restarted by the hub")

    def watch_kill(self):
        self.watch.kill()
        self.note("the watch and its workers killed (SIGKILL)")
        time.sleep(2)
        self.watch.start()
        self.note("the watch started again")

    def hub_restart(self):
        self.note("scripts/hub.sh stop")
        self.hub.stop()
        self.note("scripts/hub.sh start")
        seconds = self.hub.start()
        self.note(f"the hub is back ({seconds:.1f} s of scripts/hub.sh start)")

    def collect_interrupt(self):
        with open(self.watch.requests) as events:
            events.seek(0, os.SEEK_END)
            while True:
                line = events.readline()
                if not line:
                    time.sleep(0.005)
                    continue
                event = json.loads(line)
                if event["event"] == "request" and event["method"] == "GET" and event["path"].startswith("/submission/"):
                    break
        self.watch.kill()
        self.note(f"the watch killed mid-collect, downloading {event['path']}")
        time.sleep(2)
        self.watch.start()
        self.note("the watch started again")


# --- the students -------------------------------------------------------------------------------

class Rush:
    def __init__(self, students: list[Student], url: str, course_id: str, released_name: str, workers: int,
                 poll: float, patience: float, rng: random.Random):
        self.students, self.url, self.course_id, self.released_name = students, url, course_id, released_name
        self.workers, self.poll, self.patience, self.rng = workers, poll, patience, rng
        self.calls: list[dict] = []  # every HTTP request of every student, timed on their side
        self.lag: list[float] = []  # how late the pool started a student's action: the simulation's own limit

    def run(self, start: float) -> None:
        events: list[tuple[float, int, int, str, int]] = []  # (due, tie, student, action, submission index)
        tie = 0

        def later(due: float, index: int, action: str, which: int = 0):
            nonlocal tie
            tie += 1
            heapq.heappush(events, (due, tie, index, action, which))

        self.burst_start = start
        for i, student in enumerate(self.students):
            later(start + student.plan[0].at, i, "fetch")
        self.give_up = start + max(s.plan[-1].at for s in self.students) + self.patience
        running = {}
        context = get_context("spawn")  # the driver runs threads: no fork
        with ProcessPoolExecutor(self.workers, mp_context=context, initializer=start_worker) as pool:
            while events or running:
                now = time.time()
                while events and events[0][0] <= now and len(running) < 2 * self.workers:
                    due, _, index, action, which = heapq.heappop(events)
                    self.lag.append(now - due)
                    running[pool.submit(act, action, **self.arguments(self.students[index], action, which))] = (
                        index, action, which)
                if not running:
                    time.sleep(max(0.0, min(0.2, events[0][0] - time.time())) if events else 0)
                    continue
                finished, _ = wait(running, timeout=0.05, return_when=FIRST_COMPLETED)
                for future in finished:
                    index, action, which = running.pop(future)
                    for follow in self.heard(self.students[index], action, which, future.result()):
                        later(follow[0], index, *follow[1:])

    def arguments(self, student: Student, action: str, which: int) -> dict:
        common = dict(user=student.name, token=student.token, url=self.url, home=str(student.home),
                      course_id=self.course_id, assignment_id=AID, released_name=self.released_name)
        if action == "submit":
            planned = student.plan[which]
            return {**common, "notebook": planned.case.notebook, "file_name": planned.case.file_name,
                    "extra_mb": planned.extra_mb}
        if action == "feedback":
            return {**common, "timestamp": student.accepted[-1]["timestamp"]}
        return common

    def heard(self, student: Student, action: str, which: int, answer: dict) -> list[tuple]:
        """What the student does next, once they saw `answer`: (when, action, submission index)."""
        self.calls += [{**call, "action": action} for call in answer["calls"]]
        now = answer["ended"]
        if action == "fetch":
            if answer["ok"]:
                return [(now, "submit", 0)]
            student.fetch_errors.append(answer["error"])
            return [(now + self.rng.uniform(10, 20), "fetch", 0)] if now < self.give_up else self.quit(student)
        if action == "submit":
            planned = student.plan[which]
            if answer["ok"]:
                student.accepted.append({"at": now, "timestamp": answer["timestamp"], "case": planned.case.name})
                if which + 1 < len(student.plan):
                    return [(max(now + 1, self.start_of(student, which + 1)), "submit", which + 1)]
                return [(now + self.poll * self.rng.uniform(0.5, 1.5), "feedback", 0)]
            student.told.append({"at": now, "error": answer["error"], "case": planned.case.name})
            if planned.extra_mb and "MB" in answer["error"]:
                planned.extra_mb = 0  # they read the message and leave the data file out
                return [(now + self.rng.uniform(5, 15), "submit", which)]
            return [(now + self.rng.uniform(10, 30), "submit", which)] if now < self.give_up else self.quit(student)
        student.polls += 1
        if answer["ok"]:
            student.feedback_at = now
            student.done = True
            return []
        return [(now + self.poll * self.rng.uniform(0.5, 1.5), "feedback", 0)] if now < self.give_up else self.quit(student)

    def start_of(self, student: Student, which: int) -> float:
        return self.burst_start + student.plan[which].at

    @staticmethod
    def quit(student: Student) -> list:
        student.done = True
        return []


# --- after the run: the checks --------------------------------------------------------------------

def watch_events(path: Path) -> list[dict]:
    events = []
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            events.append(json.loads(line))
        except ValueError:  # a line a killed watch left half-written
            events.append({"event": "torn line"})
    return events


def verify(course: Course, students: list[Student], events: list[dict]) -> dict:
    """The correctness checks; each list names who breaks it (empty: it holds)."""
    service = Service(course.exchange_service)
    held = service.call("GET", f"/submissions/{course.nbgrader.course_id}/{AID}", "list the service's submissions")
    on_service: dict[str, set[datetime]] = {}
    for entry in held["submissions"]:
        on_service.setdefault(entry["student_id"], set()).add(utc(entry["timestamp"]))
    graded: dict[tuple[str, datetime], int] = {}
    for event in events:
        if event["event"] == "graded" and event["status"] not in results.UNFINISHED:
            key = (event["student"], utc(event["submitted_at"]))
            graded[key] = graded.get(key, 0) + 1
    checks: dict[str, list[str]] = {name: [] for name in (
        "accepted but not on the service", "kept by the service though the student was told it failed",
        "last accepted submission not graded", "a submission graded more than once", "the record is not the last submission",
        "refused by the watch, the student not told", "no feedback for the last submission", "record unreadable",
        "record's score is not the sum of its tests", "gradebook disagrees with the record", "left half-written")}
    records = {}
    for student in students:
        sid = student.name
        accepted = {utc(a["timestamp"]) for a in student.accepted}
        kept = on_service.get(sid, set())
        checks["accepted but not on the service"] += [f"{sid} {t}" for t in sorted(accepted - kept)]
        checks["kept by the service though the student was told it failed"] += [f"{sid} {t}" for t in sorted(kept - accepted)]
        if not accepted:
            continue
        last = max(accepted)
        path = course.record_path(sid, AID)
        record = results.load(path)
        records[sid] = record
        if path.exists() and record is None:
            checks["record unreadable"].append(sid)
        if record is None or utc(record.submitted_at) != last:
            refused = course.submission_dir(sid, AID).with_name(f".{AID}.refused")
            if refused.is_file():
                checks["refused by the watch, the student not told"].append(f"{sid}: {refused.read_text().splitlines()[-1]}")
            elif record is None:
                checks["last accepted submission not graded"].append(sid)
            else:
                checks["the record is not the last submission"].append(f"{sid}: {record.submitted_at} against {last}")
        if student.feedback_at is None:
            checks["no feedback for the last submission"].append(sid)
    checks["a submission graded more than once"] = [f"{sid} {t}: {n} times" for (sid, t), n in graded.items() if n > 1]
    for path in sorted((course.root / course.nbgrader.autograded_directory).glob(f"*/{AID}/result.json")):
        record = results.load(path)
        if record is None:
            checks["record unreadable"].append(str(path.relative_to(course.root)))
        elif abs(sum(t.points for t in record.tests) - record.score) > 1e-9:
            checks["record's score is not the sum of its tests"].append(record.student_id)
    left = [*course.submissions_root().glob(f"*/.{AID}.collecting"),
            *(course.root / course.nbgrader.autograded_directory).glob("*/*/.*.tmp")]
    checks["left half-written"] = [str(p.relative_to(course.root)) for p in left]
    with open_gradebook(course) as gb:  # opens it: a torn SQLite file would fail here
        for sid, record in records.items():
            if record is None:
                continue
            try:
                submission = gb.find_submission(AID, sid)
                score, when = submission.score, submission.timestamp
            except Exception:  # nbgrader's MissingEntry: never ingested
                score, when = None, None
            if score is None or abs(score - record.score) > 1e-6 or when != utc(record.submitted_at):
                checks["gradebook disagrees with the record"].append(f"{sid}: gradebook {score} at {when}, record "
                                                                      f"{record.score} at {record.submitted_at}")
    return checks


# --- the figures --------------------------------------------------------------------------------

def request_table(calls: list[dict]) -> list[dict]:
    rows = []
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for call in calls:
        endpoint = "/" + call["path"].strip("/").split("/")[0]
        groups.setdefault((call["action"], call["method"], endpoint), []).append(call)
    for (action, method, endpoint), mine in sorted(groups.items()):
        seconds = [c["seconds"] for c in mine]
        errors = [c for c in mine if c["status"] != 200]
        rows.append({"action": action, "request": f"{method} {endpoint}", "count": len(mine),
                     "errors": len(errors), "statuses": sorted({str(c["status"]) for c in errors}),
                     "median_s": round(statistics.median(seconds), 3), "p95_s": round(quantile(seconds, 0.95), 3),
                     "max_s": round(max(seconds), 3)})
    return rows


def passes(events: list[dict]) -> list[dict]:
    """Each watch pass: its requests to the service, its seconds, what it collected, graded, released."""
    found, open_passes = [], {}
    for event in events:
        pid = event.get("pid")
        if event["event"] == "pass start":
            open_passes[pid] = {"start": event["t"], "requests": 0, "by_path": {}}
        elif event["event"] == "request" and pid in open_passes:
            current = open_passes[pid]
            current["requests"] += 1
            key = f"{event['method']} /" + event["path"].strip("/").split("/")[0]
            current["by_path"][key] = current["by_path"].get(key, 0) + 1
        elif event["event"] == "pass end" and pid in open_passes:
            current = open_passes.pop(pid)
            found.append({**current, "seconds": event["t"] - current["start"],
                          **{k: event.get(k) for k in ("collected", "refused", "graded", "released", "error")}})
    return found


def summarize(args, students: list[Student], rush: Rush, events: list[dict], memory: Memory, fault_events: list,
              checks: dict, timings: dict, burst_start: float) -> dict:
    accepted = sum(len(s.accepted) for s in students)
    told = [t for s in students for t in s.told]
    latency = [s.feedback_at - s.accepted[-1]["at"] for s in students if s.feedback_at and s.accepted]
    last_submit = max((a["at"] for s in students for a in s.accepted), default=burst_start)
    graded = [e for e in events if e["event"] == "graded"]
    first_submit = min((a["at"] for s in students for a in s.accepted), default=burst_start)
    span = (max(e["t"] for e in graded) - first_submit) if graded else None
    calls = rush.calls
    errors = [c for c in calls if c["status"] != 200]
    all_passes = passes(events)
    idle = [p["requests"] for p in all_passes if not (p["collected"] or p["graded"] or p["released"]) and not p["error"]]
    busy = [p["requests"] for p in all_passes if p["collected"] or p["graded"] or p["released"]]
    return {
        "students": len(students), "burst_minutes": args.burst_minutes, "fault": args.fault or "none",
        "workers": args.workers, "poll_seconds": args.poll_seconds,
        "submissions": {"accepted": accepted, "refused": len(told),
                        "refused_why": sorted({re.sub(r"\d+(\.\d+)?", "N", t["error"])[:160] for t in told}),
                        "resubmitters": sum(len(s.plan) > 1 for s in students),
                        "fetch_errors": sum(len(s.fetch_errors) for s in students)},
        "submit_to_feedback_s": {"students_with_feedback": len(latency),
                                 "median": round(statistics.median(latency), 1) if latency else None,
                                 "p95": round(quantile(latency, 0.95), 1) if latency else None,
                                 "max": round(max(latency), 1) if latency else None},
        "last_feedback_after_last_submission_s": round(max(s.feedback_at for s in students if s.feedback_at) - last_submit, 1)
        if latency else None,
        "service": {"requests": len(calls), "errors": len(errors),
                    "error_rate": round(len(errors) / len(calls), 4) if calls else None,
                    "median_s": round(quantile([c["seconds"] for c in calls], 0.5), 3) if calls else None,
                    "p95_s": round(quantile([c["seconds"] for c in calls], 0.95), 3) if calls else None,
                    "max_s": round(max(c["seconds"] for c in calls), 3) if calls else None,
                    "by_request": request_table(calls)},
        "peak_memory_mb": memory.peaks_mb(),
        "watch": {"starts": timings.get("watch_starts"), "passes": len(all_passes),
                  "requests_per_idle_pass": {"median": quantile(idle, 0.5), "max": max(idle, default=None)},
                  "requests_per_busy_pass": {"median": quantile(busy, 0.5), "max": max(busy, default=None)},
                  "gradings": len(graded), "passes_detail": all_passes},
        "throughput": {"rush_graded_per_min": round(len(graded) / span * 60, 1) if span else None,
                       "offline_graded_per_min": timings.get("offline_per_min"),
                       "offline_wall_s": timings.get("offline_wall_s"), "offline_submissions": timings.get("offline_n")},
        "pool_lag_s": {"median": round(quantile(rush.lag, 0.5), 2), "max": round(max(rush.lag), 2)} if rush.lag else {},
        "timings_s": {k: v for k, v in timings.items() if k.endswith("_s") and not k.startswith("offline")},
        "fault_events": [(round(t - burst_start, 1), what) for t, what in fault_events],
        "checks": checks,
        "timeline": {"burst_start": burst_start,
                     "accepted": [a["at"] - burst_start for s in students for a in s.accepted],
                     "refused": [t["at"] - burst_start for t in told],
                     "feedback": [[s.accepted[-1]["at"] - burst_start, s.feedback_at - s.accepted[-1]["at"]]
                                  for s in students if s.feedback_at and s.accepted],
                     "graded": [e["t"] - burst_start for e in graded],
                     "memory": [[round(t - burst_start, 1), h, n, g] for t, h, n, g in memory.series[::4]]},
    }


def print_report(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    table = Table(title=f"the deadline rush: {summary['students']} students, {summary['burst_minutes']} min burst, "
                        f"fault: {summary['fault']}")
    table.add_column("measure")
    table.add_column("figure")
    sub, lat, svc, thr = summary["submissions"], summary["submit_to_feedback_s"], summary["service"], summary["throughput"]
    mem, watch = summary["peak_memory_mb"], summary["watch"]
    rows = [
        ("submissions accepted / refused", f"{sub['accepted']} / {sub['refused']} ({sub['resubmitters']} students resubmitted)"),
        ("submit to feedback: median / p95 / max", f"{lat['median']} / {lat['p95']} / {lat['max']} s "
                                                   f"({lat['students_with_feedback']} of {summary['students']} got it)"),
        ("last feedback after the last submission", f"{summary['last_feedback_after_last_submission_s']} s"),
        ("service requests (students'): errors", f"{svc['requests']}: {svc['errors']} ({svc['error_rate']})"),
        ("service response: median / p95 / max", f"{svc['median_s']} / {svc['p95_s']} / {svc['max_s']} s"),
        ("peak memory: hub+proxy / ngshare / grader", f"{mem['hub']} / {mem['ngshare']} / {mem['grader']} MB"),
        ("watch requests per pass: idle / busy (median, max)",
         f"{watch['requests_per_idle_pass']['median']}, {watch['requests_per_idle_pass']['max']} / "
         f"{watch['requests_per_busy_pass']['median']}, {watch['requests_per_busy_pass']['max']} "
         f"({watch['passes']} passes, {watch['starts']} watch starts)"),
        ("graded per minute: rush / offline `course grade`", f"{thr['rush_graded_per_min']} / {thr['offline_graded_per_min']}"),
        ("pool lag (the simulation's own): median / max", f"{summary['pool_lag_s'].get('median')} / "
                                                          f"{summary['pool_lag_s'].get('max')} s"),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    requests_table = Table(title="the students' requests, timed by their clients")
    for column in ("action", "request", "count", "errors", "median s", "p95 s", "max s"):
        requests_table.add_column(column)
    for row in svc["by_request"]:
        requests_table.add_row(row["action"], row["request"], str(row["count"]),
                               f"{row['errors']} {' '.join(row['statuses'])}".strip(), str(row["median_s"]),
                               str(row["p95_s"]), str(row["max_s"]))
    console.print(requests_table)
    for t, what in summary["fault_events"]:
        console.print(f"fault at {t:+.1f} s: {what}")
    checks = Table(title="after the run")
    checks.add_column("check")
    checks.add_column("result")
    for name, broken in summary["checks"].items():
        checks.add_row(name, "[green]none[/]" if not broken else f"[red]{len(broken)}[/]: {'; '.join(broken[:4])}")
    console.print(checks)


def plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    line = summary["timeline"]
    fig, (arrivals, latency, memory) = plt.subplots(1, 3, figsize=(15, 4.2))
    end = max([*line["accepted"], *line["graded"], 1])
    bins = [i * 10 for i in range(int(end // 10) + 2)]
    arrivals.hist(line["accepted"], bins=bins, alpha=0.6, label="submissions accepted")
    arrivals.hist(line["graded"], bins=bins, histtype="step", linewidth=1.5, label="gradings finished")
    if line["refused"]:
        arrivals.hist(line["refused"], bins=bins, alpha=0.8, label="submissions refused")
    arrivals.axvline(summary["burst_minutes"] * 60, color="k", linestyle=":", label="end of the burst")
    arrivals.set(xlabel="seconds from the burst's start", ylabel="per 10 s")
    if line["feedback"]:
        latency.scatter([x for x, _ in line["feedback"]], [y for _, y in line["feedback"]], s=8)
    latency.set(xlabel="last submission (s from the burst's start)", ylabel="submit to feedback (s)", ylim=(0, None))
    for t, what in summary["fault_events"]:
        for axis in (arrivals, latency):
            axis.axvline(t, color="r", alpha=0.4)
    if line["memory"]:
        xs = [row[0] for row in line["memory"]]
        for i, name in ((1, "hub + proxy"), (2, "ngshare"), (3, "grader (watch, workers, kernels)")):
            memory.plot(xs, [row[i] / 2**20 for row in line["memory"]], label=name)
    memory.set(xlabel="seconds from the burst's start", ylabel="resident memory (MB)", ylim=(0, None))
    arrivals.legend(fontsize=7)
    memory.legend(fontsize=7)
    fig.suptitle(f"{summary['students']} students, {summary['burst_minutes']} min burst, fault: {summary['fault']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# --- the run ------------------------------------------------------------------------------------

def offline(course: Course, scratch: Path) -> tuple[float, int]:
    """`course grade` on the notebooks the rush ended with, in a course copy of their own."""
    copy = copy_course(scratch, COURSE_FILES)
    shutil.copytree(course.submissions_root(), copy.submissions_root(), symlinks=True)
    count = sum(1 for _ in copy.submissions_root().glob(f"*/{AID}"))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "--course-dir", str(copy.root), "grade", AID],
                          cwd=REPO, capture_output=True, text=True, timeout=3600)
    if done.returncode:
        print(f"offline `course grade` failed: {(done.stdout + done.stderr)[-500:]}", file=sys.stderr)
    return time.monotonic() - started, count


def run(args) -> dict:
    rng = random.Random(args.seed)
    state = Path(tempfile.mkdtemp(prefix="rush-"))
    state.chmod(0o755)  # the users' servers would run the hub's environment from here
    port = free_ports(4, start=33000)
    burst = args.burst_minutes * 60
    made_users = [user for user in (STAFF, PROBE) if unix_account(user) is None]
    checkout_mode = REPO.stat().st_mode
    hub = watch = memory = None
    mounted = False
    timings: dict = {}
    try:
        print("the cohort's notebooks...", flush=True)
        cases = cohort_cases(state / "cohort")
        course = copy_course(state / "course", COURSE_FILES)
        deadline = datetime.now(timezone.utc) + timedelta(minutes=args.burst_minutes + 30)
        with open(course.root / "course_config.py", "a") as config:
            config.write(f'\nc.Exchange.root = "{state}/exchange"\n'
                         f'c.ExchangeService.url = "http://127.0.0.1:{port}/services/ngshare"\n'
                         f'c.ExchangeService.token_file = "{state}/hub/staff-token"\n'
                         f'c.ExchangeService.instructors = ["{STAFF}"]\n'
                         f"c.ExchangeService.max_file_mb = {MAX_FILE_MB}\n"
                         f'c.Course.assignments["{AID}"]["deadline"] = "{deadline.isoformat(timespec="seconds")}"\n')
        course = Course.load(course.root)
        course.root.chmod(0o750)
        REPO.chmod(0o700)  # hub.sh refuses a hub whose students could read the staff checkout
        hub = Hub(state, course, port)
        print(f"starting the hub on port {port} (scripts/hub.sh start, HUB_EXCHANGE=ngshare)...", flush=True)
        timings["hub_start_s"] = round(hub.start(), 1)
        students = make_students(args.students, burst, cases, state / "homes", rng, args.resubmit_share,
                                 args.oversize_share)
        started = time.monotonic()
        tokens = hub.add_users(hub.admin_token(), [s.name for s in students])
        for student in students:
            student.token = tokens[student.name]
        timings["users_and_tokens_s"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        service = Service(course.exchange_service)
        for first in range(0, len(students), ENROLL_AT_ONCE):
            service.enroll(course.nbgrader.course_id, [s.name for s in students[first:first + ENROLL_AT_ONCE]])
        timings["enroll_s"] = round(time.monotonic() - started, 1)
        if args.fault == "disk-full":
            per_student = statistics.mean(len(c.notebook) for kind in cases.values() for c in kind)
            size_kb = max(64, int(per_student * args.students * 0.4 / 1024))
            course.submissions_root().mkdir(exist_ok=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "rush-submitted",
                            str(course.submissions_root())], check=True)
            mounted = True
            print(f"submitted/ is a tmpfs of {size_kb} KiB, about 40 % of what the cohort submits", flush=True)
        out = args.out
        watch = Watch(course, out, args.watch_interval)
        watch.start()
        memory = Memory(hub, watch)
        memory.start()
        released_name = course.source_notebooks(AID)[0].name
        rush = Rush(students, f"{hub.url}/services/ngshare", course.nbgrader.course_id, released_name, args.workers,
                    args.poll_seconds, args.patience_minutes * 60, rng)
        burst_start = time.time() + 5  # the pool's workers start meanwhile
        fault_events: list = []
        fault = None
        if args.fault:
            fault = Fault(args.fault, burst_start + args.fault_at * burst, burst_start + burst, hub, watch, fault_events)
            fault.start()
        print(f"{args.students} students over {args.burst_minutes} min; the watch grades meanwhile...", flush=True)
        rush.run(burst_start)
        timings["rush_s"] = round(time.time() - burst_start, 1)
        if fault:
            fault.join(timeout=600)
        watch.stop()
        timings["watch_starts"] = watch.starts
        memory.halt.set()
        events = watch_events(watch.requests)
        checks = verify(course, students, events)
        if args.offline:
            print("offline: `course grade` on the same notebooks...", flush=True)
            wall, count = offline(course, state / "offline")
            timings.update(offline_wall_s=round(wall, 1), offline_n=count,
                           offline_per_min=round(count / wall * 60, 1))
        summary = summarize(args, students, rush, events, memory, fault_events, checks, timings, burst_start)
        if fault and fault.error:
            summary["checks"]["the fault could not be made"] = [fault.error]
        return summary
    finally:
        if watch and watch.process and watch.process.poll() is None:
            watch.kill()
        if memory:
            memory.halt.set()
        if hub:
            hub.stop()
        if mounted:
            subprocess.run(["umount", "--lazy", str(course.submissions_root())])
        REPO.chmod(checkout_mode)
        for user in made_users:
            subprocess.run(["userdel", "--force", "--remove", user], capture_output=True)
        if args.keep:
            print(f"kept {state}")
        else:
            shutil.rmtree(state, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--burst-minutes", type=float, default=5)
    parser.add_argument("--fault", choices=FAULTS)
    parser.add_argument("--fault-at", type=float, default=0.6, help="when, as a share of the burst (default 0.6)")
    parser.add_argument("--workers", type=int, default=12, help="processes making the students' calls")
    parser.add_argument("--poll-seconds", type=float, default=15, help="how often a student presses Fetch Feedback")
    parser.add_argument("--patience-minutes", type=float, default=20,
                        help="how long after their last planned submission students keep trying")
    parser.add_argument("--watch-interval", type=float, help="seconds between the watch's passes (default: the course's)")
    parser.add_argument("--resubmit-share", type=float, default=0.15)
    parser.add_argument("--oversize-share", type=float, default=0.03)
    parser.add_argument("--offline", action="store_true", help="also time `course grade` on the same notebooks")
    parser.add_argument("--seed", type=int, default=39)
    parser.add_argument("--out", type=Path, default=Path("bench-output") / "rush")
    parser.add_argument("--plot", type=Path, help="where the plot goes (default: OUT/rush.png)")
    parser.add_argument("--keep", action="store_true", help="keep the hub's state folder and the course")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        fail("the hub makes Unix users and runs as root: run the rush as root")
    if subprocess.run(["pgrep", "-f", "deploy/hub/jupyterhub_config.py"], capture_output=True).returncode == 0:
        fail("a hub is already running on this machine", hint="one at a time: stop it (scripts/hub.sh stop) first")
    args.out = args.out.absolute()
    args.out.mkdir(parents=True, exist_ok=True)
    for stale in ("watch.log", "watch-events.jsonl"):
        (args.out / stale).unlink(missing_ok=True)
    try:
        summary = run(args)
    except RuntimeError as exc:
        fail(str(exc))
    except CourseError as exc:
        fail(exc.message, exc.hint or "")
    name = f"rush-{summary['students']}-{summary['fault']}"
    (args.out / f"{name}.json").write_text(json.dumps(summary, indent=1, default=str))
    plot(summary, args.plot or args.out / f"{name}.png")
    print_report(summary)
    print(f"wrote {args.out / (name + '.json')} and {args.plot or args.out / (name + '.png')}")
    return 1 if any(summary["checks"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
