"""The test LMS, started once per module that asks for it (each module gets its own: their scores and faults
do not mix). `lms_tool_key` is the tool's key pair the platform trusts: (private key file, public keyset)."""

import pytest

from tests.lms.platform import LINKS, MEMBERS, start_platform, tool_key_pair

TOOL_LOGIN_URL = "http://127.0.0.1:9/hub/lti13/oauth_login"  # no tool listens there: tests drive /authorize
TOOL_LAUNCH_URL = "http://127.0.0.1:9/hub/lti13/oauth_callback"


@pytest.fixture(scope="module")
def lms_tool_key(tmp_path_factory):
    return tool_key_pair(tmp_path_factory.mktemp("tool_key"))


@pytest.fixture(scope="module")
def lms_platform(tmp_path_factory, lms_tool_key):
    platform = start_platform(tmp_path_factory.mktemp("lms"), members=MEMBERS, links=LINKS,
                              tool_jwks=lms_tool_key[1], tool_login_url=TOOL_LOGIN_URL,
                              tool_launch_url=TOOL_LAUNCH_URL)
    yield platform
    platform.stop()
