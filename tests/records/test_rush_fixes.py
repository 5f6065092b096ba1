"""What a deadline rush (issue 39) must not do to the exchange's collect and `course watch`: a collect
killed at any step of replacing a student's submission leaves the earlier one or the new one whole,
and the next collect ends with the new one; and a watch's pass that finds nothing new asks the
ngshare service as often for 50 students as for 5, for an assignment and for a roster exam (each
student's paper in a course of its own on the service). Both exchanges are the real ones: nbgrader's
folder with its own `submit`, and ngshare started as scripts/hub.sh starts it."""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import json
import os
import shutil
import threading
from pathlib import Path

import nbformat
import pytest
import requests

from autograder.course.coursedir import Course
from autograder.course.errors import CourseError
from autograder.intake import exchange as nbgrader_exchange
from autograder.intake.submission_files import submitted_students
from autograder.verbs.watch import one_pass
from tests.conftest import NO_PDFS, PRACTICE_EXAM, course_main, make_course_copy
from tests.records.test_exchange import submit
from tests.records.test_exchange_service import ngshare_env  # noqa: F401 (a fixture)
from tests.records.test_exchange_service import AID, STAFF, STUDENTS, TOKENS, ask, files_json, service, set_up_course

NOTEBOOK = "layer_math.ipynb"

pytestmark = pytest.mark.xdist_group("rush-fixes")  # the roster exam is generated once, on one worker


# --- a collect killed while it replaces a submission ---------------------------------------------

@contextlib.contextmanager
def killed_at(step: int, inside: Path):
    """Collect dies at its `step`-th change under `inside` (a rename, a removal, a folder made, a file
    opened to be written): what it wrote before stays, nothing after it runs, as after a SIGKILL
    (KeyboardInterrupt: no handler of collect's takes it for an error to clean up after, and
    `succeeded` raises it again from nbgrader's captured log). Yields the steps taken: `step` of
    them when it fired."""
    taken = []

    def dying(real, writes=lambda args, kwargs: True):
        def change(path, *args, **kwargs):
            if (isinstance(path, (str, os.PathLike)) and Path(path).is_relative_to(inside)
                    and writes(args, kwargs)):
                taken.append(f"{real.__name__} {Path(path).relative_to(inside)}")
                if len(taken) == step:
                    raise KeyboardInterrupt
            return real(path, *args, **kwargs)
        return change

    def opened_to_write(args, kwargs):
        return any(c in (args[0] if args else kwargs.get("mode", "r")) for c in "wxa+")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "rename", dying(os.rename))
        patch.setattr(os, "mkdir", dying(os.mkdir))
        patch.setattr(shutil, "rmtree", dying(shutil.rmtree))
        patch.setattr(builtins, "open", dying(builtins.open, opened_to_write))
        patch.setattr(io, "open", dying(io.open, opened_to_write))  # pathlib's write_bytes
        yield taken


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def kill_collect_at_every_step(course: Course, sid: str, collect) -> int:
    """`collect()` takes `sid` from their old submission (on disk now) to their new one (in the
    exchange); it is killed at each of its steps in turn, from the old one on disk each time, and run
    again. Returns how many steps it has."""
    dest, own = course.submission_dir(sid, AID), course.submissions_root() / sid
    old, saved = files(dest), course.root.parent / "saved"
    shutil.copytree(own, saved)
    collect()
    new = files(dest)
    assert new != old
    for step in range(1, 50):
        shutil.rmtree(own)
        shutil.copytree(saved, own)
        with killed_at(step, own) as taken:
            try:
                collect()
            except KeyboardInterrupt:
                pass
        if len(taken) < step:  # it ran to the end without reaching this step
            assert files(dest) == new
            return step - 1
        # Where a collect killed there left it: the old one in place or renamed aside, or the new one.
        kept = dest if dest.exists() else dest.with_name(f".{AID}.replaced")
        assert files(kept) in (old, new), (step, taken)
        collect()
        assert files(dest) == new, (step, taken)
        assert sorted(p.name for p in own.iterdir()) == [AID], (step, taken)  # nothing left beside it
        assert submitted_students(course, AID) == [sid]
    raise AssertionError("collect never ran to its end")


def test_a_folder_exchange_collect_killed_at_any_step_leaves_a_whole_submission(tmp_path):
    course = make_course_copy(tmp_path)
    (tmp_path / "exchange").mkdir()
    (tmp_path / "exchange").chmod(0o1777)
    assert course_main(course, "release", AID, "--exchange")[0] == 0

    def collect():
        nbgrader_exchange.collect_exchange(course=course, assignment_id=AID)

    submit(course, AID, {NOTEBOOK: "the old one"})
    collect()
    submit(course, AID, {NOTEBOOK: "the new one", "notes.txt": "a second file"})
    assert kill_collect_at_every_step(course, "root", collect) >= 6


@pytest.fixture
def staff_token(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    token = tmp_path / "staff-token"
    token.write_text(f"{STAFF}-token\n")
    return token


def service_course(tmp_path, url: str, token: Path, like: Path | None = None) -> Course:
    """The course on the service at `url`; `like`: a copy of that course folder, else of the repository's."""
    config = f'\nc.ExchangeService.url = "{url}"\nc.ExchangeService.token_file = "{token}"\n'
    if like is None:
        return make_course_copy(tmp_path, extra_config=config)
    root = shutil.copytree(like, tmp_path / "course")
    with open(root / "course_config.py", "a") as course_config:
        course_config.write(config)
    return Course.load(root)


def test_an_ngshare_collect_killed_at_any_step_leaves_a_whole_submission(ngshare_env, tmp_path, staff_token):
    with service(ngshare_env, tmp_path / "ngshare") as url:
        set_up_course(url)
        course = service_course(tmp_path, url, staff_token)

        def collect():
            nbgrader_exchange.collect_exchange(course=course, assignment_id=AID)

        def submits(files):
            reply = ask(url, "POST", f"/submission/adlm/{AID}", who="student1", files=files_json(files))
            assert reply.json()["success"], reply.text

        submits({NOTEBOOK: b"the old one"})
        collect()
        submits({NOTEBOOK: b"the new one", "data/notes.txt": b"a file in a folder"})
        assert kill_collect_at_every_step(course, "student1", collect) >= 6


def test_a_collect_started_while_another_replaces_a_submission_waits_for_it(ngshare_env, tmp_path, staff_token):
    """`course watch` and a TA's `course collect --exchange` at once: the second waits for the first,
    rather than take the earlier submission it renamed aside for a killed collect's leftover."""
    with service(ngshare_env, tmp_path / "ngshare") as url:
        set_up_course(url)
        course = service_course(tmp_path, url, staff_token)

        def submits(text):
            reply = ask(url, "POST", f"/submission/adlm/{AID}", who="student1", files=files_json({NOTEBOOK: text}))
            assert reply.json()["success"], reply.text

        submits(b"the old one")
        nbgrader_exchange.collect_exchange(course=course, assignment_id=AID)
        submits(b"the new one")
        real, second, done = os.rename, [], []

        def collect_now():
            done.append(nbgrader_exchange.collect_exchange(course=course, assignment_id=AID))

        def rename(src, dst, *args, **kwargs):
            real(src, dst, *args, **kwargs)
            if Path(dst).name == f".{AID}.replaced" and not second:  # the earlier one is aside: another starts
                second.append(threading.Thread(target=collect_now))
                second[0].start()
                second[0].join(timeout=2)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(os, "rename", rename)
            first = nbgrader_exchange.collect_exchange(course=course, assignment_id=AID)
            second[0].join(timeout=30)
        assert first.placed == ["student1"] and not first.refused and done and not done[0].placed + done[0].refused
        assert files(course.submission_dir("student1", AID))[NOTEBOOK] == b"the new one"
        assert sorted(p.name for p in (course.submissions_root() / "student1").iterdir()) == [AID]


def test_a_disk_too_full_for_a_submission_fails_the_collect_and_refuses_nobody(ngshare_env, tmp_path, staff_token):
    """A refusal stands until the student submits again: one for a full disk would lose the submission."""
    with service(ngshare_env, tmp_path / "ngshare") as url:
        set_up_course(url)
        course = service_course(tmp_path, url, staff_token)
        notebook = (Path(course.release_dir(AID)) / NOTEBOOK).read_bytes()
        reply = ask(url, "POST", f"/submission/adlm/{AID}", who="student1", files=files_json({NOTEBOOK: notebook}))
        assert reply.json()["success"], reply.text
        staging = course.submission_dir("student1", AID).with_name(f".{AID}.collecting")
        real = io.open

        def full(path, mode="r", *args, **kwargs):  # room for a line beside the submission, not for its files
            if isinstance(path, (str, os.PathLike)) and Path(path).is_relative_to(staging) and "w" in mode:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            return real(path, mode, *args, **kwargs)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(io, "open", full)
            code, out = course_main(course, "collect", AID, "--exchange")
        out = " ".join(out.split())
        assert code != 0 and "student1's submission of 01_layer_math could not be stored (No space left on device); it " \
                             "is collected once the course's disk is fixed" in out, out
        assert "Traceback" not in out and "refused" not in out, out
        code, out = course_main(course, "collect", AID, "--exchange")  # the disk has room again
        assert code == 0 and "collected 1 new submissions" in " ".join(out.split()), out
        assert (course.submission_dir("student1", AID) / NOTEBOOK).read_bytes() == notebook


# --- how often an idle pass asks the service ------------------------------------------------------

@contextlib.contextmanager
def requests_to(url: str):
    """Counts the HTTP requests this process sends to `url`: ours (ngshare.py) and ngshare-exchange's
    classes both go through requests."""
    sent = []
    real = requests.Session.send

    def send(session, request, **kwargs):
        if request.url.startswith(url):
            sent.append(f"{request.method} {request.url[len(url):]}")
        return real(session, request, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(requests.Session, "send", send)
        yield sent


def enroll(url: str, course_id: str, students: list[str]) -> None:
    roster = [{"username": s, "first_name": s, "last_name": "", "email": ""} for s in students]
    assert ask(url, "POST", f"/students/{course_id}", students=json.dumps(roster)).json()["success"]


def idle_pass(course: Course, assignment_id: str, url: str) -> list[str]:
    with requests_to(url) as sent:
        one_pass(course=course, assignment_id=assignment_id, exchange=nbgrader_exchange.exchange_for(course))
    return sent


def test_an_idle_watch_pass_asks_as_often_for_50_students_as_for_5(ngshare_env, tmp_path, staff_token):
    students = [f"student{i}" for i in range(1, 51)]
    with service(ngshare_env, tmp_path / "ngshare") as url:
        set_up_course(url, students=students[:5])
        course = service_course(tmp_path, url, staff_token)
        five = idle_pass(course, AID, url)
        enroll(url, "adlm", students[5:])
        assert idle_pass(course, AID, url) == five
        assert len(five) <= 3, five


@pytest.fixture(scope="module")
def exam_course(tmp_path_factory) -> Path:
    """A course with practice_exam generated for a roster of 5 (the papers of students 6 to 50 are
    added as copies of student1's: to the exchange only their number matters, and generating 50 takes 10 s)."""
    folder = tmp_path_factory.mktemp("exam")
    course = make_course_copy(folder, extra_config=NO_PDFS)
    roster = folder / "roster.csv"
    roster.write_text("student_id\n" + "".join(f"student{i}\n" for i in range(1, 6)))
    assert course_main(course, "exam", "generate", PRACTICE_EXAM, "--roster", str(roster))[0] == 0
    return course.root


def add_papers(course: Course, url: str, students: list[str]) -> None:
    """Each student's own paper, in a course of its own on the service, as `course release --exchange` leaves them."""
    manifest_file = course.exam_dir(PRACTICE_EXAM) / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    for sid in students:
        notebook = course.exam_paper_file(PRACTICE_EXAM, "notebooks", sid, ".ipynb")
        if sid not in manifest["papers"]:
            manifest["papers"][sid] = manifest["papers"]["student1"]
            shutil.copyfile(course.exam_paper_file(PRACTICE_EXAM, "notebooks", "student1", ".ipynb"), notebook)
        paper = f"adlm-{PRACTICE_EXAM}-{sid}"
        assert ask(url, "POST", f"/course/{paper}").json()["success"]
        enroll(url, paper, [sid])
        release = files_json({"practice_exam.ipynb": notebook.read_bytes()})
        assert ask(url, "POST", f"/assignment/{paper}/{PRACTICE_EXAM}", files=release).json()["success"]
    manifest_file.write_text(json.dumps(manifest))


@pytest.mark.parametrize("ours", [True, False], ids=["deploy/ngshare_service.py", "ngshare's own command"])
def test_an_idle_watch_pass_on_a_roster_exam_asks_once_for_all_papers(ngshare_env, tmp_path, staff_token, exam_course,
                                                                     monkeypatch, ours):
    students = [f"student{i}" for i in range(1, 50)] + ["zoë+50@x"]  # an id as a login may give it
    with service(ngshare_env, tmp_path / "ngshare", ours=ours) as url:
        assert ask(url, "POST", "/course/adlm").json()["success"]
        course = service_course(tmp_path, url, staff_token, like=exam_course)
        add_papers(course, url, students[:5])
        five = idle_pass(course, PRACTICE_EXAM, url)
        add_papers(course, url, students[5:])
        fifty = idle_pass(course, PRACTICE_EXAM, url)
        if ours:
            assert len(fifty) == len(five) == 2, fifty  # the check, and the newest of every paper at once
        else:  # ngshare lists one course at a time: one request a paper, and no more
            assert len(fifty) - len(five) == 45 and len(five) == 1 + 1 + 5, five  # the check, the request it lacks

        # Two students submit: the pass after collecting them asks no more than before.
        for sid in ("student3", "student42"):
            monkeypatch.setitem(TOKENS, f"{sid}-token", sid)
            paper = f"adlm-{PRACTICE_EXAM}-{sid}"
            reply = ask(url, "POST", f"/submission/{paper}/{PRACTICE_EXAM}", who=sid,
                        files=files_json({"practice_exam.ipynb": b"{}"}))
            assert reply.json()["success"], reply.text
        with requests_to(url) as sent:
            taken = nbgrader_exchange.collect_exchange(course=course, assignment_id=PRACTICE_EXAM)
        assert sorted(taken.placed) == ["student3", "student42"]
        # each new one: nbgrader's API lists the course's releases (/assignments, /assignment), then
        # its collect lists the course's submissions and downloads the newest
        assert len(sent) == len(fifty) + 2 * 4, sent
        with requests_to(url) as sent:
            assert not nbgrader_exchange.collect_exchange(course=course, assignment_id=PRACTICE_EXAM).placed
        assert len(sent) == len(fifty), sent


# --- releasing again: a hub restart publishes every assignment once more ---------------------------

def test_releasing_again_never_deletes_what_students_submitted(ngshare_env, tmp_path, staff_token):
    """ngshare-exchange's forced release deletes the assignment first, and ngshare its submissions with it
    (the rush's hub restart lost 43): a release the service holds as it is stays untouched, a changed one
    is refused while students have submitted it, and replaced while nobody has."""
    with service(ngshare_env, tmp_path / "ngshare") as url:
        set_up_course(url)
        course = service_course(tmp_path, url, staff_token)
        assert ask(url, "DELETE", f"/assignment/adlm/{AID}").json()["success"]  # set_up_course's stand-in release
        nbgrader_exchange.release_assignments(course=course, assignment_ids=[AID])
        reply = ask(url, "POST", f"/submission/adlm/{AID}", who="student1", files=files_json({NOTEBOOK: b"answers"}))
        assert reply.json()["success"], reply.text

        nbgrader_exchange.release_assignments(course=course, assignment_ids=[AID])  # as `course hub publish` does
        assert len(ask(url, "GET", f"/submissions/adlm/{AID}").json()["submissions"]) == 1

        source = course.source_notebooks(AID)[0]  # an instructor's fix after students submitted
        fixed = nbformat.read(source, as_version=4)
        fixed.cells.append(nbformat.v4.new_markdown_cell("A hint, added after the release."))
        nbformat.write(fixed, source)
        with pytest.raises(CourseError) as refused:
            nbgrader_exchange.release_assignments(course=course, assignment_ids=[AID])
        assert refused.value.message == (f"release/{AID} differs from what the exchange holds in adlm, and releasing "
                                         "it again would delete the 1 submissions students made of it there")
        assert len(ask(url, "GET", f"/submissions/adlm/{AID}").json()["submissions"]) == 1

        ask(url, "DELETE", f"/assignment/adlm/{AID}")  # nobody has submitted: a change goes out
        nbgrader_exchange.release_assignments(course=course, assignment_ids=[AID])
        nbgrader_exchange.release_assignments(course=course, assignment_ids=[AID])
        held = ask(url, "GET", f"/assignment/adlm/{AID}", list_only="true").json()["files"]
        assert {f["path"] for f in held} >= {NOTEBOOK}


def test_a_roster_is_enrolled_in_parts_and_every_student_is_on_the_service(ngshare_env, tmp_path, staff_token):
    """300 students in one request outlasted the staff's 10 s timeout (ngshare checks each against the
    whole course): they go c.ExchangeService.enroll_batch at a time."""
    with service(ngshare_env, tmp_path / "ngshare") as url:
        set_up_course(url)
        course = service_course(tmp_path, url, staff_token)
        course.exchange_service.enroll_batch = 2
        roster = [f"learner{n}" for n in range(5)]
        with requests_to(url) as sent:
            nbgrader_exchange.enroll(course=course, students=roster)
        assert sum(1 for request in sent if "/students/adlm" in request) == 3
        on_service = ask(url, "GET", "/students/adlm").json()["students"]
        assert sorted(entry["username"] for entry in on_service) == sorted([*STUDENTS, *roster])
