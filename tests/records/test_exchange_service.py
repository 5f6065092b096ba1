"""The ngshare exchange without a hub. Its failures: a service that is not there, a token that cannot
be read, a roster exam on the folder exchange; each command says what it tried and what to check in
one line and a hint, and changes nothing. And a real ngshare, started as scripts/hub.sh starts it
(deploy/ngshare_service.py) behind a stand-in for the hub's API: where it listens, who it turns
away, what a student may submit, and a collect that one student's file cannot stop. (The whole
journey, and the service hanging, are tested on a real hub in tests/hub/test_hub_journey.py.)"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, course_main, make_course_copy


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def course_without_service(tmp_path):
    token = tmp_path / "staff-token"
    token.write_text("not-a-real-token\n")
    return make_course_copy(tmp_path, extra_config=(
        f'\nc.ExchangeService.url = "http://127.0.0.1:{closed_port()}/services/ngshare"\n'
        f'c.ExchangeService.token_file = "{token}"\n'))


@pytest.mark.parametrize("args, tried", [
    (("release", "01_layer_math", "--exchange"), "release 01_layer_math into the exchange"),
    (("collect", "01_layer_math", "--exchange"), "collect 01_layer_math from the exchange"),
    (("watch", "01_layer_math", "--exchange", "--once"), "collect 01_layer_math from the exchange"),
    (("enroll", "student1", "student2"), "enroll students on the exchange"),
])
def test_a_service_that_is_down_is_named_with_what_was_tried_and_nothing_changes(course_without_service, monkeypatch,
                                                                                  args, tried):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    course = course_without_service
    code, out = course_main(course, *args)
    out = " ".join(out.split())  # the console wraps long lines
    assert code != 0, out
    url = course.exchange_service.url
    assert f"could not {tried}: the exchange service {url} is not reachable (connection refused)" in out, out
    assert "scripts/hub.sh start" in out and "Traceback" not in out
    assert not course.submissions_root().exists()  # nothing collected, nothing half-written


def test_an_unreadable_staff_token_is_named_before_anything_is_asked(course_without_service, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    course = course_without_service
    (course.root.parent / "staff-token").unlink()
    code, out = course_main(course, "watch", "01_layer_math", "--exchange", "--once")
    out = " ".join(out.split())
    assert code != 0 and "the staff's token file" in out and "cannot be read" in out, out


def test_the_folder_exchange_refuses_to_hand_out_students_own_papers(tmp_path):
    course = make_course_copy(tmp_path, extra_config=f'\nc.Exchange.root = "{tmp_path}/exchange"\n')
    (tmp_path / "exchange").mkdir(mode=0o777)
    (tmp_path / "exchange").chmod(0o1777)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\nstudent1\nstudent2\n")
    assert course_main(course, "exam", "generate", "practice_exam", "--roster", str(roster))[0] == 0
    code, out = course_main(course, "release", "practice_exam", "--exchange")
    out = " ".join(out.split())
    assert code != 0 and "gives each student their own paper" in out and "HUB_EXCHANGE=ngshare" in out, out
    assert not (tmp_path / "exchange" / "adlm" / "outbound" / "practice_exam").exists()


# --- A real ngshare, started as scripts/hub.sh starts it, behind a stand-in for the hub's API ---

STAFF, STUDENTS = "course-staff", ("student1", "student2", "student3")
TOKENS = {f"{name}-token": name for name in (STAFF, *STUDENTS)}  # what the stand-in hub knows
AID = "01_layer_math"


class _HubAPI(http.server.BaseHTTPRequestHandler):
    """The one call ngshare makes to the hub: who holds this token (/hub/api/user)."""

    def do_GET(self):
        name = TOKENS.get(self.headers.get("Authorization", "").removeprefix("token "))
        body = json.dumps({"kind": "service" if name == STAFF else "user", "name": name}).encode()
        self.send_response(200 if name and self.path == "/hub/api/user" else 403)
        self.end_headers()
        self.wfile.write(body if name else b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def ngshare_env(tmp_path_factory):
    """ngshare's own environment, built from scripts/ngshare-constraints.txt as hub.sh builds it."""
    env = tmp_path_factory.mktemp("ngshare") / "env"
    uv = str(REPO / ".venv" / "bin" / "uv")
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(env)], check=True, timeout=120)
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(env / "bin" / "python"), "-r",
                    str(REPO / "scripts" / "ngshare-constraints.txt")], check=True, timeout=300)
    hub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HubAPI)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    yield env, f"http://127.0.0.1:{hub.server_address[1]}/hub/api"
    hub.shutdown()


@contextlib.contextmanager
def service(ngshare_env, data: Path, *, ours: bool = True):
    """ngshare on a free port with its database and files in `data`: through deploy/ngshare_service.py
    (with limits of 1 MB a file and 2 MB a submission), or, `ours=False`, ngshare's own command."""
    env, hub_api = ngshare_env
    data.mkdir(exist_ok=True)
    port = closed_port()
    launcher = [str(REPO / "deploy" / "ngshare_service.py"), "--max-file-mb", "1", "--max-submission-mb", "2"]
    process = subprocess.Popen(
        [str(env / "bin" / "python"), *(launcher if ours else ["-m", "ngshare"]), "--admins", STAFF,
         "--database", f"sqlite:///{data}/ngshare.db", "--storage", f"{data}/files/"],
        env={**os.environ, "JUPYTERHUB_API_URL": hub_api, "JUPYTERHUB_API_TOKEN": "service-token",
             "JUPYTERHUB_CLIENT_ID": "service-ngshare", "JUPYTERHUB_SERVICE_PREFIX": "/services/ngshare/",
             "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/services/ngshare"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read()
            try:
                requests.get(url + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "ngshare did not start"
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def ask(url: str, method: str, path: str, who: str | None = STAFF, **data) -> requests.Response:
    headers = {"Authorization": f"token {who}-token"} if who else {}
    return requests.request(method, url + path, data=data or None, headers=headers, timeout=30)


def set_up_course(url: str, students=STUDENTS) -> None:
    """The course adlm with 01 released and `students` taking it, as `course enroll` and `course release` leave it."""
    roster = [{"username": s, "first_name": s, "last_name": "", "email": ""} for s in students]
    for method, path, data in (("POST", "/course/adlm", {}), ("POST", "/students/adlm", {"students": json.dumps(roster)}),
                               ("POST", f"/assignment/adlm/{AID}", {"files": files_json({"layer_math.ipynb": b"{}"})})):
        assert ask(url, method, path, **data).json()["success"], path


def files_json(files: dict[str, bytes]) -> str:
    return json.dumps([{"path": path, "content": base64.b64encode(content).decode()} for path, content in files.items()])


def test_the_service_listens_only_where_the_hub_reaches_it_and_turns_away_unknown_callers(ngshare_env, tmp_path):
    with service(ngshare_env, tmp_path) as url:
        set_up_course(url)
        port = int(url.split(":")[2].split("/")[0])
        with socket.socket() as probe:  # another address of this machine: ngshare's own command listens there
            assert probe.connect_ex(("127.0.0.2", port)) != 0
        asks = [("GET", "/courses"), ("GET", f"/submissions/adlm/{AID}/student1"), ("POST", f"/submission/adlm/{AID}")]
        for method, path in asks:
            for who, code, says in ((None, 401, "No token"), ("forged", 403, "does not know this token")):
                reply = ask(url, method, path, who=who, files="[]")
                assert reply.status_code == code and says in reply.json()["message"], (method, path, who, reply.text)
        assert ask(url, "GET", "/courses", who="student1").json()["courses"] == ["adlm"]  # a known token still works


def student_submits(url: str, home: Path, files: dict[str, bytes], monkeypatch) -> str:
    """The Assignments panel's submit, as a student's server runs it with deploy/student_nbgrader_config.py:
    '' when the service kept the submission, else the error the panel shows."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError, ExchangeFactory
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.setenv("USER", "student1")  # ngshare_exchange names the submitter from it on import
    monkeypatch.setenv("ADLM_NGSHARE_URL", url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "student1-token")
    config = PyFileConfigLoader("student_nbgrader_config.py", path=str(REPO / "deploy")).load_config()
    config.Exchange.assignment_dir = str(home)
    config.Exchange.cache = str(home / "cache")
    config.CourseDirectory.update(course_id="adlm", assignment_id=AID)
    shutil.rmtree(home / AID, ignore_errors=True)
    for path, content in files.items():
        (home / AID / path).parent.mkdir(parents=True, exist_ok=True)
        (home / AID / path).write_bytes(content)
    submit = ExchangeFactory(config=config).Submit(coursedir=CourseDirectory(config=config),
                                                   authenticator=Authenticator(config=config), config=config)
    try:
        submit.start()
    except ExchangeError as exc:
        return " ".join(str(exc).split())
    return ""


def test_a_submission_over_the_limits_or_with_a_name_no_disk_stores_is_refused_and_the_panel_says_why(
        ngshare_env, tmp_path, monkeypatch):
    notebook = {"layer_math.ipynb": b"{}"}
    with service(ngshare_env, tmp_path) as url:
        set_up_course(url)
        refused = {
            "a file over 1 MB": ({**notebook, "scan.npy": os.urandom(1_200_000)},
                                 "scan.npy is 1.1 MB, over the course's limit of 1 MB a file"),
            "files over 2 MB together": ({**notebook, **{f"part{i}.npy": os.urandom(900_000) for i in range(3)}},
                                        "its files come to 2.6 MB, over the course's limit of 2 MB a submission"),
            # tornado refuses a body this large before reading it: the panel still says what to do
            "a body over the service's cap": ({**notebook, "big.npy": os.urandom(6_000_000)}, "HTTP 400"),
        }
        for what, (files, says) in refused.items():
            said = student_submits(url, tmp_path / "home", files, monkeypatch)
            assert said.startswith("The exchange did not keep your submission") and says in said, (what, said)
            assert "submit again" in said, (what, said)
        # No disk of a student's stores such a name: it comes by hand, with their token, and is told why.
        for name, says in (("x" * 296 + ".txt", "a file name of 300 characters"), ("a\x00b", "control character")):
            reply = ask(url, "POST", f"/submission/adlm/{AID}", who="student1", files=files_json({name: b"hi"}))
            assert reply.status_code == 400 and says in reply.json()["message"], reply.text
        for malformed in ('{"not": "a list"}', '[{"path": "a.txt", "content": 7}]', "[3]"):  # ngshare's own unpack: 500
            reply = ask(url, "POST", f"/submission/adlm/{AID}", who="student1", files=malformed)
            assert reply.status_code == 400 and "not a list of" in reply.json()["message"], reply.text
        assert ask(url, "GET", f"/submissions/adlm/{AID}/student1").json()["submissions"] == []  # nothing kept
        assert student_submits(url, tmp_path / "home", {**notebook, "data/small.npy": b"1" * 1000}, monkeypatch) == ""
        assert len(ask(url, "GET", f"/submissions/adlm/{AID}/student1").json()["submissions"]) == 1


def test_a_file_the_staffs_disk_cannot_store_is_refused_for_that_student_and_the_others_are_collected(
        ngshare_env, tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    notebook = (REPO / "release" / AID / "layer_math.ipynb").read_bytes()
    token = tmp_path / "staff-token"
    token.write_text(f"{STAFF}-token\n")

    def submits(url, student, files):
        reply = ask(url, "POST", f"/submission/adlm/{AID}", who=student, files=files_json(files))
        assert reply.json()["success"], reply.text

    data = tmp_path / "ngshare"
    with service(ngshare_env, data, ours=False) as url:  # what a service kept before it refused such names
        set_up_course(url)
        submits(url, "student1", {"layer_math.ipynb": notebook, "n" * 296 + ".txt": b"hi"})
        submits(url, "student2", {"layer_math.ipynb": notebook})
    with service(ngshare_env, data) as url:
        submits(url, "student3", {"layer_math.ipynb": notebook, "data": b"1", "data/x.csv": b"2"})  # a file and a folder
        course = make_course_copy(tmp_path, extra_config=f'\nc.ExchangeService.url = "{url}"\n'
                                                         f'c.ExchangeService.token_file = "{token}"\n')
        code, out = course_main(course, "collect", AID, "--exchange")
        out = " ".join(out.split())
        assert code == 0 and "collected 1 new submissions" in out, out
        assert "refused student1: a file name of 300 characters cannot be stored; ask them to submit again" in out, out
        assert "refused student3: 'data/x.csv' cannot be stored (File exists)" in out, out
        assert (course.submission_dir("student2", AID) / "layer_math.ipynb").read_bytes() == notebook
        assert not course.submission_dir("student1", AID).exists() and not course.submission_dir("student3", AID).exists()
        code, out = course_main(course, "collect", AID, "--exchange")  # reported once; nothing fetched again
        assert code == 0 and "refused" not in out and "(1 unchanged)" in " ".join(out.split()), out
        submits(url, "student1", {"layer_math.ipynb": notebook})  # they submit again
        code, out = course_main(course, "collect", AID, "--exchange")
        assert code == 0 and "collected 1 new submissions" in " ".join(out.split()), out
        assert (course.submission_dir("student1", AID) / "layer_math.ipynb").read_bytes() == notebook
        submits(url, "student2", {"layer_math.ipynb": notebook})
        max((data / "files").iterdir(), key=lambda f: f.stat().st_mtime).unlink()  # the service lost its file
        code, out = course_main(course, "collect", AID, "--exchange")
        out = " ".join(out.split())
        assert code != 0 and "could not collect 01_layer_math from the exchange: the exchange service answered: " \
                             "HTTP 500" in out and "Traceback" not in out, out  # what it said, not "no reason given"
