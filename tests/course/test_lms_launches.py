"""Who is staff by their LTI roles, and the launch record the hub (root) keeps in the course folder: the
course's services and links only from the course's own launches, and never a file written through a link
that the staff (the course folder's group, who may rename its entries) planted."""

from __future__ import annotations

import json
import os

import pytest

from autograder.course import lms_launches
from autograder.course.identity import is_staff
from autograder.course.lms_launches import (AGS_CLAIM, CONTEXT_CLAIM, NRPS_CLAIM, RESOURCE_LINK_CLAIM, UnsafeFolder,
                                            read, record)
from autograder.course.settings import LMS

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
DEFAULT_STAFF = LMS().staff_roles


@pytest.mark.parametrize("roles, staff_roles, staff", [
    ([LIS + "membership#Instructor"], DEFAULT_STAFF, True),
    (["Instructor"], DEFAULT_STAFF, True),  # a short name is the context role's
    ([LIS + "membership/Instructor#TeachingAssistant"], DEFAULT_STAFF, True),
    ([LIS + "membership/Instructor#TeachingAssistant"], ["TeachingAssistant"], True),
    (["TeachingAssistant"], DEFAULT_STAFF, True),
    ([LIS + "membership#Instructor"], ["Instructor"], True),
    # A Learner's sub-role named Instructor, an institution's or the system's Instructor: a student here.
    ([LIS + "membership/Learner#Instructor"], DEFAULT_STAFF, False),
    ([LIS + "membership/Learner#Instructor"], ["Instructor"], False),
    ([LIS + "institution/person#Instructor", LIS + "membership#Learner"], ["Instructor"], False),
    ([LIS + "system/person#Administrator"], DEFAULT_STAFF, False),
    (["Learner", None, 3], DEFAULT_STAFF, False),
    (None, DEFAULT_STAFF, False),
])
def test_staff_roles_are_compared_as_full_role_uris(roles, staff_roles, staff):
    assert is_staff(roles, staff_roles) is staff


def launch(sub: str, context: str = "adlm", link: str = "01_layer_math", lineitem: str | None = "L1") -> dict:
    url = f"https://lms.example/courses/{context}"
    return {"iss": "https://lms.example", "sub": sub, "name": sub,
            CONTEXT_CLAIM: {"id": context, "title": f"Course {context}"},
            RESOURCE_LINK_CLAIM: {"id": link, "title": f"Link {link}"},
            NRPS_CLAIM: {"context_memberships_url": f"{url}/memberships"},
            AGS_CLAIM: {"lineitems": f"{url}/lineitems",
                        **({"lineitem": f"{url}/lineitems/{lineitem}"} if lineitem else {})}}


def test_the_course_and_its_links_are_kept_from_its_own_launches_only(tmp_path):
    record(tmp_path, launch("u-1"), "one", staff=False, context_id="adlm")
    record(tmp_path, launch("u-2", link="02_training_loop", lineitem=None), "two", staff=False, context_id="adlm")
    record(tmp_path, launch("u-3", context="other"), "three", staff=True, context_id="adlm")
    context = read(tmp_path).context
    assert (context["context_id"], context["title"]) == ("adlm", "Course adlm")
    assert context["memberships_url"] == "https://lms.example/courses/adlm/memberships"
    assert context["lineitems_url"] == "https://lms.example/courses/adlm/lineitems"
    assert context["links"] == {
        "01_layer_math": {"title": "Link 01_layer_math", "lineitem": "https://lms.example/courses/adlm/lineitems/L1"},
        "02_training_loop": {"title": "Link 02_training_loop", "lineitem": None}}
    # The course named anew (c.LMS.context_id changed): the old course's services and links go.
    record(tmp_path, launch("u-3", context="other", link="x", lineitem="X"), "three", staff=True, context_id="other")
    context = read(tmp_path).context
    assert context["context_id"] == "other" and list(context["links"]) == ["x"]
    assert set(read(tmp_path).users) == {"one", "two", "three"}


def test_without_the_courses_context_id_no_launch_names_the_course(tmp_path):
    record(tmp_path, launch("u-1"), "one", staff=True)
    assert read(tmp_path).context == {} and set(read(tmp_path).users) == {"one"}


@pytest.mark.parametrize("planted", ["lms", "lms/launches.lock", "lms/launches.json"])
def test_a_link_planted_for_the_record_is_refused_and_nothing_is_written_where_it_leads(tmp_path, planted):
    course, elsewhere = tmp_path / "course", tmp_path / "elsewhere"
    (course / "lms").mkdir(parents=True)
    elsewhere.mkdir()
    target = elsewhere if planted == "lms" else elsewhere / "target"
    if planted == "lms":
        (course / "lms").rmdir()
    else:
        target.write_text("root's own file")
    (course / planted).symlink_to(target)
    with pytest.raises(UnsafeFolder, match=f"{course / planted} is a link"):
        record(course, launch("u-1"), "one", staff=False, context_id="adlm")
    assert sorted(p.name for p in elsewhere.iterdir()) == ([] if planted == "lms" else ["target"])
    assert planted == "lms" or target.read_text() == "root's own file"


def test_a_record_folder_others_may_change_is_refused(tmp_path):
    folder = lms_launches.path(tmp_path).parent
    folder.mkdir(mode=0o770)
    folder.chmod(0o770)
    with pytest.raises(UnsafeFolder, match="can be changed by others than root and the course's owner"):
        record(tmp_path, launch("u-1"), "one", staff=False, context_id="adlm")
    if os.geteuid() == 0:  # a folder of a staff member's own, put in its place
        folder.chmod(0o750)
        os.chown(folder, 65534, -1)
        with pytest.raises(UnsafeFolder, match="owner uid 65534"):
            record(tmp_path, launch("u-1"), "one", staff=False, context_id="adlm")
    assert not lms_launches.path(tmp_path).exists()


def test_the_record_is_written_whole_and_readable_by_the_courses_group_only(tmp_path):
    record(tmp_path, launch("u-1"), "one", staff=False, context_id="adlm")
    folder = lms_launches.path(tmp_path).parent
    assert folder.stat().st_mode & 0o777 == 0o750 and folder.stat().st_gid == tmp_path.stat().st_gid
    assert lms_launches.path(tmp_path).stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in folder.iterdir()) == ["launches.json", "launches.lock"]  # no temporary left
    assert json.loads(lms_launches.path(tmp_path).read_text())["users"]["one"]["sub"] == "u-1"


def test_the_staff_tools_read_only_the_configured_courses_record():
    """A record kept from another LMS course (before c.LMS.context_id changed), or read with the setting
    unset, gives the roster and grade services no URL of that course."""
    launches = lms_launches.Launches(context={"context_id": "old-course", "lineitems_url": "https://lms/old/lineitems"})
    assert launches.course("old-course")["lineitems_url"] == "https://lms/old/lineitems"
    assert launches.course("adlm") == {} and launches.course("") == {}
