"""The course's members as the LMS knows them (LTI Names and Role Provisioning Services), each with
the hub user name (= nbgrader student id) they log in as, or the reason they have none.

A member's name comes from the same rule as a launch's (c.LMS.username_key, identity.lms_hub_name),
so the roster and the hub agree on who is who. A custom parameter (`custom_*`) is not in the roster:
such a member's name is the one their first launch bound to their LMS user (lms/launches.json). A
member whose name cannot be made, is bound to someone else, is an account of this machine that no launch
bound to them (as the hub refuses it), or would be another member's too is listed with the reason and
never guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..course import lms_launches
from ..course.coursedir import Course
from ..course.identity import NotAHubName, is_staff, lms_hub_name, lms_value, unix_account
from .service import NRPS_SCOPE, Service, course_url

NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ACTIVE = "Active"


@dataclass(frozen=True)
class Member:
    user_id: str  # the LTI sub: what the LMS files the member's grades under
    name: str
    email: str
    roles: tuple[str, ...]
    staff: bool
    status: str
    hub_name: str | None  # None: `why` says what stops the mapping
    why: str = ""
    given_name: str = ""
    family_name: str = ""

    @property
    def student(self) -> bool:
        """A member who takes the course here: mapped, active, and not staff."""
        return self.hub_name is not None and not self.staff and self.status == ACTIVE


@dataclass
class Roster:
    url: str
    members: list[Member]

    @property
    def students(self) -> dict[str, Member]:
        """hub name -> member, for those who take the course."""
        return {m.hub_name: m for m in self.members if m.student}

    @property
    def unmapped(self) -> list[Member]:
        """Members who might be students but have no hub name (staff need none)."""
        return [m for m in self.members if m.hub_name is None and not m.staff]

    def why_not_a_student(self, hub_name: str) -> str:
        """Why a hub user (one with a submission, say) is not among the students."""
        member = next((m for m in self.members if m.hub_name == hub_name), None)
        if member is None:
            return "not in the LMS's roster"
        return "staff in the LMS" if member.staff else f"{member.status.lower()} in the LMS"


def read_roster(course: Course, service: Service | None = None) -> Roster:
    """Every member of the course in the LMS, mapped to hub names."""
    url = course_url(course, "memberships_url", "memberships (LTI Names and Role Provisioning)")
    service = service or Service(course, [NRPS_SCOPE])
    raw = list(service.pages(url, "read the course's members", accept=NRPS_MEDIA_TYPE, field="members"))
    launches = lms_launches.read(course.root)
    settings = course.lms
    mapped = [_mapped(course, launches, member) for member in raw]
    named = Counter(name for name, _ in mapped if name)
    members = []
    for member, (name, why) in zip(raw, mapped):
        if name and named[name] > 1:  # two LMS users, one hub user: neither gets it
            name, why = None, f"gives the user name {name!r}, as another member does"
        roles = tuple(r for r in member.get("roles") or () if isinstance(r, str))
        members.append(Member(
            user_id=str(member.get("user_id", "")), name=_text(member, "name"), email=_text(member, "email"),
            roles=roles, staff=is_staff(roles, settings.staff_roles), status=_text(member, "status") or ACTIVE,
            hub_name=name, why=why, given_name=_text(member, "given_name"), family_name=_text(member, "family_name")))
    return Roster(url, members)


def _text(member: dict, key: str) -> str:
    value = member.get(key)
    return value.strip() if isinstance(value, str) else ""


def _mapped(course: Course, launches: lms_launches.Launches, member: dict) -> tuple[str | None, str]:
    """(hub name, "") or (None, why not)."""
    settings = course.lms
    sub = str(member.get("user_id") or "")
    if not sub:
        return None, "has no user_id in the roster"
    if settings.username_key.startswith("custom_"):
        bound = launches.hub_name_of(settings.issuer, sub)
        if bound is None:
            return None, (f"has not launched the tool yet: {settings.username_key} is a custom parameter, which "
                          "only a launch carries")
        return bound, ""
    value = lms_value(member, settings.username_key)
    if value is None:
        return None, f"the roster gives no {settings.username_key!r}"
    try:
        name = lms_hub_name(value, settings.username_prefix)
    except NotAHubName as exc:
        return None, str(exc)
    owner = launches.users.get(name)
    if owner is not None and (owner.get("iss"), owner.get("sub")) != (settings.issuer, sub):
        return None, f"gives the user name {name!r}, which a launch gave to another LMS user"
    if owner is None and unix_account(name) is not None:
        # The hub refuses such a launch (root@elsewhere.example is not root): grades filed under the name
        # would be the account's, not the member's.
        return None, f"gives the user name {name!r}, an account of this machine that no LMS user was given"
    return name, ""
