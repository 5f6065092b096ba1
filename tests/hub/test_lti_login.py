"""LTI 1.3 launches from the test LMS (tests/lms/platform.py, on lti1p3platform) into the course's hub
(scripts/hub.sh with HUB_AUTH=lti13, ltiauthenticator's LTI13Authenticator under autograder/hub/lti_login.py),
walked without a browser: the platform's course page, its link, the hub's OIDC login, the platform's
auto-submitting form, the hub's launch. One hub for the module; user names come from the email claim.

Until the course's LMS course is named (c.LMS.context_id) every launch is refused, and a staff member's
page names the line to add. A student lands in a server of their own, run as their own Unix user, and the
launch record keeps the course's NRPS and AGS URLs and the link's line item; an instructor's launch is staff
(formgrader grades the course), a student's is not, and one who lost the staff role gets a new server
without the course's group. Launches that are forged (the platform's own launch re-signed by another key,
or with its audience, issuer, expiry, deployment or course changed and signed with the platform's key),
replayed (a copy with its cookies too), or whose name belongs to someone else are refused with a page
that says why, and log nobody in; a link planted for the launch record is not followed.
"""

from __future__ import annotations

import grp
import html
import json
import os
import pwd
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import jwt
import nbformat
import psutil
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from autograder.cli import main
from autograder.course.lms_launches import AGS_CLAIM, CONTEXT_CLAIM
from autograder.course.errors import CourseError
from autograder.hub import steps
from autograder.hub.settings import HubSettings
from tests.conftest import REPO
from tests.hub.hub_fixture import COURSE_ID, context_line, launch_form, lti_hub, open_server, post_launch, restart
from tests.hub.test_hub_journey import assignments_panel, browser, course_cli, grades  # noqa: F401 (browser: a fixture)
from tests.lms.platform import LINKS

# Every test here but the settings' meets the hub, one at a time (its LMS users are Unix users of the machine).
pytestmark = pytest.mark.xdist_group("hub")
slow = pytest.mark.slow
STUDENT = {"user_id": "u-1001", "name": "Student One", "email": "student1@example.edu", "roles": ["Learner"]}
TEACHER = {"user_id": "u-9001", "name": "Ina Instructor", "email": "ina@example.edu", "roles": ["Instructor"]}
# LMS users whose email gives a name that is not theirs to have, or none.
POSING = {
    "instructor": {"user_id": "u-6001", "name": "Not the Instructor", "email": "instructor@elsewhere.example",
                   "roles": ["Learner"]},
    "root": {"user_id": "u-6002", "name": "Not Root", "email": "root@elsewhere.example", "roles": ["Learner"]},
    "student1": {"user_id": "u-6003", "name": "Another Student One", "email": "student1@elsewhere.example",
                 "roles": ["Learner"]},
    "no email": {"user_id": "u-6004", "name": "No Email", "roles": ["Learner"]},
    "no login name": {"user_id": "u-6005", "name": "Bad Name", "email": "1st.place@example.edu", "roles": ["Learner"]},
}
AGAIN = "Open the assignment again from your course in the LMS."
LOGIN_COOKIE = "jupyterhub-hub-login"
SHOTS = REPO / "test-output" / "lti-journey"


@pytest.mark.parametrize("environ, said", [
    ({"HUB_AUTH": "oauth"}, "HUB_AUTH is oauth"),
    ({"HUB_AUTH": "lti13", "HUB_STUDENTS": "student1"}, "HUB_AUTH=lti13 lets in whoever the LMS launches; HUB_STUDENTS"),
    ({"HUB_AUTH": "lti13", "HUB_DEMO_LOGIN": "1"}, "HUB_AUTH=lti13 lets in whoever the LMS launches; HUB_DEMO_LOGIN"),
])
def test_lti_settings_that_cannot_work_together_are_refused_in_one_line(environ, said):
    with pytest.raises(CourseError) as refused:
        HubSettings.from_environ(environ)
    assert refused.value.message.startswith(said) and refused.value.hint


def test_an_lti_hub_for_a_course_without_its_lms_is_refused_naming_what_to_set(tmp_path, monkeypatch, capsys):
    for name in ("HUB_PASSWORD", "HUB_AUTH_CONFIG", "HUB_DEMO_LOGIN", "HUB_STUDENTS", "HUB_EXCHANGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUB_STATE", str(tmp_path))
    monkeypatch.setenv("HUB_AUTH", "lti13")
    monkeypatch.setattr(steps.os, "geteuid", lambda: 0)  # refused before anything needs root
    assert main(["--course-dir", str(REPO), "hub", "check"]) == 2
    said = " ".join(capsys.readouterr().out.split())
    assert (f"error: HUB_AUTH=lti13 needs c.LMS.issuer, c.LMS.client_id, c.LMS.authorize_url, c.LMS.jwks_url in "
            f"{REPO}/course_config.py") in said and "hint: copy them from the tool's registration" in said


@pytest.fixture(scope="module")
def new_hub():
    """The hub as its admin first starts it: the LMS course not named yet (c.LMS.context_id unset)."""
    # 01 is due half a day ago: a submission now is one started day late (10 % of its 30 points).
    deadline = (datetime.now(timezone.utc) - timedelta(hours=12)).isoformat(timespec="seconds")
    with lti_hub(members=[STUDENT, TEACHER, *POSING.values()], links=LINKS, context_id=None,
                 extra_config=f'c.Course.assignments["01_layer_math"]["deadline"] = "{deadline}"\n') as started:
        yield started


@pytest.fixture(scope="module")
def hub(new_hub):
    """The hub once the course is named, as the staff's set-up launch says: c.LMS.context_id added to
    course_config.py, the hub started again."""
    config = new_hub.course.root / "course_config.py"
    config.write_text(config.read_text() + context_line(COURSE_ID))
    restart(new_hub)
    return new_hub


def page_says(answer) -> str:
    """The words of the hub's page, as a reader sees them."""
    return " ".join(html.unescape(answer.text).split())


def forged(hub, fields: dict, key=None, **claims) -> dict:
    """The launch form's fields with its id_token changed: `claims` replaced, signed with `key` (by default
    the platform's own, which its keyset vouches for) under the platform's key id."""
    token = fields["id_token"]
    signed = jwt.decode(token, options={"verify_signature": False})
    key = key or (hub.platform_state / "platform_key.pem").read_text()
    return {**fields, "id_token": jwt.encode({**signed, **claims}, key, algorithm="RS256",
                                             headers={"kid": jwt.get_unverified_header(token)["kid"]})}


def servers_of(user: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["username", "cmdline"])
            if p.info["username"] == user and "jupyterhub.singleuser" in (p.info["cmdline"] or [])]


def groups_of(process: psutil.Process) -> set[int]:
    """The groups a running process holds (psutil names only its real, effective and saved group)."""
    status = Path(f"/proc/{process.pid}/status").read_text()
    return {int(gid) for gid in next(line for line in status.splitlines() if line.startswith("Groups:")).split()[1:]}


@slow
def test_until_the_lms_course_is_named_every_launch_is_refused_and_its_staff_are_told_the_line_to_add(new_hub):
    # Before any test of the named course (the hub fixture), which names it.
    assert context_line(COURSE_ID) not in (new_hub.course.root / "course_config.py").read_text()
    assert "c.LMS.context_id is unset: every launch is refused" in " ".join(new_hub.said_at_start.split())
    accounts = {u.pw_name for u in pwd.getpwall()}
    student = post_launch(*launch_form(new_hub, STUDENT["user_id"]))
    assert student.status_code == 403 and "This course is not set up on the hub yet." in page_says(student)
    session, action, fields = launch_form(new_hub, TEACHER["user_id"])
    teacher = post_launch(session, action, fields)
    assert teacher.status_code == 403, page_says(teacher)
    assert ("This hub is not set up for an LMS course yet: this launch comes from the course 'Applied Deep Learning "
            "in Medicine', whose context id is 'adlm'. To make it this hub's course, add the line "
            f'c.LMS.context_id = "adlm" to {new_hub.course.root / "course_config.py"} and start the hub again'
            ) in page_says(teacher)
    assert LOGIN_COOKIE not in session.cookies and {u.pw_name for u in pwd.getpwall()} == accounts
    assert new_hub.launches().users == {}


@slow
def test_the_hub_tells_the_lms_admin_what_to_register_and_a_visitor_where_to_log_in(hub):
    config = requests.get(f"{hub.url}/hub/lti13/config", timeout=30)
    assert config.status_code == 200, config.text
    said = config.json()
    assert said["oidc_initiation_url"] == f"{hub.url}/hub/lti13/oauth_login"
    assert said["target_link_uri"] == hub.url
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in said["scopes"]
    visit = requests.get(f"{hub.url}/hub/", timeout=30)  # the hub itself, not a link in the LMS
    assert visit.status_code == 400 and "This hub is entered from the course's LMS" in page_says(visit), page_says(visit)


@slow
def test_a_student_lands_in_their_own_server_and_the_launch_keeps_the_courses_services(hub):
    session, action, fields = launch_form(hub, STUDENT["user_id"])
    assert action == f"{hub.url}/hub/lti13/oauth_callback"
    started = time.monotonic()
    launched = post_launch(session, action, fields)
    lab = open_server(hub, session, "student1", launched)
    assert lab.status_code == 200 and lab.url == f"{hub.url}/user/student1/lab", lab.url
    print(f"launch to a ready server: {time.monotonic() - started:.1f} s")
    assert servers_of("student1")  # run as their own Unix user
    home = Path(pwd.getpwnam("student1").pw_dir)
    assert home.stat().st_mode & 0o777 == 0o700 and home.owner() == "student1"
    launches = hub.launches()
    assert launches.users["student1"]["sub"] == STUDENT["user_id"] and launches.users["student1"]["staff"] is False
    assert launches.users["student1"]["iss"] == hub.platform.issuer
    assert launches.context["memberships_url"] == hub.platform.memberships_url
    assert launches.context["lineitems_url"] == hub.platform.lineitems_url
    # The link launched, with the line item the LMS made for it: pass-back's grade column.
    link = launches.context["links"][LINKS[0]["id"]]
    assert link["title"] == LINKS[0]["title"] and link["lineitem"].startswith(f"{hub.platform.lineitems_url}/")
    # Not staff: no formgrader in their server, not in the course folder's group.
    assert session.get(f"{hub.url}/user/student1/formgrader", timeout=60).status_code == 404
    assert "student1" not in grp.getgrnam(hub.instructor).gr_mem


@slow
def test_an_instructors_launch_is_staff_with_formgrader_on_the_course(hub):
    session, action, fields = launch_form(hub, TEACHER["user_id"])
    launched = post_launch(session, action, fields)
    formgrader = open_server(hub, session, "ina", launched, path="formgrader")
    assert formgrader.status_code == 200, formgrader.text
    assignments = session.get(f"{hub.url}/user/ina/formgrader/api/assignments", timeout=60)
    assert "01_layer_math" in [a["name"] for a in assignments.json()]  # the course's, from its gradebook
    assert "ina" in grp.getgrnam(hub.instructor).gr_mem and hub.launches().users["ina"]["staff"] is True
    assert servers_of("ina")


@slow
@pytest.mark.parametrize("how, status, said", [
    ("signed by another key", 400, "The LMS's launch token is not valid: Signature verification failed"),
    ("for another tool", 401, "The LMS's launch token is not valid: Audience doesn't match"),
    ("from another issuer", 400, "The LMS's launch token is not valid: Invalid issuer"),
    ("expired", 400, "The LMS's launch token is not valid: Signature has expired"),
    ("from another deployment", 403, "This launch comes from the tool's deployment '2', not this course's ('1')"),
    ("from another LMS course", 403, "This launch comes from the LMS course 'Another Course' (context id 'other'), "
                                     "not from this hub's course (context id 'adlm')"),
])
def test_a_forged_launch_is_refused_with_a_page_that_says_why(hub, how, status, said):
    session, action, fields = launch_form(hub, STUDENT["user_id"])
    course = hub.launches().context
    now = int(time.time())
    changes = {"signed by another key": {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)},
               "for another tool": {"aud": "another-tool"}, "from another issuer": {"iss": "https://lms.evil.example"},
               "expired": {"iat": now - 400, "exp": now - 60},
               "from another deployment": {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "2"},
               "from another LMS course": {CONTEXT_CLAIM: {"id": "other", "title": "Another Course"},
                                           AGS_CLAIM: {"lineitems": "https://lms.evil.example/lineitems"}}}[how]
    answer = post_launch(session, action, forged(hub, fields, **changes))
    assert answer.status_code == status and said in page_says(answer), page_says(answer)
    assert "Traceback" not in answer.text and LOGIN_COOKIE not in session.cookies
    assert hub.launches().context == course


@slow
def test_a_replayed_launch_is_refused_and_so_is_its_token_in_another_login(hub):
    session, action, fields = launch_form(hub, STUDENT["user_id"])
    captured = requests.Session()  # the request captured on its way, cookies and all
    captured.cookies.update(session.cookies)
    assert post_launch(session, action, fields).status_code == 302
    copy = post_launch(captured, action, fields)
    assert copy.status_code == 400 and "This launch was used already" in page_says(copy), page_says(copy)
    assert LOGIN_COOKIE not in captured.cookies
    nonce = jwt.decode(fields["id_token"], options={"verify_signature": False})["nonce"]
    assert nonce in json.loads((hub.state / "hub" / "lti-nonces.json").read_text())  # a restarted hub refuses it too
    again = post_launch(session, action, fields)  # the same form, posted again: its state was used
    assert again.status_code == 400, again.text
    assert "This launch was used already or did not start in this browser" in page_says(again)
    assert AGAIN in page_says(again)
    # The token, posted by someone else with a login of their own under way: its nonce is the first login's.
    thief, _, own = launch_form(hub, STUDENT["user_id"])
    stolen = post_launch(thief, action, {"id_token": fields["id_token"], "state": own["state"]})
    assert stolen.status_code == 400 and "this launch's token was issued for another login" in page_says(stolen).lower()
    assert LOGIN_COOKIE not in thief.cookies


@slow
def test_a_link_planted_in_place_of_the_courses_lms_folder_is_refused_and_not_followed(hub, tmp_path):
    folder, elsewhere = hub.course.root / "lms", tmp_path / "elsewhere"
    elsewhere.mkdir()
    kept = folder.with_name("lms.kept")
    if folder.exists():
        folder.rename(kept)
    folder.symlink_to(elsewhere)  # as a staff member may: the course folder is their group's to write in
    try:
        answer = post_launch(*launch_form(hub, STUDENT["user_id"]))
    finally:
        folder.unlink()
        if kept.exists():
            kept.rename(folder)
    assert answer.status_code == 500 and (f"The course's lms folder is not safe to write in: {folder} is a link or a "
                                          "file") in page_says(answer), page_says(answer)
    assert list(elsewhere.iterdir()) == []


@slow
@pytest.mark.parametrize("who, said", [
    ("instructor", "The user name 'instructor' is an account of this machine that no LMS user was given"),
    ("root", "The user name 'root' is an account of this machine that no LMS user was given"),
    ("student1", "The user name 'student1' already belongs to another LMS user"),
    ("no email", "This launch carries no 'email', which this course's user names come from"),
    ("no login name", "'1st.place@example.edu' gives the user name '1st.place', which is not a login name"),
])
def test_a_launch_whose_name_is_not_theirs_to_have_is_refused(hub, who, said):
    if who == "student1" and "student1" not in hub.launches().users:  # the name is the first student's
        assert post_launch(*launch_form(hub, STUDENT["user_id"])).status_code == 302
    before = {u.pw_name for u in pwd.getpwall()}
    session, action, fields = launch_form(hub, POSING[who]["user_id"])
    answer = post_launch(session, action, fields)
    assert answer.status_code == 403 and said.lower() in page_says(answer).lower(), page_says(answer)
    assert LOGIN_COOKIE not in session.cookies and {u.pw_name for u in pwd.getpwall()} == before
    assert POSING[who]["user_id"] not in [user["sub"] for user in hub.launches().users.values()]


@slow
def test_a_staff_member_launching_without_a_staff_role_is_a_student_again(hub):
    session, action, fields = launch_form(hub, TEACHER["user_id"])
    assert open_server(hub, session, "ina", post_launch(session, action, fields), path="formgrader").status_code == 200
    [as_staff] = servers_of("ina")
    course_group = grp.getgrnam(hub.instructor).gr_gid
    assert course_group in groups_of(as_staff)
    session, action, fields = launch_form(hub, TEACHER["user_id"])
    student = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    demoted = post_launch(session, action, forged(hub, fields, **{
        "https://purl.imsglobal.org/spec/lti/claim/roles": [student]}))
    assert demoted.status_code == 302
    assert as_staff.pid not in [p.pid for p in servers_of("ina")]  # stopped before the launch let them in
    assert "ina" not in grp.getgrnam(hub.instructor).gr_mem and hub.launches().users["ina"]["staff"] is False
    assert not (Path(pwd.getpwnam("ina").pw_dir) / ".jupyter" / "nbgrader_config.py").exists()
    assert open_server(hub, session, "ina", demoted, path="formgrader").status_code == 404
    [as_student] = servers_of("ina")
    assert course_group not in groups_of(as_student)
    assert post_launch(*launch_form(hub, TEACHER["user_id"])).status_code == 302
    assert "ina" in grp.getgrnam(hub.instructor).gr_mem
    config = (Path(pwd.getpwnam("ina").pw_dir) / ".jupyter" / "nbgrader_config.py").read_text()
    assert f"c.CourseDirectory.root = {str(hub.course.root)!r}" in config


def _answered_with_the_solution(course, notebook: Path) -> None:
    """The student's answers: the solution's, cell by cell (what is typed is not what is tested here;
    tests/hub/test_hub_journey.py types one in Lab's editor)."""
    solution = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
                for c in nbformat.read(course.solutions_dir("01_layer_math") / notebook.name, as_version=4).cells}
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in solution:
            cell.source = solution[meta["grade_id"]]
    stat = notebook.stat()
    nbformat.write(nb, notebook)
    os.chown(notebook, stat.st_uid, stat.st_gid)


@slow
def test_from_the_lms_link_to_the_lms_gradebook_in_a_browser(hub, browser):
    """The issue's journey: on the platform's course page a student clicks the assignment's link and lands
    in JupyterLab as themselves, fetches and submits; the TA grades and passes back; the platform's
    gradebook page shows the gradebook's final score, the late penalty applied. A forged launch in the
    same browser is refused."""
    aid, link = "01_layer_math", LINKS[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    course_cli(hub.course, "release", "--exchange")
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(90_000)  # a first spawn on two busy cores
    page.goto(f"{hub.platform.url}/?as={STUDENT['user_id']}")
    page.get_by_role("link", name=link["title"]).click()
    page.wait_for_url(f"{hub.url}/user/student1/lab**")
    released = assignments_panel(page)
    page.screenshot(path=SHOTS / "lti-1-landed.png")  # once Lab has drawn: the student's Assignments panel
    released.locator(".list_item", has_text=aid).get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list .list_item", has_text=aid).first
    fetched.wait_for()
    _answered_with_the_solution(hub.course, Path(pwd.getpwnam("student1").pw_dir) / aid / "layer_math.ipynb")
    fetched.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list .list_item", has_text=aid).first.wait_for()
    page.screenshot(path=SHOTS / "lti-2-submitted.png")
    page.context.close()

    assert "graded student1" in course_cli(hub.course, "watch", aid, "--exchange", "--once")
    final = grades(hub.course, aid)["student1"]
    assert (final["score"], final["late_penalty"]) == ("27", "3"), final  # 30 points, one day late
    said = course_cli(hub.course, "passback", aid)
    assert "Traceback" not in said, said

    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{hub.platform.url}/gradebook")
    cell = page.locator(f'td[data-user="{STUDENT["user_id"]}"][data-lineitem="{aid}"]')
    assert cell.locator(".score").inner_text() == "27 / 30" and cell.get_attribute("data-progress") == "FullyGraded"
    page.screenshot(path=SHOTS / "lti-3-lms-gradebook.png")

    # The next launch's token re-signed by another key on its way from the platform's form to the hub.
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def forge(route):
        fields = dict(parse_qsl(route.request.post_data))
        route.continue_(post_data=urlencode(forged(hub, fields, key=other_key)))

    page.route(f"{hub.url}/hub/lti13/oauth_callback", forge)
    page.goto(f"{hub.platform.url}/?as={STUDENT['user_id']}")
    page.get_by_role("link", name=link["title"]).click()
    page.get_by_text("LMS launch refused").wait_for()
    assert "Signature verification failed" in page.inner_text("body")
    assert page.url.startswith(f"{hub.url}/hub/lti13/oauth_callback")
    page.screenshot(path=SHOTS / "lti-4-forged-refused.png")
    page.context.close()
