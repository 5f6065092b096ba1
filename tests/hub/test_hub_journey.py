"""The course on a real JupyterHub (scripts/hub.sh), clicked through in headless Chromium.

The hub runs the exchange as its ngshare service (HUB_EXCHANGE=ngshare): no exchange folder exists,
users' servers and the staff's commands reach it only over HTTP. (The folder exchange's own paths
are tested without a hub in tests/records/test_exchange.py.) Users log in with their own passwords (PAM). From a notebook, a student tries to read what is not
theirs (another student's home and nbgrader cache, the staff checkout, the course folder, the hub's
database and secrets, the exchange's submissions and feedback) and to log in with their password as
another student: each attempt must fail.

A student fetches 01 from JupyterLab's Assignments panel, answers one cell, validates and submits;
`course watch --exchange` grades it in the jail and releases the feedback, which the student
fetches and reads; an instructor grades 02's discussion in formgrader and `course report` has it.
A second student's late submission loses points until an extension is granted and it is
resubmitted. Both fetch a roster exam and each gets their own paper, graded against its key. While
the service hangs, staff commands say so in one line and the watch catches up once it is back.
Screenshots of every step go to test-output/hub-journey/.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import psutil
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import REPO, free_ports, make_course_copy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]
CHROMIUM = "/usr/lib/chromium/chromium"  # Debian's; Playwright cannot download its own here
SHOTS = REPO / "test-output" / "hub-journey"
STUDENT, LATE_STUDENT, INSTRUCTOR = "student1", "student2", "instructor"
USERS = (STUDENT, LATE_STUDENT, INSTRUCTOR)
TOKENS: dict[str, str] = {}  # each student's JupyterHub API token, as their server holds one
SERVICE: dict[str, str] = {}  # the URL of the hub's ngshare, as the hub gives it to users' servers
HUB_ENV: dict[str, str] = {}  # the hub's settings, which its config reads from the environment
# A correct answer to the activations cell, written unlike the solution.
ANSWER = '''def relu(z):
    return np.where(z > 0, z, 0.0)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return 0.5 * (1 + np.tanh(z / 2))


def tanh(z):
    return np.tanh(z)


def softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)
'''


def course_cli(course, *args: str, check: bool = True) -> str:
    run = subprocess.run([sys.executable, "-m", "autograder.cli", "--course-dir", str(course.root), *args],
                         capture_output=True, text=True, timeout=300)
    assert not check or run.returncode == 0, run.stdout + run.stderr
    return run.stdout + run.stderr


def as_student(state: Path, user: str, *nbgrader_args: str, course_id: str = "adlm") -> str:
    """nbgrader's own command, run as the student's Unix user in their home with their hub token, as
    a terminal on the hub would (the students' config names no course: the service lists theirs)."""
    home = Path("/home") / user
    if user not in TOKENS:
        TOKENS[user] = subprocess.run([str(REPO / ".venv" / "bin" / "jupyterhub"), "token", "-f",
                                       str(REPO / "deploy" / "hub" / "jupyterhub_config.py"), user], cwd=state / "hub",
                                      env=HUB_ENV, capture_output=True, text=True, check=True, timeout=60).stdout.split()[-1]
    # The hub's own interpreter, when it had to be linked into its folder, finds its library there.
    run = subprocess.run(["runuser", "-u", user, "--", "env", f"HOME={home}", f"PATH={state}/env/bin:/usr/bin:/bin",
                          f"LD_LIBRARY_PATH={state}/python/lib", f"USER={user}", f"JUPYTERHUB_USER={user}",
                          f"JUPYTERHUB_API_TOKEN={TOKENS[user]}", f"ADLM_NGSHARE_URL={SERVICE['url']}", str(state / "env" / "bin" / "python"), "-m", "nbgrader",
                          *nbgrader_args, "--course", course_id], cwd=home, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "ERROR" not in run.stderr, run.stderr
    return run.stderr


@pytest.fixture(scope="module")
def hub():
    if os.geteuid() != 0:
        pytest.skip("the hub makes Unix users and runs their servers as them: run the suite as root (CI does)")
    state = Path(tempfile.mkdtemp(prefix="hub-journey-"))
    state.chmod(0o755)  # the users' servers run the hub's environment from here
    for user in USERS:  # made afresh by hub.sh, so that it makes their passwords
        subprocess.run(["userdel", "--force", "--remove", user], capture_output=True)
    deadline = (datetime.now(timezone.utc) - timedelta(days=1, hours=12)).isoformat(timespec="seconds")
    port = free_ports(4, start=31000)
    # The folder nbgrader would use is named, so that the test can show it never comes to exist.
    course = make_course_copy(state, extra_config=(
        f'\nc.Exchange.root = "{state}/exchange"\n'
        f'c.ExchangeService.url = "http://127.0.0.1:{port}/services/ngshare"\n'
        f'c.ExchangeService.token_file = "{state}/hub/staff-token"\n'
        f'c.ExchangeService.instructors = ["{INSTRUCTOR}"]\n'
        f'c.Course.assignments["01_layer_math"]["deadline"] = "{deadline}"\n'))
    env = {**os.environ, "HUB_STATE": str(state), "HUB_PORT": str(port), "HUB_EXCHANGE": "ngshare",
           "HUB_STUDENTS": f"{STUDENT} {LATE_STUDENT}", "HUB_INSTRUCTOR": INSTRUCTOR}
    TOKENS.clear()
    HUB_ENV.update(env, HUB_COURSE=str(course.root))
    SERVICE["url"] = course.exchange_service.url
    start = [str(REPO / "scripts" / "hub.sh"), "start", str(course.root)]
    # The staff checkout is closed to students while the hub runs (grading jails see only its
    # virtual environment, which stays open); the course copy is left open, which hub.sh refuses.
    checkout_mode = REPO.stat().st_mode
    REPO.chmod(0o700)
    try:
        refused = subprocess.run(start, env=env, capture_output=True, text=True, timeout=600)
        assert refused.returncode == 1 and f"{STUDENT} can reach {course.root} (the course folder" in refused.stderr
        assert f"chmod o-rwx {course.root}" in refused.stderr and "Traceback" not in refused.stderr
        course.root.chmod(0o750)
        started = time.monotonic()
        up = subprocess.run(start, env=env, capture_output=True, text=True, timeout=600)
        assert up.returncode == 0, up.stdout + up.stderr
        timings = {"hub start (scripts/hub.sh start)": time.monotonic() - started}
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True)
        passwords = dict(line.split() for line in (state / "hub" / "passwords").read_text().splitlines())
        yield course, f"http://127.0.0.1:{port}", state, timings, passwords
        (SHOTS / "timings.txt").write_text("".join(f"{what}: {seconds:.1f} s\n" for what, seconds in timings.items()))
    finally:
        subprocess.run([str(REPO / "scripts" / "hub.sh"), "stop"], env=env, capture_output=True, timeout=120)
        REPO.chmod(checkout_mode)
        for user in USERS:
            subprocess.run(["userdel", "--force", "--remove", user], capture_output=True)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", str(REPO / ".venv" / "playwright-browsers"))
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def log_in(browser, url: str, user: str, password: str):
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(90_000)  # a first spawn on two busy cores
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")
    return page


def assignments_panel(page):
    # Lab restores the last workspace: the Nbgrader menu, not the launcher, says it is ready.
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.get_by_text("Assignment List").click()
    return page.locator("#released_assignments_list")


def test_a_student_submits_on_the_hub_and_reads_feedback_and_formgrader_grades_reach_the_report(hub, browser):
    course, url, state, timings, passwords = hub
    aid = "01_layer_math"
    course_cli(course, "release", "--exchange")

    # --- the student: fetch, answer one cell, save, validate, submit ---
    started = time.monotonic()
    page = log_in(browser, url, STUDENT, passwords[STUDENT])
    released = assignments_panel(page)
    timings["login to a ready Lab (first spawn)"] = time.monotonic() - started
    released.locator(".list_item", has_text=aid).get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list .list_item", has_text=aid).first
    fetched.locator("a.assignment-notebooks-link").click()
    page.screenshot(path=SHOTS / "1-fetched.png")
    fetched.get_by_role("link", name="layer_math").click()
    cell = page.locator(".jp-Notebook .jp-Cell", has_text="def relu(z):").first
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(ANSWER)  # typed keys would be auto-indented by the editor
    # Saved means the tab is no longer dirty. Under load Lab can mark it dirty again right after a
    # save (the kernel attaching changes the notebook's metadata): save again until it stays clean.
    dirty = page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
    for attempt in range(20):
        page.keyboard.press("Control+s")
        try:
            dirty.wait_for(state="detached", timeout=5_000)
            break
        except PlaywrightTimeout:
            assert attempt < 19, "the notebook never saved"
    page.screenshot(path=SHOTS / "2-answered.png")
    page.locator(".jp-NotebookPanel-toolbar").get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    page.screenshot(path=SHOTS / "3-validated.png")
    # The answered cell passes; the first unanswered one is what validation reports.
    assert "relu_grad" in dialog.inner_text() and "def relu(z)" not in dialog.inner_text()
    dialog.get_by_role("button").last.click()
    dialog.wait_for(state="detached")
    page.get_by_role("tab", name="Assignments").click()
    watch = subprocess.Popen([sys.executable, "-m", "autograder.cli", "--course-dir", str(course.root), "watch", aid,
                              "--exchange", "--interval", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    try:
        fetched.get_by_role("button", name="Submit").click()
        submitted_at = time.monotonic()
        submitted = page.locator("#submitted_assignments_list .list_item", has_text=aid).first
        submitted.wait_for()
        page.screenshot(path=SHOTS / "4-submitted.png")

        # --- `course watch` grades it and releases the feedback; the student fetches it ---
        view = submitted.get_by_text("(view feedback)")
        while not view.count():
            assert time.monotonic() - submitted_at < 120, "no feedback two minutes after submitting"
            submitted.get_by_role("button", name="Fetch Feedback").click()
            page.wait_for_timeout(1000)
        timings["submit to feedback in the browser (course watch --interval 1)"] = time.monotonic() - submitted_at
    finally:
        watch.send_signal(signal.SIGINT)
        out, _ = watch.communicate(timeout=60)
    assert f"graded {STUDENT}" in out, out
    timings["of which the grading unit (its record's seconds)"] = json.loads(course.record_path(STUDENT, aid).read_text())["seconds"]
    view.click()
    page.locator(".jp-DirListing-item", has_text="layer_math.html").dblclick()
    body = page.frame_locator(".jp-HTMLViewer iframe").locator("body")
    body.wait_for()
    page.screenshot(path=SHOTS / "5-feedback.png")
    shown = body.inner_text()
    assert "test_activations\t2 / 2\tpassed" in shown and "test_softmax\t2 / 2\tpassed" in shown
    assert "late: 6 points deducted" in shown  # two started days after the deadline, 10 % of 30 each
    source = nbformat.read(course.source_notebooks(aid)[0], as_version=4)
    hidden_lines = [line for cell in source.cells for line in cell.source.splitlines()
                    if "hidden_check" in line or "BEGIN HIDDEN" in line]
    assert hidden_lines and not any(line.strip() in shown for line in hidden_lines)
    page.context.close()

    # --- a second student: late, then an extension and a resubmission ---
    as_student(state, LATE_STUDENT, "fetch_assignment", aid)
    as_student(state, LATE_STUDENT, "submit", aid)
    course_cli(course, "watch", aid, "--exchange", "--once")
    assert grades(course, aid)[LATE_STUDENT]["late_penalty"] == "6"
    assert f"{LATE_STUDENT} (2 d)" in course_cli(course, "status", aid, check=False)
    course_cli(course, "extend", aid, LATE_STUDENT, "--days", "3")
    notebook = Path("/home") / LATE_STUDENT / aid / "layer_math.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    [answer] = [c for c in nb.cells if "def relu(z):" in c.source]
    answer.source = ANSWER
    nbformat.write(nb, notebook)
    time.sleep(1.1)  # nbgrader's submission times are its folder names: a second apart
    as_student(state, LATE_STUDENT, "submit", aid)
    out = course_cli(course, "watch", aid, "--exchange", "--once")
    assert f"graded {LATE_STUDENT}" in out and f"graded {STUDENT}" not in out, out  # only what changed
    row = grades(course, aid)[LATE_STUDENT]
    assert (row["score"], row["late_penalty"]) == ("4", "0"), row
    status = course_cli(course, "status", aid, check=False)
    assert f"{LATE_STUDENT} +3 days" in status and f"{LATE_STUDENT} (" not in status

    # --- the instructor grades 02's discussion in formgrader; the LMS CSV has it ---
    as_student(state, LATE_STUDENT, "fetch_assignment", "02_training_loop")
    as_student(state, LATE_STUDENT, "submit", "02_training_loop")
    course_cli(course, "collect", "02_training_loop", "--exchange")
    profiled = course_cli(course, "grade", "02_training_loop", "--profile")
    assert all(stage in profiled for stage in ("read and sanitize", "kernel start", "cells", "judging", "gradebook write"))
    page = log_in(browser, url, INSTRUCTOR, passwords[INSTRUCTOR])
    page.get_by_role("menuitem", name="Nbgrader").wait_for()
    page.goto(f"{url}/user/{INSTRUCTOR}/formgrader/submissions/{submitted_notebook_id(course)}/")
    score = page.locator("input#discussion.needs_manual_grade")
    score.wait_for()
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        score.fill("2")
        score.press("Tab")
    assert saved.value.ok
    page.screenshot(path=SHOTS / "6-formgrader.png")
    page.context.close()
    course_cli(course, "report", "02_training_loop")
    assert grades(course, "02_training_loop")[LATE_STUDENT]["score"] == "2"


# Run as student1 in a notebook on the hub: what each path gave (listing a folder, reading a file).
PROBE = """import json, os
found = {}
for what, path in json.loads(TARGETS).items():
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(1)
        found[what] = "read"
    except OSError as exc:
        found[what] = type(exc).__name__
try:
    import autograder
    found["the staff package"] = "imported"
except ImportError as exc:
    found["the staff package"] = type(exc).__name__
import shutil
found["the nbgrader command"] = shutil.which("nbgrader")
# The exchange service, asked with this server's own token: what ngshare answers.
import urllib.error, urllib.request
for what, (method, path) in json.loads(ASKS).items():
    request = urllib.request.Request(SERVICE + path, method=method, data=b"files=[]" if method == "POST" else None,
                                     headers={"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]})
    try:
        found[what] = urllib.request.urlopen(request, timeout=30).status
    except urllib.error.HTTPError as exc:
        found[what] = exc.code
print("PROBE", json.dumps(found))"""


def test_a_student_reaches_only_their_own_files_and_login(hub, browser):
    """From a notebook on the hub, student1 tries everything that is not theirs; each must fail.
    Reading their own notebook and listing their own submissions must work, so a probe that reads
    nothing cannot pass."""
    course, url, state, timings, passwords = hub
    aid = "01_layer_math"
    course_cli(course, "release", "--exchange")
    other = Path("/home") / LATE_STUDENT
    for user in (STUDENT, LATE_STUDENT):
        if not (Path("/home") / user / aid).exists():
            as_student(state, user, "fetch_assignment", aid)
    as_student(state, LATE_STUDENT, "submit", aid)
    course_cli(course, "watch", aid, "--exchange", "--once")  # student2's record, feedback page and release
    targets = {
        "student2's home": other, "student2's notebook": other / aid / "layer_math.ipynb",
        "student2's nbgrader cache": other / ".local" / "share" / "jupyter" / "nbgrader_cache",
        "the staff checkout's sources": REPO / "assignments" / aid / "layer_math.ipynb",
        "the staff checkout's solutions": REPO / "solutions" / aid / "layer_math.ipynb",
        "the course's sources": course.source_notebooks(aid)[0], "the gradebook": course.root / "gradebook.db",
        "student2's submission in the course": course.submission_dir(LATE_STUDENT, aid),
        "student2's feedback in the course": course.feedback_file(LATE_STUDENT, aid),
        "the hub's database": state / "hub" / "jupyterhub.sqlite",
        "the hub's cookie secret": state / "hub" / "jupyterhub_cookie_secret",
        "the users' passwords": state / "hub" / "passwords",
        "the exchange's database": state / "hub" / "ngshare" / "ngshare.db",
        "the exchange's stored files": state / "hub" / "ngshare" / "files",
        "the staff's exchange token": state / "hub" / "staff-token",
    }
    when = (course.submission_dir(LATE_STUDENT, aid) / "timestamp.txt").read_text().strip()
    asks = {  # what a student must not do on the service, and what they may
        "list everyone's submissions": ("GET", f"/submissions/adlm/{aid}"),
        "list student2's submissions": ("GET", f"/submissions/adlm/{aid}/{LATE_STUDENT}"),
        "download student2's submission": ("GET", f"/submission/adlm/{aid}/{LATE_STUDENT}"),
        "read student2's feedback": ("GET", f"/feedback/adlm/{aid}/{LATE_STUDENT}?timestamp={when.replace(' ', '%20')}"),
        "release an assignment": ("POST", "/assignment/adlm/planted"),
        "list the course's students": ("GET", "/students/adlm"),
        "list my own submissions": ("GET", f"/submissions/adlm/{aid}/{STUDENT}"),
    }
    missing = [what for what, path in targets.items() if not path.exists()]
    assert not missing, missing  # a probe of a path that is not there proves nothing
    for private in (other, Path("/home") / STUDENT, state / "hub"):
        assert private.stat().st_mode & 0o777 == 0o700, private
    for secret in ("jupyterhub.sqlite", "jupyterhub_cookie_secret", "passwords", "staff-token"):
        assert (state / "hub" / secret).stat().st_mode & 0o777 == 0o600, secret
    own = Path("/home") / STUDENT / aid / "layer_math.ipynb"
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"TARGETS = {json.dumps(json.dumps({**{w: str(p) for w, p in targets.items()}, 'my own notebook': str(own)}))}\n"
        f"ASKS = {json.dumps(json.dumps(asks))}\nSERVICE = {course.exchange_service.url!r}\n" + PROBE)])
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = Path("/home") / STUDENT / "probe.ipynb"
    nbformat.write(probe, notebook)
    shutil.chown(notebook, STUDENT, STUDENT)

    page = log_in(browser, url, STUDENT, passwords[STUDENT])
    page.get_by_role("menuitem", name="Nbgrader").wait_for()
    page.goto(f"{url}/user/{STUDENT}/lab/tree/probe.ipynb")
    # The probe's own cell: Lab may restore other notebooks beside it. Run again if the first Ctrl+Enter
    # came before the notebook took the keyboard (running it twice is harmless).
    cell = page.locator(".jp-CodeCell", has_text="TARGETS = ")
    output = cell.locator(".jp-OutputArea-output", has_text="PROBE {")
    for attempt in range(4):
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")
        try:
            output.wait_for(timeout=30_000)
            break
        except PlaywrightTimeout:
            assert attempt < 3, "the probe's cell never ran"
    page.screenshot(path=SHOTS / "7-probe.png")
    found = json.loads(output.inner_text().split("PROBE", 1)[1])
    page.context.close()
    assert found.pop("my own notebook") == "read"
    assert found.pop("the staff package") == "ModuleNotFoundError"
    assert found.pop("the nbgrader command") == f"{state}/env/bin/nbgrader"  # on students' PATH
    assert found.pop("list my own submissions") == 200
    assert found == {**{what: "PermissionError" for what in targets}, **{what: 403 for what in asks
                                                                         if what != "list my own submissions"}}, found
    assert not (state / "exchange").exists()  # no exchange folder ever existed: everything went through the service

    # Another student's password does not open their account.
    page = log_in(browser, url, LATE_STUDENT, passwords[STUDENT])
    page.locator("text=Invalid username or password").wait_for()
    assert page.url.startswith(f"{url}/hub/login")
    page.screenshot(path=SHOTS / "8-wrong-password.png")
    page.context.close()


def test_each_student_fetches_their_own_exam_paper_and_is_graded_against_its_key(hub, browser):
    """A roster exam through the service: each student's fetch gives their own paper (in a course
    on the service that only they take), again the same on a second fetch, and grading uses its key."""
    course, url, state, timings, passwords = hub
    exam = "practice_exam"
    roster = state / "roster.csv"
    roster.write_text(f"student_id\n{STUDENT}\n{LATE_STUDENT}\n")
    course_cli(course, "exam", "generate", exam, "--roster", str(roster), "--force")
    course_cli(course, "release", exam, "--exchange")
    keys = {s: json.loads(course.exam_paper_file(exam, "keys", s).read_text())["questions"] for s in (STUDENT, LATE_STUDENT)}
    # A whole-number question after the first whose two keys differ: student2 answers it with student1's key.
    differ = next(n for n, (a, b) in enumerate(zip(keys[STUDENT], keys[LATE_STUDENT]), start=1)
                  if n > 1 and a["kind"] == "integer" and a["value"] != b["value"])

    shown = {}
    for user in (STUDENT, LATE_STUDENT):
        page = log_in(browser, url, user, passwords[user])
        released = assignments_panel(page)
        page.locator("#course_list_dropdown:not([disabled])").click()
        offered = page.locator("#course_list a").all_inner_texts()
        assert f"adlm-{exam}-{user}" in offered and not any(
            o.startswith(f"adlm-{exam}-") and o != f"adlm-{exam}-{user}" for o in offered), offered
        page.locator("#course_list a", has_text=f"adlm-{exam}-{user}").click()
        released.locator(".list_item", has_text=exam).get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list .list_item", has_text=exam).first
        fetched.locator("a.assignment-notebooks-link").click()
        fetched.get_by_role("link", name=exam).click()
        question = page.locator(".jp-Notebook .jp-MarkdownCell", has_text="Question 1:").first
        question.wait_for()
        shown[user] = question.inner_text()
        page.screenshot(path=SHOTS / f"9-exam-paper-{user}.png")
        page.context.close()
    assert shown[STUDENT] != shown[LATE_STUDENT]  # two papers, not one notebook for everyone

    for user in (STUDENT, LATE_STUDENT):
        notebook = Path("/home") / user / exam / f"{exam}.ipynb"
        own = nbformat.read(course.exam_paper_file(exam, "notebooks", user, ".ipynb"), as_version=4)
        nb = nbformat.read(notebook, as_version=4)
        assert [c.source for c in nb.cells] == [c.source for c in own.cells]  # their own paper, as drawn
        if user == STUDENT:  # fetching again gives the same paper
            shutil.rmtree(notebook.parent)
            as_student(state, user, "fetch_assignment", exam, course_id=f"adlm-{exam}-{user}")
            assert [c.source for c in nbformat.read(notebook, as_version=4).cells] == [c.source for c in own.cells]
            nb = nbformat.read(notebook, as_version=4)
        answers = {1: keys[user][0]["value"], differ: keys[STUDENT][differ - 1]["value"]}
        for cell in nb.cells:
            for n, value in answers.items():
                if cell.source.startswith(f"answer_{n:02d} = None"):
                    cell.source = f"answer_{n:02d} = {value!r}"
        nbformat.write(nb, notebook)
        shutil.chown(notebook, user, user)
        as_student(state, user, "submit", exam, course_id=f"adlm-{exam}-{user}")
    out = course_cli(course, "collect", exam, "--exchange")
    assert "collected 2 new submissions" in out, out
    course_cli(course, "grade", exam)
    points = {user: {t["grade_id"]: t["points"] for t in json.loads(course.record_path(user, exam).read_text())["tests"]}
              for user in (STUDENT, LATE_STUDENT)}
    first, other = "question_01", f"question_{differ:02d}"
    assert points[STUDENT][first] > 0 and points[LATE_STUDENT][first] > 0, points  # each right by their own key
    assert points[STUDENT][other] > 0 and points[LATE_STUDENT][other] == 0, points  # student1's answer is not student2's


def test_while_the_service_hangs_staff_commands_say_so_and_the_watch_catches_up(hub):
    course, url, state, timings, passwords = hub
    aid = "01_layer_math"
    if not (Path("/home") / LATE_STUDENT / aid).exists():
        as_student(state, LATE_STUDENT, "fetch_assignment", aid)
    # This hub's service, by its database: tests on the other worker run ngshare_service.py too, and the
    # newest such process (what this looked for before) was once one of theirs.
    database = f"sqlite:///{state}/hub/ngshare/ngshare.db"
    [pid] = [p.pid for p in psutil.process_iter(["cmdline"]) if database in (p.info["cmdline"] or [])]
    config = course.root / "course_config.py"
    kept = config.read_text()
    config.write_text(kept + "\nc.ExchangeService.timeout = 2\n")  # the journey's other tests keep the default 10 s
    os.kill(pid, signal.SIGSTOP)  # hangs, as a service does whose database is locked or whose node is gone
    try:
        # (release and enroll meet a service that is down in tests/records/test_exchange_service.py)
        for args in (("collect", aid, "--exchange"),):
            said = " ".join(course_cli(course, *args, check=False).split())  # the console wraps long lines
            assert f"the exchange service {course.exchange_service.url} did not answer within 2 s" in said, said
            assert said.count("error:") == 1 and said.count("hint:") == 1 and "Traceback" not in said, said
        watch = subprocess.Popen([sys.executable, "-m", "autograder.cli", "--course-dir", str(course.root), "watch", aid,
                                  "--exchange", "--interval", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
        time.sleep(4)  # at least one pass meets the outage
    finally:
        os.kill(pid, signal.SIGCONT)
    record = course.record_path(LATE_STUDENT, aid)
    before = json.loads(record.read_text())["submitted_at"] if record.exists() else None
    try:
        as_student(state, LATE_STUDENT, "submit", aid)  # arrives while the watch waits out the outage
        started = time.monotonic()
        while not record.exists() or json.loads(record.read_text())["submitted_at"] == before:
            assert time.monotonic() - started < 90 and watch.poll() is None, "the watch did not catch up"
            time.sleep(1)
    finally:
        watch.send_signal(signal.SIGINT)
        out, _ = watch.communicate(timeout=60)
        config.write_text(kept)
    flat = " ".join(out.split())
    assert "did not answer within 2 s" in flat and "(trying again next pass)" in flat, out
    assert f"graded {LATE_STUDENT}" in out, out


def grades(course, assignment_id: str) -> dict[str, dict]:
    course_cli(course, "report", assignment_id)
    with open(course.reports_dir(assignment_id) / "grades.csv") as rows:
        return {row["student_id"]: row for row in csv.DictReader(rows)}


def submitted_notebook_id(course) -> str:
    from nbgrader.api import Gradebook

    with Gradebook(course.nbgrader.db_url) as gb:
        return gb.find_submission_notebook("training_loop", "02_training_loop", LATE_STUDENT).id
