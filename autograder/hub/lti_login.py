"""The hub's login from the course's LMS (HUB_AUTH=lti13), on ltiauthenticator's LTI13Authenticator.

ltiauthenticator checks the launch: the OIDC state and nonce it set as cookies, the id_token's signature
against the platform's keyset, its issuer, audience, age and required claims. What it decides after
that is not the course's way: it names the user by `email` and, where that claim is missing, silently by
`sub`, so one user's sub could become another's name. Here the name comes from c.LMS.username_key only
(identity.lms_hub_name), is bound to one LMS user in the course's launch record, and is refused with a
page that says why where it is missing, no login name, another LMS user's, or an account of this
machine that no LMS user was given (root, the instructor): nobody lands in someone else's server.
Only launches from the course's own LMS course (c.LMS.context_id) are let in; until it is set, a staff
member's launch shows the line to add, which the hub reads when it starts again (never at a launch: the
hub is root, and the staff may write in the course folder that holds course_config.py). A launch is
taken once: its nonce is kept until its token expires, so the request sent again with its cookies
(captured on its way) is refused.

The hub runs each server as its Unix user, so a new LMS user gets one (their own group, a home only
they enter). Staff are told by the launch's LTI roles (c.LMS.staff_roles) and given what the hub's
instructor has (steps.make_staff): the course folder's group and formgrader's config; a launch
without a staff role takes both away again, and stops the server they had as staff, which kept both
(a process keeps the groups it started with). Staff are not hub admins: an admin may open any user's
server and act in it as them, which grading never needs (formgrader reads submissions from the course).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.utils import url_path_join
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.error import InvalidAudienceError, ValidationError
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler, LTI13LoginInitHandler
from ltiauthenticator.lti13.validator import LTI13LaunchValidator
from tornado.web import HTTPError
from traitlets import default

from ..course import identity, lms_launches
from ..course.coursedir import CONFIG_FILE, Course
from ..course.files import write_atomically
from ..course.errors import CourseError
from ..course.settings import LMS
from .settings import HubSettings
from .steps import is_staff as staff_on_hub
from .steps import make_staff

AGAIN = "Open the assignment again from your course in the LMS."
STAFF = "Tell the course's staff what this page says."


def refused(status: int, why: str, then: str = AGAIN) -> HTTPError:
    """The page a refused launch shows: what is wrong, then what to do."""
    return HTTPError(status, f"{why[0].upper()}{why[1:]}. {then}", reason="LMS launch refused")


def used() -> HTTPError:
    return refused(400, "this launch was used already or did not start in this browser (no login from the LMS is "
                   "under way here)")


class Nonces:
    """The nonces of the launches taken, each kept while its token could still be accepted; in a file of the
    hub's own, so that a restarted hub (whose cookie secret is the same) refuses them too."""

    def __init__(self, file: Path):
        self.file = file
        try:
            self.until = {str(n): float(t) for n, t in json.loads(file.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, AttributeError):  # none taken yet
            self.until = {}

    def take(self, id_token: Mapping, validator: LTI13LaunchValidator) -> bool:
        """False where the launch's nonce was taken before; else it is taken now."""
        nonce, now = str(id_token["nonce"]), time.time()
        self.until = {n: t for n, t in self.until.items() if t >= now}
        if nonce in self.until:
            return False
        # The validator refuses a token past its exp, or issued over max_age ago, each with time_leeway.
        last = min(float(id_token["exp"]), float(id_token["iat"]) + validator.max_age)
        self.until[nonce] = last + validator.time_leeway
        write_atomically(self.file, json.dumps(self.until))
        return True


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
    # A copy of the request with its cookies has both: its nonce, taken already, refuses it.
    def check_state(self):
        try:
            super().check_state()
        except HTTPError:
            raise used() from None

    def check_nonce(self, id_token):
        try:
            super().check_nonce(id_token)
        except HTTPError:
            raise refused(400, "this launch's token was issued for another login than the one under way here "
                          "(a launch replayed or copied)") from None
        if not self.authenticator.nonces.take(id_token, LTI13LaunchValidator(parent=self.app)):
            raise used()

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

    @cached_property
    def nonces(self) -> Nonces:
        return Nonces(self.hub_settings.private / "lti-nonces.json")

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
        # The launch record's lock, useradd and usermod may wait: in threads, while the hub serves everyone else.
        name, staff, demoted = await asyncio.to_thread(self.admit, data or {})
        if demoted:
            await _stop_staff_server(handler, name)
        await asyncio.to_thread(self.give_rights, name, staff)
        return {"name": name}

    def admit(self, claims: dict) -> tuple[str, bool, bool]:
        """(the hub name a checked launch logs in as, whether it is staff, whether it was staff on the hub and
        is no longer), its launch recorded, its Unix user made; refused with the reason on the page."""
        lms, hub = self.lms, self.hub_settings
        deployment = claims.get(lms_launches.DEPLOYMENT_CLAIM)
        if lms.deployment_id and deployment != lms.deployment_id:
            raise refused(403, f"this launch comes from the tool's deployment {deployment!r}, not this course's "
                          f"({lms.deployment_id!r})", then=STAFF)
        staff = identity.is_staff(claims.get(identity.LTI_ROLES_CLAIM), lms.staff_roles)
        _from_the_course(claims, lms.context_id, staff, hub.course / CONFIG_FILE)
        value = identity.lms_value(claims, lms.username_key)
        if value is None:
            raise refused(403, f"this launch carries no {lms.username_key!r}, which this course's user names come from",
                          then="The LMS must send it (the tool's privacy settings): tell the course's staff.")
        try:
            name = identity.lms_hub_name(value, lms.username_prefix)
        except identity.NotAHubName as exc:
            raise refused(403, f"you cannot be given a user on this hub: {exc}", then=STAFF) from None
        try:
            lms_launches.record(hub.course, claims, name, staff=staff, account_exists=identity.unix_account(name) is not None,
                                context_id=lms.context_id)
        except lms_launches.NameTaken as exc:
            raise refused(403, f"you were not logged in: {exc}", then=STAFF) from None
        except lms_launches.UnsafeFolder as exc:
            raise refused(500, f"the course's lms folder is not safe to write in: {exc}",
                          then="Tell the course's staff: its owner should remove it (the hub makes it anew).") from None
        if not identity.unix_account(name):
            # Their own group: what LMS users reach of each other's and the course's files is what others
            # may, which `course hub check` asks as nobody before the hub starts.
            made = subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name],
                                  capture_output=True, text=True)
            if made.returncode and not identity.unix_account(name):  # (made meanwhile by their own launch in another tab)
                raise refused(500, f"the hub could not make the user {name}: {made.stderr.strip()}", then=STAFF)
            os.chmod(identity.unix_account(name).pw_dir, 0o700)
        return name, staff, not staff and staff_on_hub(hub, name)

    def give_rights(self, name: str, staff: bool) -> None:
        try:
            make_staff(self.hub_settings.course, self.hub_settings, name, staff)
        except CourseError as exc:
            raise refused(500, f"the hub could not set up {name}'s rights: {exc.message}", then=STAFF) from None
        self.log.info("LTI launch: %s as %s", "staff" if staff else "student", name)


def _from_the_course(claims: Mapping, context_id: str, staff: bool, config_file: Path) -> None:
    """Refuses a launch from another LMS course than c.LMS.context_id: its users and links are not this
    course's. Until that is set, every launch; a staff member's page says which line makes theirs the course."""
    context = claims.get(lms_launches.CONTEXT_CLAIM)
    context = context if isinstance(context, Mapping) else {}
    launched_from, title = context.get("id"), context.get("title") or context.get("label") or "(untitled)"
    if context_id and launched_from == context_id:
        return
    if not launched_from:
        raise refused(403, "this launch names no course of the LMS (it carries no context id)", then=STAFF)
    if context_id:
        raise refused(403, f"this launch comes from the LMS course {title!r} (context id {launched_from!r}), not from "
                      f"this hub's course (context id {context_id!r})",
                      then="Open the assignment from this hub's course in the LMS.")
    if staff:
        line = f"c.LMS.context_id = {json.dumps(str(launched_from))}"
        raise refused(403, "this hub is not set up for an LMS course yet: this launch comes from the course "
                      f"{title!r}, whose context id is {launched_from!r}",
                      then=f"To make it this hub's course, add the line {line} to {config_file} and start the hub "
                           "again (scripts/hub.sh stop, then start); then open the link again.")
    raise refused(403, "this course is not set up on the hub yet", then="Open the assignment again once the course's "
                  "staff have set it up.")


async def _stop_staff_server(handler, name: str) -> None:
    """Stops the server `name` started as staff, which keeps the course's group and formgrader while it runs.
    Called before their rights are taken: where this fails they are still staff on the hub, and their next
    launch tries again."""
    user = handler.find_user(name)
    spawner = user.spawner if user is not None else None
    if spawner is None or not spawner.active:
        return
    if spawner.pending == "spawn":
        raise refused(503, "your server is starting with the staff's rights, which your role in the LMS no longer "
                      "gives", then="Open the assignment again in a minute.")
    if not spawner.pending:  # one that is stopping already goes anyway
        await handler.stop_single_user(user)
