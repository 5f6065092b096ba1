"""The hub's login from the course's LMS (HUB_AUTH=lti13), on ltiauthenticator's LTI13Authenticator.

ltiauthenticator checks the launch: the OIDC state and nonce it set as cookies, the id_token's signature
against the platform's keyset, its issuer, audience, age and required claims. What it decides after
that is not the course's way: it names the user by `email` and, where that claim is missing, silently by
`sub`, so one user's sub could become another's name. Here the name comes from c.LMS.username_key only
(identity.lms_hub_name), is bound to one LMS user in the course's launch record, and is refused with a
page that says why where it is missing, no login name, another LMS user's, or an account of this
machine that no LMS user was given (root, the instructor): nobody lands in someone else's server.

The hub runs each server as its Unix user, so a new LMS user gets one (their own group, a home only
they enter). Staff are told by the launch's LTI roles (c.LMS.staff_roles) and given what the hub's
instructor has (steps.make_staff): the course folder's group and formgrader's config; a launch
without a staff role takes both away again. Staff are not hub admins: an admin may open any user's
server and act in it as them, which grading never needs (formgrader reads submissions from the course).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import subprocess
from functools import cached_property
from urllib.parse import urlparse

from jupyterhub.utils import url_path_join
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.error import InvalidAudienceError, ValidationError
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler, LTI13LoginInitHandler
from tornado.web import HTTPError
from traitlets import default

from ..course import identity, lms_launches
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.settings import LMS
from .settings import HubSettings
from .steps import make_staff

AGAIN = "Open the assignment again from your course in the LMS."
STAFF = "Tell the course's staff what this page says."


def refused(status: int, why: str, then: str = AGAIN) -> HTTPError:
    """The page a refused launch shows: what is wrong, then what to do."""
    return HTTPError(status, f"{why[0].upper()}{why[1:]}. {then}", reason="LMS launch refused")


class LoginHandler(LTI13LoginInitHandler):
    """ltiauthenticator's OIDC login initiation, which only the LMS's link starts well."""

    def post(self):
        try:
            super().post()
        except HTTPError:  # its arguments missing: someone came to the hub itself, not through the LMS
            raise refused(400, "this hub is entered from the course's LMS", then="Open an assignment's link in your "
                          "course there.") from None

    get = post


class LaunchHandler(LTI13CallbackHandler):
    """ltiauthenticator's launch (the LMS's form post), with refusals a student can read."""

    def decode_and_validate_launch_request(self):
        try:
            return super().decode_and_validate_launch_request()
        except ValidationError as exc:  # a bad signature, another issuer or audience, an expired token, a claim missing
            raise refused(401 if isinstance(exc, InvalidAudienceError) else 400, f"the LMS's launch token is not valid: {exc}",
                          then=f"{AGAIN} If this page comes back, tell the course's staff what it says.") from None

    # Both cookies are read once and cleared: a launch posted again (replayed, or sent back by the
    # browser) finds none, and a stolen id_token posted with a login of one's own has another nonce.
    def check_state(self):
        try:
            super().check_state()
        except HTTPError:
            raise refused(400, "this launch was used already or did not start in this browser "
                          "(no login from the LMS is under way here)") from None

    def check_nonce(self, id_token):
        try:
            super().check_nonce(id_token)
        except HTTPError:
            raise refused(400, "this launch's token was issued for another login than the one under way here "
                          "(a launch replayed or copied)") from None

    def get_next_url(self, user=None):
        url = super().get_next_url(user)
        # A platform whose target_link_uri is the launch URL itself would send the user back to it (a GET,
        # which it refuses): the hub's own default instead, the user's server.
        if urlparse(url).path.startswith(url_path_join(self.hub.base_url, "lti13/")):
            return super(LTI13CallbackHandler, self).get_next_url(user)
        return url


class LMSAuthenticator(LTI13Authenticator):
    """LTI13Authenticator for the hub's course, its platform's values from the course's c.LMS."""

    login_handler = LoginHandler
    callback_handler = LaunchHandler

    @cached_property
    def hub_settings(self) -> HubSettings:
        return HubSettings.from_environ()  # as the hub's config reads them

    @cached_property
    def lms(self) -> LMS:
        return self.hub_settings.lms(Course.load(self.hub_settings.course))

    @default("issuer")
    def _issuer(self):
        return self.lms.issuer

    @default("client_id")
    def _client_id(self):
        return {self.lms.client_id}

    @default("authorize_url")
    def _authorize_url(self):
        return self.lms.authorize_url

    @default("jwks_endpoint")
    def _jwks_endpoint(self):
        return self.lms.jwks_url

    @default("allow_all")
    def _allow_all(self):
        return True  # the LMS decides who is in the course: whoever it launches is

    @default("auto_login")
    def _auto_login(self):
        return True  # the hub's login page would offer a button that can only fail: say where to log in instead

    async def authenticate(self, handler, data=None):
        # In a thread: the launch record's lock and useradd may wait, and the hub serves everyone meanwhile.
        return {"name": await asyncio.to_thread(self.admit, data or {})}

    def admit(self, claims: dict) -> str:
        """The hub name a checked launch logs in as, its launch recorded, its Unix user made, its staff
        rights given or taken; refused with the reason on the page."""
        lms, hub = self.lms, self.hub_settings
        deployment = claims.get(lms_launches.DEPLOYMENT_CLAIM)
        if lms.deployment_id and deployment != lms.deployment_id:
            raise refused(403, f"this launch comes from the tool's deployment {deployment!r}, not this course's "
                          f"({lms.deployment_id!r})", then=STAFF)
        value = identity.lms_value(claims, lms.username_key)
        if value is None:
            raise refused(403, f"this launch carries no {lms.username_key!r}, which this course's user names come from",
                          then="The LMS must send it (the tool's privacy settings): tell the course's staff.")
        try:
            name = identity.lms_hub_name(value, lms.username_prefix)
        except identity.NotAHubName as exc:
            raise refused(403, f"you cannot be given a user on this hub: {exc}", then=STAFF) from None
        staff = identity.is_staff(claims.get(identity.LTI_ROLES_CLAIM), lms.staff_roles)
        try:
            lms_launches.record(hub.course, claims, name, staff=staff, account_exists=_account(name) is not None)
        except lms_launches.NameTaken as exc:
            raise refused(403, f"you were not logged in: {exc}", then=STAFF) from None
        if not _account(name):
            # Their own group: what LMS users reach of each other's and the course's files is what others
            # may, which `course hub check` asks as nobody before the hub starts.
            made = subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name],
                                  capture_output=True, text=True)
            if made.returncode and not _account(name):  # (made meanwhile by their own launch in another tab)
                raise refused(500, f"the hub could not make the user {name}: {made.stderr.strip()}", then=STAFF)
            os.chmod(_account(name).pw_dir, 0o700)
        try:
            make_staff(hub.course, hub, name, staff)
        except CourseError as exc:
            raise refused(500, f"the hub could not set up {name}'s rights: {exc.message}", then=STAFF) from None
        self.log.info("LTI launch: %s (%s) as %s", claims.get("sub"), "staff" if staff else "student", name)
        return name


def _account(name: str):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None
