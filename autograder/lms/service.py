"""The LTI Advantage services of the LMS (names and roles, grades), as the tool calls them.

The tool proves who it is with a JWT signed by its own key (OAuth2 client credentials with a
client assertion, IMS Security Framework 1.0 section 4.1) and gets a bearer token for the scopes it
asks for. Every failure, of the network or of the LMS, is one CourseError that says what the tool
tried, at which URL, what came back, and what to check.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Iterator
from urllib.parse import urljoin

import jwt
import requests

from ..course import lms_launches
from ..course.coursedir import Course
from ..course.errors import CourseError
from .tool_key import read_key

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_ASSERTION_SECONDS = 300
_EARLY = 30  # seconds before a token's end at which a new one is asked for: a request must not outlive it
PAGE_LIMIT = 100  # items a page: NRPS and AGS page only where the tool sends a limit, and an LMS caps it anyway
MAX_PAGES = 1000  # 100,000 members or line items: more is an LMS that pages wrong, not a course
_NO_OAUTH = "c.LMS.token_url must be the LMS's OAuth 2 token endpoint: check it, and the LMS's log"
_BROKEN_PAGING = ("the LMS's paging (its Link rel=\"next\" headers) is broken: check its log and version; nothing "
                  "was changed here")


def _network_reason(exc: requests.RequestException) -> str:
    """The cause at the bottom of requests' wrapped exceptions ('[Errno 111] Connection refused'),
    not the pages of object reprs around it."""
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\] [^'\")]*", text)
    return found.group().strip() if found else type(exc).__name__


def _said(response: requests.Response) -> str:
    """What an error answer says, in a few words: OAuth's `error`, else the start of its text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"]
    text = " ".join(response.text.split())
    return text[:120] + ("..." if len(text) > 120 else "")


def course_url(course: Course, name: str, service: str) -> str:
    """c.LMS.`name` (memberships_url, lineitems_url), else the one the latest launch from the course
    (c.LMS.context_id) carried: a record of another LMS course, kept from before the setting changed, is
    never used."""
    url = getattr(course.lms, name) or lms_launches.read(course.root).course(course.lms.context_id).get(name)
    if not url:
        raise CourseError(f"the course's {service} URL is not known",
                          hint=f"set c.LMS.{name}, or open the tool once from the course in the LMS (c.LMS.context_id): "
                               "every launch carries it")
    return url


class Service:
    """One command's conversation with the LMS: one token for `scopes`, kept until it nearly expires."""

    def __init__(self, course: Course, scopes: list[str]):
        settings = course.lms
        for name in ("token_url", "client_id"):
            if not getattr(settings, name):
                raise CourseError(f"c.LMS.{name} is not set: the tool cannot ask the LMS for a token",
                                  hint="copy it from the tool's registration in the LMS into course_config.py")
        self.settings = settings
        self.scopes = scopes
        self.key = read_key(course)
        self._token: tuple[str, float] | None = None  # (token, monotonic time it stops being used)

    def _send(self, method: str, url: str, what: str, **kwargs) -> requests.Response:
        try:
            return requests.request(method, url, timeout=self.settings.timeout, **kwargs)
        except requests.Timeout:
            raise CourseError(f"the LMS did not answer within {self.settings.timeout:g} s when the tool tried to "
                              f"{what} at {url}", hint="check that the LMS is up, or raise c.LMS.timeout") from None
        except requests.RequestException as exc:
            raise CourseError(f"cannot reach the LMS to {what} at {url}: {_network_reason(exc)}",
                              hint="check that the LMS is up and that the URL in course_config.py is right") from None

    def token(self) -> str:
        if self._token and time.monotonic() < self._token[1]:
            return self._token[0]
        url, client_id = self.settings.token_url, self.settings.client_id
        now = int(time.time())
        assertion = jwt.encode({"iss": client_id, "sub": client_id, "aud": url, "iat": now,
                                "exp": now + _ASSERTION_SECONDS, "jti": uuid.uuid4().hex},
                               self.key, algorithm="RS256", headers={"kid": self.settings.key_id})
        response = self._send("POST", url, "get a token", data={
            "grant_type": "client_credentials", "client_assertion_type": _ASSERTION_TYPE,
            "client_assertion": assertion, "scope": " ".join(self.scopes)})
        if response.status_code in (400, 401, 403):
            raise CourseError(f"the LMS refused the tool's token request ({response.status_code} {_said(response)}) "
                              f"at {url}", hint="check c.LMS.client_id and c.LMS.key_id, and that the LMS has the "
                              "tool's public keyset (`course lms jwks` prints it)")
        body = self._json(response, url, "get a token")
        if not isinstance(body, dict):
            raise CourseError(f"the LMS's token answer at {url} is not a JSON object: {_said(response)}",
                              hint=_NO_OAUTH)
        granted = body.get("scope", " ".join(self.scopes))
        lifetime = 3600 if body.get("expires_in") is None else body["expires_in"]
        if isinstance(lifetime, str) and re.fullmatch(r"\d+", lifetime.strip()):
            lifetime = int(lifetime)  # a few servers send the number as text
        for name, ok in (("scope", isinstance(granted, str)),
                         ("expires_in", isinstance(lifetime, (int, float)) and not isinstance(lifetime, bool)
                                        and lifetime >= 0)):  # NaN is not
            if not ok:
                raise CourseError(f"the LMS's token answer at {url} has {name} {repr(body[name])[:80]}, which "
                                  "OAuth 2 does not allow", hint=_NO_OAUTH)
        missing = " ".join(sorted(set(self.scopes) - set(granted.split())))
        if not isinstance(body.get("access_token"), str) or not body["access_token"] or missing:
            raise CourseError(f"the LMS's token at {url} lacks what the tool asked for: {missing or 'access_token'}",
                              hint="enable the tool's LTI Advantage services (names and roles, grades) in its "
                                   "registration in the LMS")
        self._token = (body["access_token"], time.monotonic() + max(0.0, lifetime - _EARLY))
        return body["access_token"]

    def _json(self, response: requests.Response, url: str, what: str):
        if not response.ok:
            raise CourseError(f"the LMS answered {response.status_code} {_said(response)} when the tool tried to "
                              f"{what} at {url}", hint=self._check(response.status_code))
        try:
            return response.json() if response.content else {}
        except ValueError:
            raise CourseError(f"the LMS's answer when the tool tried to {what} at {url} is not JSON: "
                              f"{_said(response)}", hint="check that the URL in course_config.py is the "
                              "service's, not a page of the LMS") from None

    @staticmethod
    def _check(status: int) -> str:
        if status in (401, 403):
            return ("check that the tool's registration in the LMS grants its LTI Advantage services (names and "
                    "roles, grades) for this course")
        if status == 404:
            return "check the URL: c.LMS.memberships_url / c.LMS.lineitems_url, or the one a staff launch carried"
        return "the LMS failed: check its log, then run the command again (nothing was lost)"

    def request(self, method: str, url: str, what: str, *, accept: str, body: dict | None = None,
                content_type: str | None = None, params: dict | None = None):
        """The JSON answer of one call; `what` names the attempt in an error ('post a score')."""
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        response = self._send(method, url, what, headers=headers, params=params,
                              json=body)
        return self._json(response, url, what)

    def pages(self, url: str, what: str, *, accept: str, field: str | None = None,
              params: dict | None = None) -> Iterator[dict]:
        """Every item of a paged list (the answer's `field`, or the answer itself where it is a list),
        following each page's Link rel="next", asking for PAGE_LIMIT items a page (an LMS may give fewer)."""
        params, seen = {**(params or {}), "limit": PAGE_LIMIT}, set()
        while url:
            asked = requests.Request("GET", url, params=params).prepare().url
            # An LMS whose next link leads back to a page it gave would be read forever.
            if asked in seen:
                raise CourseError(f"the LMS's pages loop when the tool tries to {what}: the next page is {asked}, "
                                  "which it read already", hint=_BROKEN_PAGING)
            if len(seen) == MAX_PAGES:
                raise CourseError(f"the LMS gave more than {MAX_PAGES} pages when the tool tried to {what}; the "
                                  f"next was {asked}", hint=_BROKEN_PAGING)
            seen.add(asked)
            headers = {"Authorization": f"Bearer {self.token()}", "Accept": accept}
            response = self._send("GET", asked, what, headers=headers)
            body = self._json(response, asked, what)
            items = (body.get(field) if isinstance(body, dict) else None) if field else body
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise CourseError(f"the LMS's answer when the tool tried to {what} at {asked} holds no list"
                                  + (f" '{field}'" if field else "") + " of JSON objects", hint=self._check(404))
            yield from items
            following = response.links.get("next", {}).get("url")
            url, params = (urljoin(asked, following) if following else None), None  # it carries its own query
