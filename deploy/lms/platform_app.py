"""A test LMS: an LTI 1.3 platform with one course, its roster, one resource link per assignment and a
gradebook, for the tests and the demo recipe (scripts/lms.sh). The LTI side is lti1p3platform 0.1.8's:
the registration, the platform's keyset, the OIDC login URL, the signed launch message with its NRPS and
AGS claims, the check of the tool's client-credentials JWT, the access tokens and the NRPS and AGS
handlers. This module keeps what the library leaves to the platform: the course and its members (read from
the config file), line items and results (SQLite in the state folder) and the pages.

Run by uvicorn:  LMS_PLATFORM_CONFIG=platform.json uvicorn --app-dir deploy/lms --factory platform_app:create_app
The config file (JSON): {"url" (the issuer), "state" (a folder; a relative one is beside the config file),
"faults" (optional: true lets POST /_faults make the token, scores and memberships services fail),
"page_size" (optional: the most members or line items a page holds, whatever limit the tool asks for, as
Canvas and Moodle cap it), "tool": {"client_id", "deployment_id", "login_url", "launch_url", "public_jwks" |
"jwks_url"}, "course": {"id", "title", "links": [{"id", "title", "score_maximum" (optional: the link is
graded; its line item is made here as an LMS makes a graded activity's: tied to the link by resourceLinkId,
labelled with its title, no resourceId, which is the tool's to give)}], "members": [{"user_id",
"name", "email", "username" (sent as the custom claim "username"), "roles" (short names such as
"Learner" or full LIS URIs), "status" (default "Active")}]}}.

Where lti1p3platform 0.1.8 falls short, a comment naming it says what breaks and what is done instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import sys
import threading
import typing as t
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from lti1p3platform import exceptions as lti_errors
from lti1p3platform.constants import LTI_1P3_ACCESS_TOKEN_SCOPES
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context, Status
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request as LtiRequest
from lti1p3platform.response import Response as LtiResponse, generate_next_link
from lti1p3platform.score import ActivityProgress, GradeProgress, UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService
from starlette.concurrency import run_in_threadpool

log = logging.getLogger("adlm.lms")
TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership"
SHORT_ROLES = {**{name: f"{LIS}#{name}" for name in (
    "Administrator", "ContentDeveloper", "Instructor", "Learner", "Mentor", "Manager", "Member", "Officer")},
    "TeachingAssistant": f"{LIS}/Instructor#TeachingAssistant"}
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINEITEM_READ, LINEITEM, SCORE, RESULT_READ = (AGS + s for s in ("lineitem.readonly", "lineitem", "score",
                                                                  "result.readonly"))
MEDIA = {"score": "application/vnd.ims.lis.v1.score+json", "lineitem": "application/vnd.ims.lis.v2.lineitem+json"}
SLOW_SECONDS = 30  # longer than any client's timeout: a "slow" fault is a platform that does not answer
# Token answers an OAuth server should never give, each sent with 200 as if it were a token.
GARBLED_TOKENS = {"garbled:list": ["access_token", "t"], "garbled:string": "access_token=t",
                  "garbled:expires_in": {"access_token": "t", "token_type": "bearer", "expires_in": "soon"}}
FAULT_VALUES = {"token": ("refuse", "error", "slow", *GARBLED_TOKENS), "scores": ("refuse", "error", "slow"),
                "memberships": ("error", "slow", "loop")}


class ConfigError(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class Refused(Exception):
    """A request this platform answers with `status` and the reason in words."""

    def __init__(self, status: int, reason: str, error: str = "invalid_request") -> None:
        super().__init__(reason)
        self.status, self.reason, self.error = status, reason, error


# --- the config file ---------------------------------------------------------------------------------
def role_uri(role: str) -> str:
    if "://" in role:
        return role
    if role not in SHORT_ROLES:
        raise ConfigError(f"unknown role {role!r}", f"use a full LIS role URI or one of {', '.join(SHORT_ROLES)}")
    return SHORT_ROLES[role]


def load_config(path: str | None) -> dict:
    if not path:
        raise ConfigError("LMS_PLATFORM_CONFIG is not set", "point it at the platform's JSON config file")
    try:
        config = json.loads(Path(path).read_text(encoding="utf-8"))
        tool, course = config["tool"], config["course"]
        config["url"] = str(config["url"]).rstrip("/")
        config["state"] = str(Path(path).parent / config["state"])  # a relative one: beside the config file
        for key in ("client_id", "deployment_id", "login_url", "launch_url"):
            tool[key] = str(tool[key])
        if not (tool.get("public_jwks") or tool.get("jwks_url")):
            raise KeyError("tool.public_jwks or tool.jwks_url")
        course["id"], course["title"] = str(course["id"]), str(course["title"])
        page_size = config.setdefault("page_size", None)
        if page_size is not None and (isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1):
            raise ConfigError(f"page_size {page_size!r} is not a whole number from 1 on", "give one, or leave it out")
        links = {str(link["id"]): {**link, "id": str(link["id"]), "title": str(link["title"])}
                 for link in course["links"]}
        members = {}
        for member in course["members"]:
            status = member.get("status", Status.ACTIVE.value)
            if status not in {s.value for s in Status}:
                raise ConfigError(f"member {member['user_id']}: unknown status {status!r}",
                                  "use Active, Inactive or Deleted")
            members[str(member["user_id"])] = {**member, "user_id": str(member["user_id"]), "status": status,
                                               "roles": [role_uri(r) for r in member["roles"]]}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", "check LMS_PLATFORM_CONFIG") from None
    except ValueError as exc:
        raise ConfigError(f"{path} is not JSON: {exc}", "correct the file") from None
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path} lacks {exc}", "see deploy/lms/platform_app.py's docstring for the format") from None
    if len(links) != len(course["links"]) or len(members) != len(course["members"]):
        raise ConfigError(f"{path}: two links or two members share an id", "give each its own id")
    course["links"], course["members"] = links, members
    return config


def platform_keys(state: Path) -> tuple[str, str]:
    """The platform's RSA key pair, made on the first start; the private key is the owner's alone."""
    state.mkdir(parents=True, exist_ok=True)
    private = state / "platform_key.pem"
    if not private.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        with os.fdopen(os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            out.write(pem)
        log.info("made the platform's key pair in %s", state)
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private.read_text(encoding="ascii"), public.decode("ascii")


# --- line items and results ----------------------------------------------------------------------------
class Store:
    """Line items and one result per (line item, user), in SQLite; a connection per call, since the
    handlers run in a thread pool."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS lineitems (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS results (lineitem INTEGER, user_id TEXT, score TEXT, ts REAL,"
                       " posts INTEGER, PRIMARY KEY (lineitem, user_id))")

    @contextmanager
    def _db(self) -> t.Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")  # read and write as one: two score posts of a user do not interleave
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def items(self) -> dict[str, dict]:
        with self._db() as db:
            return {str(i): json.loads(data) for i, data in db.execute("SELECT id, data FROM lineitems ORDER BY id")}

    def item(self, item_id: str) -> dict:
        found = self.items().get(item_id)
        if found is None:
            raise lti_errors.LineItemNotFoundException(item_id)
        return found

    def save(self, data: dict, item_id: str | None = None) -> str:
        with self._db() as db:
            if item_id is None:
                return str(db.execute("INSERT INTO lineitems (data) VALUES (?)", (json.dumps(data),)).lastrowid)
            if not db.execute("UPDATE lineitems SET data = ? WHERE id = ?", (json.dumps(data), item_id)).rowcount:
                raise lti_errors.LineItemNotFoundException(item_id)
            return item_id

    def delete(self, item_id: str) -> None:
        with self._db() as db:
            if not db.execute("DELETE FROM lineitems WHERE id = ?", (item_id,)).rowcount:
                raise lti_errors.LineItemNotFoundException(item_id)
            db.execute("DELETE FROM results WHERE lineitem = ?", (item_id,))

    def post_score(self, item_id: str, score: dict, when: float) -> UpdateScoreStatus:
        """AGS: a score replaces the user's result, unless an earlier-dated one arrives after a later one."""
        with self._db() as db:
            if not db.execute("SELECT 1 FROM lineitems WHERE id = ?", (item_id,)).fetchone():
                raise lti_errors.LineItemNotFoundException(item_id)
            row = db.execute("SELECT ts, posts FROM results WHERE lineitem = ? AND user_id = ?",
                             (item_id, score["userId"])).fetchone()
            if row and when < row[0]:
                raise lti_errors.LtiServiceException(
                    f"the score's timestamp {score['timestamp']} is older than the result's; AGS keeps the newer", 409)
            db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                       (item_id, score["userId"], json.dumps(score), when, (row[1] if row else 0) + 1))
        return UpdateScoreStatus.SUCCESS if row else UpdateScoreStatus.CREATED

    def results(self, item_id: str | None = None) -> list[tuple[str, str, dict, int]]:
        """(line item id, user id, score, posts) of every result, or of one line item's."""
        with self._db() as db:
            rows = db.execute("SELECT lineitem, user_id, score, posts FROM results WHERE ? IS NULL OR lineitem = ?"
                              " ORDER BY user_id", (item_id, item_id)).fetchall()
        return [(str(i), user, json.loads(score), posts) for i, user, score, posts in rows]


# --- lti1p3platform's abstract parts ---------------------------------------------------------------------
class Platform(LTI1P3PlatformConfAbstract):
    """One per request: lti1p3platform keeps the JWT it is checking on this object."""

    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.registration: Registration = kwargs["registration"]
        self.token_url: str = kwargs["token_url"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        client_id = kwargs.get("client_id", self.registration.get_client_id())
        if client_id != self.registration.get_client_id():
            raise Refused(401, f"no tool is registered with client_id {client_id!r}", "invalid_client")
        return self.registration

    def tool_validate_and_decode(self, jwt_token_string: str) -> dict[str, t.Any]:
        # lti1p3platform 0.1.8 checks only the client assertion's signature (with verify_aud off): not
        # that it was issued by and for the registered client (iss = sub = client_id) nor that it is meant
        # for this token endpoint (aud), so one tool's assertion would be good at any platform trusting it.
        claims = super().tool_validate_and_decode(jwt_token_string)
        client_id = self.registration.get_client_id()
        audience = claims.get("aud")
        if claims.get("iss") != client_id or claims.get("sub") != client_id:
            raise lti_errors.LtiException(f"the client assertion's iss and sub must both be {client_id!r}")
        if self.token_url not in (audience if isinstance(audience, list) else [audience]):
            raise lti_errors.LtiException(f"the client assertion's aud must be {self.token_url}")
        if "exp" not in claims:
            raise lti_errors.LtiException("the client assertion has no exp")
        return claims


class ServiceRequest(LtiRequest):
    """The request as lti1p3platform's handlers read it, built by the route (which reads the body
    asynchronously) before those synchronous handlers run in a thread."""

    def build_metadata(self, request: t.Any) -> t.Any:
        return request


class CourseLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["link_id"]

    def get_redirect(self, url: str) -> t.Any:
        raise NotImplementedError("the course page links to the tool's login URL itself")


class Launch(LTIAdvantageMessageLaunchAbstract):
    """The answer to the tool's OIDC authentication request: the signed launch of one member into one link."""

    def __init__(self, params: dict, platform: Platform, app: "App") -> None:
        super().__init__(t.cast(LtiRequest, None), platform)
        self.params, self.app = params, app

    def get_preflight_response(self) -> dict[str, t.Any]:
        return self.params

    def validate_preflight_response(self, preflight_response: dict[str, t.Any]) -> None:
        # lti1p3platform 0.1.8 requires only that a redirect_uri be there and posts the id_token to whatever
        # URL it names: a forged request would send a user's launch to any site. Only the registered launch
        # URL is accepted here. Its PreflightRequestValidationException carries no reason, so each check
        # that it makes is made here first, with one.
        p, tool = preflight_response, self.app.config["tool"]
        checks = [(p.get("client_id") == tool["client_id"], f"client_id must be {tool['client_id']!r}"),
                  (p.get("redirect_uri") == tool["launch_url"], f"redirect_uri must be {tool['launch_url']}"),
                  (p.get("response_type") == "id_token", "response_type must be id_token"),
                  ("openid" in str(p.get("scope", "")).split(), "scope must include openid"),
                  (bool(p.get("nonce")), "nonce is missing"), (bool(p.get("state")), "state is missing")]
        for ok, reason in checks:
            if not ok:
                raise Refused(400, f"authentication request refused: {reason}")
        super().validate_preflight_response(preflight_response)

    def prepare_launch(self, preflight_response: dict[str, t.Any]) -> None:
        member = self.app.members.get(preflight_response.get("login_hint", ""))
        link = self.app.links.get(preflight_response.get("lti_message_hint", ""))
        if member is None:
            raise Refused(400, "authentication request refused: login_hint names no member of the course")
        if member["status"] != Status.ACTIVE.value:
            raise Refused(403, f"{member['name']} is {member['status']} in the course and may not launch")
        if link is None:
            raise Refused(400, "authentication request refused: lti_message_hint names no link of the course")
        course = self.app.config["course"]
        self.set_user_data(member["user_id"], member["roles"], member.get("name"), member.get("email"),
                           member.get("username"))
        self.set_launch_context_claim(course["id"], ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
                                      course["title"], course["id"])
        self.set_resource_link_claim(link["id"], title=link["title"])
        self.set_launch_presentation_claim("window", f"{self.app.url}/?as={member['user_id']}")
        if member.get("username"):
            self.set_custom_parameters_claim({"username": member["username"]})
        self.set_nrps(self.app.memberships_url)
        own = [i for i, item in self.app.store.items().items() if item.get("resourceLinkId") == link["id"]]
        self.set_ags(self.app.lineitems_url, f"{self.app.lineitems_url}/{own[0]}" if own else None)
        log.info("launch of %s into %s", member["user_id"], link["id"])

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        # lti1p3platform 0.1.8's own FastAPI launch (framework/fastapi) cannot be imported: its template
        # module imports pkg_resources, which setuptools no longer has; and that template does not escape
        # the tool's `state`, which it writes into the page.
        return TEMPLATES.TemplateResponse(kwargs["request"], "launch.html", launch_data)


class LineItems(AssignmentsGradesService):
    """AGS over the store. `scopes`: what this endpoint accepts."""

    def __init__(self, request: LtiRequest, platform: Platform, app: "App", scopes: list[str],
                 item_id: str | None = None) -> None:
        super().__init__(request, platform, app.lineitems_url,
                         f"{app.lineitems_url}/{item_id}" if item_id else None)
        self.app, self.scopes = app, scopes

    @property
    def allowed_scopes(self) -> list[str]:
        # lti1p3platform 0.1.8 lets a token in if it has any one of the service's scopes, so a token for
        # posting scores could also create and delete line items and read every result. Each endpoint
        # names the scopes it accepts instead.
        return self.scopes

    def public(self, item_id: str, item: dict) -> dict:
        return {"id": f"{self.app.lineitems_url}/{item_id}", **item}

    def checked(self, data: t.Any) -> dict:
        fields = ("label", "scoreMaximum", "resourceId", "tag", "resourceLinkId", "startDateTime",
                  "endDateTime", "gradesReleased")
        if not isinstance(data, dict) or not isinstance(data.get("label"), str) or not data["label"].strip():
            raise lti_errors.LtiServiceException("a line item needs a label", 400)
        maximum = data.get("scoreMaximum")
        if isinstance(maximum, bool) or not isinstance(maximum, (int, float)) or maximum <= 0:
            raise lti_errors.LtiServiceException("a line item needs a scoreMaximum above 0", 400)
        if "resourceLinkId" in data and data["resourceLinkId"] not in self.app.links:
            raise lti_errors.LtiServiceException(f"no resource link {data['resourceLinkId']!r} in this course", 400)
        return {key: data[key] for key in fields if key in data}

    def find_lineitems(self, page: int = 1, limit: int | None = None, line_item_id: str | None = None,
                       resource_link_id: str | None = None, resource_id: str | None = None,
                       tag: str | None = None, **_: t.Any) -> t.Any:
        wanted = {"resourceLinkId": resource_link_id, "resourceId": resource_id, "tag": tag}
        found = [self.public(i, item) for i, item in self.app.store.items().items()
                 if (line_item_id is None or i == line_item_id)
                 and all(value is None or item.get(key) == value for key, value in wanted.items())]
        return paged(found, page, limit)

    def find_lineitem(self, line_item_id: str) -> t.Any:
        return self.public(line_item_id, self.app.store.item(line_item_id))

    def create_lineitem(self, creation_data: t.Any) -> t.Any:
        item = self.checked(creation_data)
        item_id = self.app.store.save(item)
        log.info("line item %s made: %s", item_id, item["label"])
        return self.public(item_id, item)

    def update_lineitem(self, update_data: t.Any) -> t.Any:
        item_id = str(update_data.pop("id"))
        item = self.checked(update_data)
        return self.public(self.app.store.save(item, item_id), item)

    def delete_lineitem(self, line_item_id: str) -> None:
        self.app.store.delete(line_item_id)

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        # lti1p3platform 0.1.8 passes the posted score on unchecked ("TODO: validate score").
        if not isinstance(score, dict):
            raise lti_errors.LtiServiceException("a score is a JSON object", 400)
        when = parse_timestamp(score.get("timestamp"))
        if score.get("userId") not in self.app.members:
            raise lti_errors.LtiServiceException(f"userId {score.get('userId')!r} is not a member of the course", 400)
        for key, kind in (("activityProgress", ActivityProgress), ("gradingProgress", GradeProgress)):
            if score.get(key) not in {value.value for value in kind}:
                raise lti_errors.LtiServiceException(f"{key} must be one of {[v.value for v in kind]}", 400)
        if "scoreGiven" in score:
            given, maximum = score["scoreGiven"], score.get("scoreMaximum")
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (given, maximum)) \
                    or given < 0 or maximum <= 0:
                raise lti_errors.LtiServiceException("scoreGiven needs a scoreMaximum above 0; neither below 0", 400)
        status = self.app.store.post_score(line_item_id, score, when)
        log.info("score for %s on line item %s: %s (%s)", score["userId"], line_item_id, score.get("scoreGiven"),
                 score["gradingProgress"])
        return status

    def get_results(self, line_item_id: str, page: int = 1, limit: int | None = None,
                    user_id: str | None = None, **_: t.Any) -> t.Any:
        self.app.store.item(line_item_id)  # an unknown line item: 404
        url = f"{self.app.lineitems_url}/{line_item_id}"
        found = [{"id": f"{url}/results/{user}", "scoreOf": url, "userId": user,
                  "resultScore": score.get("scoreGiven"), "resultMaximum": score.get("scoreMaximum"),
                  "comment": score.get("comment"), "timestamp": score["timestamp"]}
                 for _, user, score, _ in self.app.store.results(line_item_id) if user_id in (None, user)]
        return paged(found, page, limit)


class Members(NamesRoleProvisioningService):
    def __init__(self, request: LtiRequest, platform: Platform, app: "App") -> None:
        super().__init__(request, platform, app.memberships_url)
        self.app = app

    def get_member_data_page(self, page: int = 1, limit: int | None = None, role: str | None = None,
                             since: str | None = None, **_: t.Any) -> t.Any:
        fields = ("user_id", "name", "given_name", "family_name", "email", "roles", "status")
        wanted = role_uri(role) if role else None
        found = [{key: m[key] for key in fields if key in m} for m in self.app.members.values()
                 if wanted is None or wanted in m["roles"]]
        return paged(found, page, limit)

    def get_context_by_id(self) -> Context:
        course = self.app.config["course"]
        return Context(id=course["id"], label=course["id"], title=course["title"])

    def is_resource_link_valid(self, context_id: str, resource_link_id: str) -> bool:
        return resource_link_id in self.app.links


def paged(found: list, page: int, limit: int | None) -> dict:
    if limit is None:
        return {"content": found, "has_next": False}
    return {"content": found[(page - 1) * limit:page * limit], "has_next": page * limit < len(found)}


def parse_timestamp(value: t.Any) -> float:
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        when = None
    if when is None or when.tzinfo is None:
        raise lti_errors.LtiServiceException("timestamp must be ISO 8601 with a time zone", 400)
    return when.timestamp()


def http(result: LtiResponse) -> Response:
    """lti1p3platform's answer as HTTP. lti1p3platform 0.1.8 returns a page of line items or results as
    {"content", "has_next", "next"} and NRPS's next page in the body; AGS and NRPS send the list itself and
    the next page in a Link header, as here."""
    if result.code >= 400:
        return JSONResponse({"error": result.message}, status_code=result.code)
    if result.result is None:
        return Response(status_code=result.code)
    body, headers = dict(result.result) if isinstance(result.result, dict) else result.result, {}
    if isinstance(body, dict) and body.get("next"):
        headers["Link"] = generate_next_link(body.pop("next"))
    if isinstance(body, dict) and "content" in body:
        body = body["content"]
    return Response(json.dumps(body), status_code=result.code, media_type=result.media_type, headers=headers)


# --- the app -----------------------------------------------------------------------------------------------
class App:
    def __init__(self, config: dict) -> None:
        self.config, self.url = config, config["url"]
        course = config["course"]
        self.links, self.members = course["links"], course["members"]
        self.token_url = f"{self.url}/token"
        self.memberships_url = f"{self.url}/courses/{course['id']}/memberships"
        self.lineitems_url = f"{self.url}/courses/{course['id']}/lineitems"
        state = Path(config["state"])
        private, public = platform_keys(state)
        tool = config["tool"]
        self.registration = (Registration().set_iss(self.url).set_client_id(tool["client_id"])
                             .set_deployment_id(tool["deployment_id"]).set_oidc_login_url(tool["login_url"])
                             .set_launch_url(tool["launch_url"]).set_platform_private_key(private)
                             .set_platform_public_key(public))
        if tool.get("public_jwks"):
            self.registration.set_tool_key_set(tool["public_jwks"])
        else:
            self.registration.set_tool_key_set_url(tool["jwks_url"])
        self.store = Store(state / "gradebook.sqlite")
        made = {item.get("resourceLinkId") for item in self.store.items().values()}
        for link in self.links.values():
            if "score_maximum" in link and link["id"] not in made:
                self.store.save({"label": link["title"], "scoreMaximum": link["score_maximum"],
                                 "resourceLinkId": link["id"]})
        self.faults: dict[str, str | None] = {}
        self.score_posts = 0  # since the faults were set: for "fail_after:N"
        self.lock = threading.Lock()

    def platform(self) -> Platform:
        platform = Platform(registration=self.registration, token_url=self.token_url)
        platform.get_registration()  # lti1p3platform's checks read the registration only once it was asked for
        return platform

    async def fault(self, service: str) -> str | None:
        """Act out the fault set for `service`, if any (POST /_faults); the faults the route itself acts
        out (a garbled token, a page that links to itself) are returned."""
        fault = self.faults.get(service)
        if service == "scores":
            with self.lock:
                self.score_posts += 1
                posts = self.score_posts
            if fault and fault.startswith("fail_after:") and posts > int(fault.split(":")[1]):
                raise Refused(503, f"score posts fail after {fault.split(':')[1]} (fault injection)",
                              "temporarily_unavailable")
        if fault == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        if fault == "error":
            raise Refused(500, f"the {service} service failed (fault injection)", "server_error")
        if fault == "refuse" and service == "token":
            raise Refused(401, "the platform refuses this tool's token requests (fault injection)", "invalid_client")
        if fault == "refuse":
            raise Refused(403, f"the tool may not use the {service} service here (fault injection)",
                          "insufficient_scope")
        return fault

    def gradebook(self) -> dict:
        """{column: {user_id: result}}: a column is named by its line item's resourceId, else its
        resourceLinkId, else its label; a second column of one name gets "#<its id>" added, so that a
        duplicate column shows rather than merges."""
        names: dict[str, str] = {}
        for item_id, item in self.store.items().items():
            name = item.get("resourceId") or item.get("resourceLinkId") or item["label"]
            names[item_id] = f"{name}#{item_id}" if name in names.values() else name
        book: dict[str, dict] = {name: {} for name in names.values()}
        for item_id, user, score, posts in self.store.results():
            book[names[item_id]][user] = {**{k: score.get(k) for k in ("scoreGiven", "scoreMaximum", "gradingProgress",
                                                           "activityProgress", "timestamp")}, "posts": posts}
        return book

    def launch_url(self, member: dict, link: dict) -> str:
        login = CourseLogin(None, self.platform())
        login.set_lti_message_hint(link_id=link["id"])
        return login.prepare_preflight_url(member["user_id"])


async def form_or_query(request: Request) -> dict[str, str]:
    # python-multipart is not installed, so FastAPI cannot read forms; OAuth and OIDC send url-encoded ones.
    if request.method == "POST":
        return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
    return dict(request.query_params)


async def service_request(request: Request, media: str | None = None, page_size: int | None = None) -> dict:
    query: dict[str, t.Any] = dict(request.query_params)
    for key in ("page", "limit"):
        if key in query:
            if not query[key].isdigit() or int(query[key]) < 1:
                raise Refused(400, f"{key} must be a whole number from 1 on")
            query[key] = int(query[key])
    if page_size:  # lti1p3platform writes the limit into the next page's link, so that page has it too
        query["limit"] = min(query.get("limit", page_size), page_size)
    body: t.Any = None
    if media:
        if request.headers.get("content-type", "").split(";")[0].strip() not in (media, "application/json"):
            raise Refused(415, f"send the body as {media}")
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise Refused(400, "the body is not JSON") from None
    return {"method": request.method, "form_data": {}, "get_data": query, "headers": request.headers,
            "content_type": request.headers.get("content-type"), "path": request.url.path, "json": body}


def create_app() -> FastAPI:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s lms %(levelname)s %(message)s")
    try:
        lms = App(load_config(os.environ.get("LMS_PLATFORM_CONFIG")))
    except ConfigError as exc:
        print(f"error: {exc}\nhint: {exc.hint}", file=sys.stderr)
        raise SystemExit(1) from None
    course_id = lms.config["course"]["id"]
    app = FastAPI(title=f"LMS: {lms.config['course']['title']}", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        log.warning("%s %s refused (%s): %s", request.method, request.url.path, exc.status, exc.reason)
        if request.url.path in ("/", "/authorize"):
            return TEMPLATES.TemplateResponse(request, "refused.html", {"reason": exc.reason}, status_code=exc.status)
        if request.url.path == "/token":
            return JSONResponse({"error": exc.error, "error_description": exc.reason}, status_code=exc.status)
        return JSONResponse({"error": exc.reason}, status_code=exc.status)

    async def service(request: Request, course: str, handler: str, scopes: list[str], item_id: str | None = None,
                      media: str | None = None, fault: str | None = None) -> Response:
        if course != course_id:
            raise Refused(404, f"no course {course!r} here")
        acted = await lms.fault(fault) if fault else None
        meta = ServiceRequest(await service_request(request, media, lms.config["page_size"]))

        def run() -> Response:
            if handler == "handle_get_members":
                connector: t.Any = Members(meta, lms.platform(), lms)
            else:
                connector = LineItems(meta, lms.platform(), lms, scopes, item_id)
            kwargs = {"line_item_id": item_id} if item_id else {}
            try:
                return http(connector.handle_resp(getattr(connector, handler), **kwargs))
            except (jwt.PyJWTError, lti_errors.LtiException) as exc:
                # lti1p3platform 0.1.8 lets an expired, forged or garbled access token raise out of its
                # handlers (a 500); it is a 401.
                return JSONResponse({"error": f"invalid access token: {exc}"}, status_code=401)

        response = await run_in_threadpool(run)
        if acted == "loop":  # an LMS whose paging is broken: the page's next page is itself
            response.headers["Link"] = generate_next_link(str(request.url))
        return response

    @app.get("/jwks")
    def jwks() -> dict:
        return dict(lms.platform().get_jwks())

    @app.post("/token")
    async def token(request: Request) -> Response:
        acted = await lms.fault("token")
        if acted in GARBLED_TOKENS:
            return JSONResponse(GARBLED_TOKENS[acted])
        form = await form_or_query(request)
        if form.get("client_assertion_type") not in (None, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
            raise Refused(400, "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        try:
            claimed = jwt.decode(form.get("client_assertion", ""), options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Refused(400, "client_assertion is not a JWT") from None
        platform = lms.platform()
        platform.get_registration_by_params(client_id=form.get("client_id", claimed.get("sub")))

        def grant() -> t.Any:
            try:
                return platform.get_access_token(form)
            except lti_errors.MissingRequiredClaim as exc:
                raise Refused(400, str(exc)) from None
            except lti_errors.UnsupportedGrantType:
                raise Refused(400, "grant_type must be client_credentials", "unsupported_grant_type") from None
            except (lti_errors.LtiException, jwt.PyJWTError) as exc:
                raise Refused(401, f"the client assertion is not valid: {exc}", "invalid_client") from None

        granted = await run_in_threadpool(grant)
        if not granted["scope"]:
            raise Refused(400, f"none of the scopes asked for is one of {LTI_1P3_ACCESS_TOKEN_SCOPES}", "invalid_scope")
        log.info("token for %s: %s", claimed.get("sub"), granted["scope"])
        return JSONResponse(dict(granted), headers={"Cache-Control": "no-store"})

    @app.api_route("/authorize", methods=["GET", "POST"])
    async def authorize(request: Request) -> Response:
        launch = Launch(await form_or_query(request), lms.platform(), lms)
        return await run_in_threadpool(launch.lti_launch, request=request)

    @app.get("/courses/{course}/memberships")
    async def memberships(request: Request, course: str) -> Response:
        return await service(request, course, "handle_get_members", [], fault="memberships")

    @app.get("/courses/{course}/lineitems")
    async def lineitems(request: Request, course: str) -> Response:
        return await service(request, course, "handle_get_lineitems", [LINEITEM_READ, LINEITEM])

    @app.post("/courses/{course}/lineitems")
    async def create_lineitem(request: Request, course: str) -> Response:
        return await service(request, course, "handle_create_lineitem", [LINEITEM], media=MEDIA["lineitem"])

    @app.get("/courses/{course}/lineitems/{item}")
    async def lineitem(request: Request, course: str, item: str) -> Response:
        return await service(request, course, "handle_get_lineitem", [LINEITEM_READ, LINEITEM], item)

    @app.put("/courses/{course}/lineitems/{item}")
    async def update_lineitem(request: Request, course: str, item: str) -> Response:
        return await service(request, course, "handle_update_lineitem", [LINEITEM], item, MEDIA["lineitem"])

    @app.delete("/courses/{course}/lineitems/{item}")
    async def delete_lineitem(request: Request, course: str, item: str) -> Response:
        return await service(request, course, "handle_delete_lineitem", [LINEITEM], item)

    @app.post("/courses/{course}/lineitems/{item}/scores")
    async def scores(request: Request, course: str, item: str) -> Response:
        return await service(request, course, "handle_update_score", [SCORE], item, MEDIA["score"], "scores")

    @app.get("/courses/{course}/lineitems/{item}/results")
    async def results(request: Request, course: str, item: str) -> Response:
        return await service(request, course, "handle_get_results", [RESULT_READ], item)

    @app.get("/", response_class=HTMLResponse)
    def course_page(request: Request) -> Response:
        who = request.query_params.get("as")
        member = lms.members.get(who) if who else None
        if who and member is None:
            raise Refused(404, f"no member with user_id {who!r} in this course")
        links = [(link["title"], lms.launch_url(member, link)) for link in lms.links.values()] if member else []
        return TEMPLATES.TemplateResponse(request, "course.html", {
            "course": lms.config["course"], "members": lms.members.values(), "member": member, "links": links})

    @app.get("/gradebook", response_class=HTMLResponse)
    def gradebook_page(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(request, "gradebook.html", {
            "course": lms.config["course"], "members": lms.members.values(), "book": lms.gradebook()})

    @app.get("/gradebook.json")
    def gradebook_json() -> dict:
        return lms.gradebook()

    @app.post("/_faults")
    async def faults(request: Request) -> Response:
        """Replaces every fault at once: {} clears them all."""
        if not lms.config.get("faults"):
            raise Refused(404, "fault injection is off (\"faults\": true in the config turns it on)")
        try:
            wanted = json.loads(await request.body() or b"{}")
        except ValueError:
            wanted = None
        if not isinstance(wanted, dict):
            raise Refused(400, "send the faults as a JSON object")
        for key, value in wanted.items():
            fail_after = key == "scores" and str(value).startswith("fail_after:") and str(value)[11:].isdigit()
            if not (value is None or (isinstance(value, str) and value in FAULT_VALUES.get(key, ())) or fail_after):
                raise Refused(400, f"unknown fault {key}={value!r}: one of {FAULT_VALUES} or scores=fail_after:N")
        with lms.lock:
            lms.faults, lms.score_posts = {k: v for k, v in wanted.items() if v}, 0
        log.info("faults now %s", lms.faults or "none")
        return JSONResponse(lms.faults)

    log.info("LMS for %s at %s (tool %s)", course_id, lms.url, lms.config["tool"]["client_id"])
    return app
