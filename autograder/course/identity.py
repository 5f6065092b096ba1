"""One student, however each part of the course names them.

nbgrader's student id is the name everything is filed under (submitted/<id>/, the gradebook,
feedback/). On a hub it is the login name, so it is also the student's hub (Unix) user and their user
on the exchange, folder or service. An LMS export names the student in its file names
(c.Collect.student_pattern): that name becomes the nbgrader id as it is. Seeds and exam papers know
the student by a key that is the same however a roster spells the id, and paper files by that key
made safe as a file name. Every one of these is derived here and nowhere else.
"""

from __future__ import annotations

import pwd
import re
import unicodedata
from dataclasses import dataclass


def safe_file_name(text: str) -> str:
    """`text` as a file name; not one-to-one, so callers refuse ids that come out the same."""
    return re.sub(r"[^A-Za-z0-9._@-]", "_", text)


@dataclass(frozen=True)
class Student:
    nbgrader_id: str
    lms_id: str | None = None  # the name an LMS export gave, where the student came from one

    @property
    def hub_user(self) -> str:
        return self.nbgrader_id

    @property
    def exchange_user(self) -> str:
        return self.nbgrader_id

    @property
    def seed_key(self) -> str:
        """The id as seeds and exam papers see it: the same student however a roster spells it."""
        return unicodedata.normalize("NFKC", self.nbgrader_id).strip().casefold()

    @property
    def file_name(self) -> str:
        """Their exam paper's files are named so (exams/<exam>/<folder>/<file_name>.*)."""
        return safe_file_name(self.seed_key)


def student(name: str, *, from_lms: bool = False) -> Student:
    """The student any of their names stands for: an nbgrader id, a hub or exchange user, a roster's or
    a paper's id, or (`from_lms`) the id an LMS export's file name gives."""
    return Student(nbgrader_id=name, lms_id=name if from_lms else None)


# LMS users (LTI 1.3). The hub user name, and so the nbgrader id, comes from one launch claim
# (c.LMS.username_key) made a valid Unix login name; the LMS knows the same person by (iss, sub),
# which is what a launch record binds a hub name to.
LTI_CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
LTI_ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
_UNIX_NAME = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")


class NotAHubName(ValueError):
    """An LMS value that cannot be a hub user's name, with the reason in words."""


def lms_value(claims, username_key: str) -> str | None:
    """The value `username_key` names in a launch's claims (or an NRPS member, whose user_id is the sub):
    None where it is missing, never another claim in its place (a silent fallback to `sub` would let
    one user's sub become another's name)."""
    if username_key.startswith("custom_"):
        custom = claims.get(LTI_CUSTOM_CLAIM)
        value = custom.get(username_key[len("custom_"):]) if hasattr(custom, "get") else None
    elif username_key == "sub":
        value = claims.get("sub", claims.get("user_id"))
    else:
        value = claims.get(username_key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def lms_hub_name(value: str, prefix: str = "") -> str:
    """The hub (and Unix, and nbgrader) name an LMS value gives: the prefix and the value, lowercased;
    an email's domain dropped. Refused, never rewritten, where the result is not a login name: two
    values rewritten alike would be one user."""
    local = value.split("@", 1)[0] if "@" in value else value
    name = prefix + unicodedata.normalize("NFKC", local).lower()
    if not _UNIX_NAME.fullmatch(name):
        raise NotAHubName(f"{value!r} gives the user name {name!r}, which is not a login name (a letter or _ "
                          "first, then letters, digits, '.', '_' or '-', at most 32 in all)")
    return name


# LTI's short role names stand for context (membership) roles only; the teaching assistant is a sub-role of
# Instructor, which has no context role of its own to stand for.
CONTEXT_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


def _role_uris(role: str) -> set[str]:
    if "/" in role or "#" in role:
        return {role}
    return {CONTEXT_ROLE + role} | ({TEACHING_ASSISTANT} if role == "TeachingAssistant" else set())


def is_staff(roles, staff_roles) -> bool:
    """Whether a member's LTI roles include one of `staff_roles`, compared as full role URIs (a short name,
    such as 'Instructor', is the context role's): a Learner's sub-role `membership/Learner#Instructor`, or
    an institution's Instructor who takes this course as a Learner, is a student here."""
    wanted = set().union(*(_role_uris(role) for role in staff_roles))
    return any(isinstance(role, str) and _role_uris(role) & wanted for role in roles or ())


def unix_account(name: str) -> pwd.struct_passwd | None:
    """The machine's account of that name, None when it has none: what an LMS name may not take over
    (the hub's login, the roster's mapping) and what the hub makes for a new LMS user."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None
