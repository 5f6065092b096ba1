"""A course copy whose c.LMS settings point at a test LMS, for the tests of the staff's verbs
(`course enroll --from-lms`, `course passback`): the roster they share, and the settings lines."""

from contextlib import contextmanager

from tests.conftest import free_ports
from tests.lms.conftest import TOOL_LAUNCH_URL, TOOL_LOGIN_URL
from tests.lms.platform import LINKS, MEMBERS, start_platform

# The platform's course (two students, an instructor, an inactive member) with two more students, a
# member whose e-mail address gives no login name and one whose gives root's.
ROSTER = MEMBERS + [
    {"user_id": "u-1004", "name": "Student Three", "email": "learner3@example.edu", "username": "learner3",
     "roles": ["Learner"]},
    {"user_id": "u-1005", "name": "Student Four", "email": "learner4@example.edu", "username": "learner4",
     "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]},
    {"user_id": "u-1006", "name": "No Login", "email": "no login@example.edu", "roles": ["Learner"]},
    {"user_id": "u-6002", "name": "Not Root", "email": "root@elsewhere.example", "roles": ["Learner"]},
]
PAGE_SIZE = 2  # the LMS pages its roster and line items: the tool must follow them


@contextmanager
def roster_platform(folder, jwks):
    """The test LMS with ROSTER in pages of PAGE_SIZE, trusting the tool keyset `jwks`, for the time of the
    with-block."""
    started = start_platform(folder, members=ROSTER, links=LINKS, tool_jwks=jwks, tool_login_url=TOOL_LOGIN_URL,
                             tool_launch_url=TOOL_LAUNCH_URL, page_size=PAGE_SIZE)
    try:
        yield started
    finally:
        started.stop()


def lms_settings(platform, key_file, **changed) -> str:
    """course_config.py lines for the platform: hub names from the e-mail address (learner1@... is
    learner1), a short timeout (a "slow" fault costs that long), `changed` over these."""
    settings = {"issuer": platform.issuer, "client_id": platform.client_id, "token_url": platform.token_url,
                "private_key_file": str(key_file), "memberships_url": platform.memberships_url,
                "lineitems_url": platform.lineitems_url, "context_id": "adlm", "username_key": "email", "timeout": 1.0,
                **changed}
    return "".join(f"\nc.LMS.{name} = {value!r}" for name, value in settings.items()) + "\n"


def dead_url() -> str:
    """A URL on this machine where nothing listens."""
    return f"http://127.0.0.1:{free_ports(1, start=39000)}/token"
