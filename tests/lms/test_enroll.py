"""`course enroll --from-lms` against the test LMS: the students of its roster (NRPS) enrolled in
nbgrader's gradebook under their hub names; staff, inactive members and members whose name cannot be
made, or whose name is an account of this machine no launch gave them, listed and left out; a custom
parameter's name taken from the member's launch; the roster read page by page; the LMS down, slow, refusing
the token, failing, answering garbage or paging in a loop or without end: one error and its hint, nothing
enrolled."""

import shutil
from pathlib import Path

import pytest

from autograder.course import lms_launches
from autograder.course.coursedir import Course
from autograder.lms import service
from autograder.records.gradebook import open_gradebook
from tests.conftest import course_main, make_course_copy
from tests.lms.lms_course import dead_url, lms_settings, roster_platform

pytestmark = pytest.mark.xdist_group("lms-enroll")  # one LMS for the module


@pytest.fixture(scope="module")
def platform(tmp_path_factory, lms_tool_key):
    with roster_platform(tmp_path_factory.mktemp("lms"), lms_tool_key[1]) as started:
        yield started


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory) -> Path:
    """Made once: nbgrader takes seconds to make one."""
    course = make_course_copy(tmp_path_factory.mktemp("gradebook"))
    with open_gradebook(course):
        return course.sqlite_gradebook()


@pytest.fixture
def course_with_lms(tmp_path, platform, lms_tool_key, empty_gradebook):
    def make(**changed) -> Course:
        course = make_course_copy(tmp_path, lms_settings(platform, lms_tool_key[0], **changed))
        shutil.copy(empty_gradebook, course.sqlite_gradebook())
        return course
    return make


def _enrolled(course) -> dict[str, str]:
    with open_gradebook(course) as gb:
        return {student.id: student.lms_user_id for student in gb.students}


def _row(printed: str, user_id: str) -> str:
    return next(line for line in printed.splitlines() if user_id in line)


def test_the_rosters_students_are_enrolled_under_their_hub_names_and_the_rest_listed(course_with_lms):
    course = course_with_lms()
    code, printed = course_main(course, "enroll", "--from-lms")
    assert code == 1, printed  # a member could not be mapped: the TA has something to fix
    assert _enrolled(course) == {"learner1": "u-1001", "learner2": "u-1002", "learner3": "u-1004",
                                 "learner4": "u-1005"}
    assert "enrolled" in _row(printed, "u-1001") and "learner1" in _row(printed, "u-1001")
    assert "staff" in _row(printed, "u-9001")
    assert "inactive: not enrolled" in _row(printed, "u-1003")
    assert "not mapped: 'no login@example.edu' gives the user name 'no login'" in " ".join(printed.split())
    assert "not mapped: gives the user name 'root', an account of this machine" in _row(printed, "u-6002")
    assert "enrolled 4 students in nbgrader's gradebook" in printed
    with open_gradebook(course) as gb:
        one = gb.find_student("learner1")
        assert (one.email, one.first_name) == ("learner1@example.edu", None)  # the platform sends no given_name

    code, again = course_main(course, "enroll", "--from-lms")  # enrolling twice changes nothing
    assert code == 1 and len(_enrolled(course)) == 4


def test_a_custom_parameters_name_comes_from_the_members_launch(course_with_lms, platform):
    course = course_with_lms(username_key="custom_username")
    lms_launches.record(course.root, {"iss": platform.issuer, "sub": "u-1002", "name": "Student Two"}, "learner2",
                        staff=False)
    code, printed = course_main(course, "enroll", "--from-lms")
    assert code == 1 and _enrolled(course) == {"learner2": "u-1002"}
    assert "has not launched the tool yet: custom_username is a custom parameter" in " ".join(printed.split())
    assert "staff" in _row(printed, "u-9001")  # staff need no name to be left out


def test_an_account_of_this_machine_is_the_name_of_the_member_a_launch_gave_it_to_only(course_with_lms, platform):
    course = course_with_lms()
    lms_launches.record(course.root, {"iss": platform.issuer, "sub": "u-6002"}, "root", staff=False)
    code, printed = course_main(course, "enroll", "--from-lms")
    assert _enrolled(course)["root"] == "u-6002" and "an account of this machine" not in printed


def test_paging_stops_at_a_cap_with_the_next_pages_url(course_with_lms, platform, monkeypatch):
    monkeypatch.setattr(service, "MAX_PAGES", 3)  # the roster takes 4 pages of PAGE_SIZE; 1000 would take long
    course = course_with_lms()
    code, printed = course_main(course, "enroll", "--from-lms")
    assert code == 2 and printed.count("hint: ") == 1 and _enrolled(course) == {}, printed
    assert (f"the LMS gave more than 3 pages when the tool tried to read the course's members; the next was "
            f"{platform.memberships_url}?limit=2&page=4") in " ".join(printed.split())


def test_a_name_a_launch_gave_to_another_lms_user_is_not_given_again(course_with_lms, platform):
    course = course_with_lms()
    lms_launches.record(course.root, {"iss": platform.issuer, "sub": "u-7777"}, "learner3", staff=False)
    code, printed = course_main(course, "enroll", "--from-lms")
    assert "learner3" not in _enrolled(course)
    assert "gives the user name 'learner3', which a launch gave to another LMS user" in " ".join(printed.split())


@pytest.mark.parametrize("fault, changed, said", [
    ({}, {"token_url": "DEAD"}, "cannot reach the LMS to get a token at {dead}: [Errno 111] Connection refused "
                                "hint: check that the LMS is up"),
    ({"token": "refuse"}, {}, "the LMS refused the tool's token request (401 invalid_client) at {token_url} "
                              "hint: check c.LMS.client_id and c.LMS.key_id"),
    ({"memberships": "slow"}, {}, "the LMS did not answer within 1 s when the tool tried to read the course's members "
                                  "at {memberships_url}?limit=100 hint: check that the LMS is up, or raise "
                                  "c.LMS.timeout"),
    ({"memberships": "error"}, {}, "the LMS answered 500 the memberships service failed (fault injection) when the "
                                   "tool tried to read the course's members at {memberships_url}?limit=100"),
    ({"memberships": "loop"}, {}, "the LMS's pages loop when the tool tries to read the course's members: the next "
                                  "page is {memberships_url}?limit=100, which it read already hint: the LMS's paging"),
    ({"token": "garbled:list"}, {}, "the LMS's token answer at {token_url} is not a JSON object: "
                                    "[\"access_token\",\"t\"] hint: c.LMS.token_url must be the LMS's OAuth 2"),
    ({"token": "garbled:string"}, {}, "the LMS's token answer at {token_url} is not a JSON object: "
                                      "\"access_token=t\" hint: c.LMS.token_url must be"),
    ({"token": "garbled:expires_in"}, {}, "the LMS's token answer at {token_url} has expires_in 'soon', which OAuth 2 "
                                          "does not allow hint:"),
    ({}, {"memberships_url": ""}, "the course's memberships (LTI Names and Role Provisioning) URL is not known "
                                  "hint: set c.LMS.memberships_url, or open the tool once"),
])
def test_an_lms_that_is_down_slow_refusing_or_failing_is_one_error_and_nothing_is_enrolled(
        course_with_lms, platform, fault, changed, said):
    dead = dead_url()
    course = course_with_lms(**{key: dead if value == "DEAD" else value for key, value in changed.items()})
    platform.set_faults(**fault)
    try:
        code, printed = course_main(course, "enroll", "--from-lms")
    finally:
        platform.set_faults()
    assert code == 2 and printed.startswith("error: ") and printed.count("hint: ") == 1, printed
    assert said.format(dead=dead, token_url=platform.token_url, memberships_url=platform.memberships_url) \
        in " ".join(printed.split())
    assert _enrolled(course) == {}
