"""The test LMS is a real LTI 1.3 platform, seen from outside as a tool sees it: its keyset, a service
token only for the registered tool's signed assertion, NRPS with the roster, AGS line items, scores that
replace and results, and a login and launch that ltiauthenticator's own validator (the hub's) accepts."""

import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from bs4 import BeautifulSoup
from ltiauthenticator.lti13.validator import LTI13LaunchValidator

from tests.lms.conftest import TOOL_LAUNCH_URL, TOOL_LOGIN_URL
from tests.lms.platform import tool_key_pair

SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SCOPES = [SCOPE + s for s in ("lineitem", "score", "result.readonly")] + [NRPS_SCOPE]
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def assertion(platform, key_file, *, client_id=None, aud=None) -> str:
    """The tool's client assertion (IMS Security Framework: iss = sub = client_id, aud = the token URL)."""
    now, client_id = int(time.time()), client_id or platform.client_id
    return jwt.encode({"iss": client_id, "sub": client_id, "aud": aud or platform.token_url, "iat": now,
                       "exp": now + 300, "jti": uuid.uuid4().hex}, key_file.read_text(), "RS256",
                      headers={"kid": "adlm-tool-1"})


def ask_token(platform, key_file, scopes=ALL_SCOPES, **claims) -> requests.Response:
    return requests.post(platform.token_url, timeout=10, data={
        "grant_type": "client_credentials", "scope": " ".join(scopes),
        "client_assertion": assertion(platform, key_file, **claims),
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})


def bearer(platform, key_file, scopes=ALL_SCOPES) -> dict:
    answer = ask_token(platform, key_file, scopes)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def post_score(platform, headers, item_url, user_id, given, when, maximum=30) -> requests.Response:
    return requests.post(f"{item_url}/scores", headers={**headers, "Content-Type": SCORE_TYPE}, timeout=10, json={
        "userId": user_id, "scoreGiven": given, "scoreMaximum": maximum, "activityProgress": "Completed",
        "gradingProgress": "FullyGraded", "timestamp": when})


def test_the_keyset_holds_the_platform_key_made_on_the_first_start_readable_by_its_owner_only(lms_platform):
    keys = requests.get(lms_platform.jwks_url, timeout=10).json()["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in keys] == [("RSA", "RS256", "sig")] and keys[0]["kid"]
    assert (Path(lms_platform.config["state"]) / "platform_key.pem").stat().st_mode & 0o777 == 0o600
    assert "PRIVATE KEY" not in lms_platform.log.read_text()


def test_a_token_is_granted_for_the_registered_tools_assertion_only(lms_platform, lms_tool_key, tmp_path):
    granted = ask_token(lms_platform, lms_tool_key[0])
    assert granted.status_code == 200, granted.text
    assert granted.json()["token_type"] == "bearer" and set(granted.json()["scope"].split()) == set(ALL_SCOPES)

    other_key, _ = tool_key_pair(tmp_path)
    refusals = {"another key": ask_token(lms_platform, other_key),
                "an unregistered client_id": ask_token(lms_platform, lms_tool_key[0], client_id="someone-else"),
                "another audience": ask_token(lms_platform, lms_tool_key[0], aud="https://lms.example.edu/token")}
    for what, answer in refusals.items():
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_client", (what, answer.text)
    assert "someone-else" in refusals["an unregistered client_id"].json()["error_description"]
    assert ask_token(lms_platform, lms_tool_key[0], scopes=["openid"]).json()["error"] == "invalid_scope"

    lms_platform.set_faults(token="refuse")
    try:
        refused = ask_token(lms_platform, lms_tool_key[0])
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    finally:
        lms_platform.set_faults()


def test_nrps_lists_the_roster_to_a_token_with_its_scope_only(lms_platform, lms_tool_key):
    answer = requests.get(lms_platform.memberships_url, headers=bearer(lms_platform, lms_tool_key[0]), timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
    members = {m["user_id"]: m for m in answer.json()["members"]}
    assert set(members) == {"u-1001", "u-1002", "u-9001", "u-1003"}
    assert members["u-9001"]["roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    assert members["u-1001"]["email"] == "learner1@example.edu" and members["u-1003"]["status"] == "Inactive"
    assert answer.json()["context"]["id"] == "adlm"

    first = requests.get(lms_platform.memberships_url, params={"limit": 3}, timeout=10,
                         headers=bearer(lms_platform, lms_tool_key[0]))
    assert len(first.json()["members"]) == 3 and 'page=2' in first.links["next"]["url"]
    scores_only = bearer(lms_platform, lms_tool_key[0], [SCOPE + "score"])
    assert requests.get(lms_platform.memberships_url, headers=scores_only, timeout=10).status_code == 401


def test_line_items_are_made_listed_and_found_by_resource_id_each_with_its_own_scope(lms_platform, lms_tool_key):
    headers = bearer(lms_platform, lms_tool_key[0])
    made = requests.post(lms_platform.lineitems_url, timeout=10, json={
        "label": "A training loop", "scoreMaximum": 22, "resourceId": "02_training_loop", "tag": "adlm"},
        headers={**headers, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"})
    assert made.status_code == 201, made.text
    assert made.json()["id"].startswith(lms_platform.lineitems_url + "/")

    items = requests.get(lms_platform.lineitems_url, headers=headers, timeout=10).json()
    # The graded link's, made as an LMS makes a graded activity's: tied to the link and named by it, no resourceId
    assert [{key: value for key, value in item.items() if key != "id"} for item in items] == [
        {"label": "Layer math and manual backpropagation", "scoreMaximum": 30, "resourceLinkId": "01_layer_math"},
        {"label": "A training loop", "scoreMaximum": 22, "resourceId": "02_training_loop", "tag": "adlm"}]
    found = requests.get(lms_platform.lineitems_url, params={"resource_id": "02_training_loop"}, headers=headers,
                         timeout=10).json()
    assert [i["id"] for i in found] == [made.json()["id"]]
    assert requests.get(made.json()["id"], headers=headers, timeout=10).json()["label"] == "A training loop"

    scores_only = bearer(lms_platform, lms_tool_key[0], [SCOPE + "score"])
    refused = requests.post(lms_platform.lineitems_url, headers={**scores_only, "Content-Type": "application/json"},
                            json={"label": "x", "scoreMaximum": 1}, timeout=10)
    assert refused.status_code == 401
    no_label = requests.post(lms_platform.lineitems_url, headers={**headers, "Content-Type": "application/json"},
                             json={"scoreMaximum": 1}, timeout=10)
    assert no_label.status_code == 400 and "label" in no_label.json()["error"]


def test_a_score_replaces_the_users_result_and_the_gradebook_shows_it(lms_platform, lms_tool_key):
    headers = bearer(lms_platform, lms_tool_key[0])
    item = requests.get(lms_platform.lineitems_url, params={"resource_link_id": "01_layer_math"}, headers=headers,
                        timeout=10).json()[0]["id"]
    assert post_score(lms_platform, headers, item, "u-1001", 21, "2026-12-06T10:00:00+00:00").status_code == 201
    assert post_score(lms_platform, headers, item, "u-1001", 24.5, "2026-12-06T11:00:00+00:00").status_code == 200

    results = requests.get(f"{item}/results", headers=headers, timeout=10).json()
    assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in results] == [("u-1001", 24.5, 30)]
    assert lms_platform.gradebook()["01_layer_math"]["u-1001"] | {"timestamp": None} == {
        "scoreGiven": 24.5, "scoreMaximum": 30, "gradingProgress": "FullyGraded", "activityProgress": "Completed",
        "timestamp": None, "posts": 2}
    page = BeautifulSoup(requests.get(f"{lms_platform.url}/gradebook", timeout=10).text, "html.parser")
    cell = page.select_one('td[data-user="u-1001"][data-lineitem="01_layer_math"]')
    assert cell.select_one(".score").text == "24.5 / 30" and cell["data-progress"] == "FullyGraded"

    older = post_score(lms_platform, headers, item, "u-1001", 3, "2026-12-06T09:00:00+00:00")
    assert older.status_code == 409 and "older" in older.json()["error"]
    stranger = post_score(lms_platform, headers, item, "u-4040", 3, "2026-12-06T12:00:00+00:00")
    assert stranger.status_code == 400 and "not a member" in stranger.json()["error"]
    assert lms_platform.gradebook()["01_layer_math"]["u-1001"]["posts"] == 2

    lms_platform.set_faults(scores="fail_after:1")
    try:
        assert post_score(lms_platform, headers, item, "u-1002", 10, "2026-12-06T12:00:00+00:00").status_code == 201
        assert post_score(lms_platform, headers, item, "u-9001", 10, "2026-12-06T12:00:00+00:00").status_code == 503
    finally:
        lms_platform.set_faults()
    assert set(lms_platform.gradebook()["01_layer_math"]) == {"u-1001", "u-1002"}


@pytest.fixture
def auth_request(lms_platform):
    """What a tool's OIDC login handler sends the platform (ltiauthenticator's, for one)."""
    return {"response_type": "id_token", "scope": "openid", "response_mode": "form_post", "prompt": "none",
            "client_id": lms_platform.client_id, "redirect_uri": TOOL_LAUNCH_URL, "login_hint": "u-1001",
            "lti_message_hint": "01_layer_math", "nonce": uuid.uuid4().hex, "state": "state-<&>"}


def test_the_course_page_starts_the_third_party_login_at_the_tool(lms_platform):
    page = BeautifulSoup(requests.get(lms_platform.url, params={"as": "u-1001"}, timeout=10).text, "html.parser")
    links = {a.text: a["href"] for a in page.select("#links a")}
    assert set(links) == {"Layer math and manual backpropagation",
                          "A training loop for an MLP on the breast cancer data"}
    login = urlparse(links["Layer math and manual backpropagation"])
    assert f"{login.scheme}://{login.netloc}{login.path}" == TOOL_LOGIN_URL
    params = {k: v[0] for k, v in parse_qs(login.query).items()}
    assert params == {
        "iss": lms_platform.issuer, "login_hint": "u-1001", "target_link_uri": TOOL_LAUNCH_URL,
        "lti_message_hint": "01_layer_math", "client_id": lms_platform.client_id, "lti_deployment_id": "1"}
    LTI13LaunchValidator().validate_login_request(params)


def test_a_launch_posts_an_id_token_that_checks_against_the_keyset_with_the_claims_a_tool_needs(
        lms_platform, auth_request):
    answer = requests.post(lms_platform.authorize_url, data=auth_request, timeout=10)
    form = BeautifulSoup(answer.text, "html.parser").select_one("form")
    assert answer.status_code == 200 and form["action"] == TOOL_LAUNCH_URL and form["method"] == "post"
    fields = {i["name"]: i["value"] for i in form.select("input")}
    assert fields["state"] == "state-<&>"
    hub = LTI13LaunchValidator()
    claims = hub.verify_and_decode_jwt(fields["id_token"], lms_platform.issuer, lms_platform.client_id,
                                       lms_platform.jwks_url, ["RS256"])
    hub.validate_id_token(claims)
    assert (claims["sub"], claims["name"], claims["email"], claims["nonce"]) == (
        "u-1001", "Student One", "learner1@example.edu", auth_request["nonce"])
    assert claims[CLAIM + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    assert claims[CLAIM + "message_type"] == "LtiResourceLinkRequest" and claims[CLAIM + "version"] == "1.3.0"
    assert claims[CLAIM + "deployment_id"] == "1" and claims[CLAIM + "target_link_uri"] == TOOL_LAUNCH_URL
    assert claims[CLAIM + "context"]["id"] == "adlm" and claims[CLAIM + "context"]["label"] == "adlm"
    assert claims[CLAIM + "resource_link"]["id"] == "01_layer_math"
    assert claims[CLAIM + "custom"] == {"username": "learner1"}
    nrps = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps["context_memberships_url"] == lms_platform.memberships_url
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitems"] == lms_platform.lineitems_url and ags["lineitem"].startswith(lms_platform.lineitems_url)
    assert set(ags["scope"]) == {SCOPE + s for s in ("lineitem", "score", "result.readonly")}

    again = requests.get(lms_platform.authorize_url, params={**auth_request, "nonce": "another"}, timeout=10)
    assert jwt.decode(BeautifulSoup(again.text, "html.parser").select_one('input[name="id_token"]')["value"],
                      options={"verify_signature": False})["nonce"] == "another"


@pytest.mark.parametrize("change, status, reason", [
    ({"redirect_uri": "https://attacker.example/callback"}, 400, "redirect_uri must be " + TOOL_LAUNCH_URL),
    ({"client_id": "someone-else"}, 400, "client_id must be"),
    ({"login_hint": "u-4040"}, 400, "login_hint names no member"),
    ({"login_hint": "u-1003"}, 403, "Former Student is Inactive"),
    ({"nonce": ""}, 400, "nonce is missing"),
])
def test_a_bad_authentication_request_is_refused_with_the_reason(lms_platform, auth_request, change, status, reason):
    answer = requests.get(lms_platform.authorize_url, params={**auth_request, **change}, timeout=10)
    assert answer.status_code == status and reason in answer.text and "id_token" not in answer.text
