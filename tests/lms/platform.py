"""The test LMS (deploy/lms/platform_app.py, an LTI 1.3 platform on lti1p3platform) as tests start it:

    key_file, jwks = tool_key_pair(tmp_path)
    lms = start_platform(tmp_path / "lms", members=[...], links=[...], tool_jwks=jwks,
                         tool_login_url=..., tool_launch_url=...)
    ...  lms.token_url, lms.memberships_url, lms.lineitems_url, lms.set_faults(scores="fail_after:2"), lms.gradebook()
    lms.stop()

A link with "score_maximum" is graded: the platform makes its line item as Moodle or Canvas does for a graded
activity (resourceLinkId = the link's id, label = its title, no resourceId); without one the tool makes its own.
`page_size` caps the members or line items a page holds, as a real LMS does, so that a tool's paging is used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.conftest import REPO, free_ports

TOOL_KID = "adlm-tool-1"
# The tests' course, like the demo's: two students, an instructor and an inactive member; one graded link and
# one whose line item the tool makes. The learners' names are no Unix account's that a hub (the hub tests', the
# demo's) makes: the roster leaves a member whose name is an account of this machine unmapped.
MEMBERS = [
    {"user_id": "u-1001", "name": "Student One", "email": "learner1@example.edu", "username": "learner1",
     "roles": ["Learner"]},
    {"user_id": "u-1002", "name": "Student Two", "email": "learner2@example.edu", "username": "learner2",
     "roles": ["Learner"]},
    {"user_id": "u-9001", "name": "Ina Instructor", "email": "instructor@example.edu", "username": "instructor",
     "roles": ["Instructor"]},
    {"user_id": "u-1003", "name": "Former Student", "email": "former@example.edu", "username": "former",
     "roles": ["Learner"], "status": "Inactive"},
]
LINKS = [{"id": "01_layer_math", "title": "Layer math and manual backpropagation", "score_maximum": 30},
         {"id": "02_training_loop", "title": "A training loop for an MLP on the breast cancer data"}]
PORTS_FROM = 35000


def tool_key_pair(folder: Path) -> tuple[Path, dict]:
    """A tool key for tests: its private key's file (mode 600) and the public keyset to register."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = Path(folder) / "tool_key.pem"
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    jwk = {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": TOOL_KID, "alg": "RS256", "use": "sig"}
    return path, {"keys": [jwk]}


@dataclass
class Platform:
    url: str
    config: dict
    process: subprocess.Popen
    log: Path
    issuer: str = field(init=False)

    def __post_init__(self) -> None:
        self.issuer = self.url
        course = self.config["course"]["id"]
        self.client_id = self.config["tool"]["client_id"]
        self.deployment_id = self.config["tool"]["deployment_id"]
        self.token_url, self.authorize_url, self.jwks_url = (f"{self.url}/{p}" for p in ("token", "authorize", "jwks"))
        self.memberships_url = f"{self.url}/courses/{course}/memberships"
        self.lineitems_url = f"{self.url}/courses/{course}/lineitems"

    def _call(self, path: str, body: dict | None = None):
        request = urllib.request.Request(f"{self.url}{path}", data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)

    def set_faults(self, **faults) -> dict:
        """Replaces every fault: token="refuse"|"error"|"slow"|"garbled:list"|"garbled:string"|
        "garbled:expires_in", scores="refuse"|"error"|"slow"|"fail_after:N", memberships="error"|"slow"|"loop"
        (each page's next page is itself); set_faults() clears them."""
        return self._call("/_faults", faults)

    def gradebook(self) -> dict:
        """{column: {user_id: {scoreGiven, scoreMaximum, gradingProgress, activityProgress, timestamp, posts}}}:
        a column is named by its line item's resourceId, else resourceLinkId, else label, and a second column of
        one name "<name>#<its id>"."""
        return self._call("/gradebook.json")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_platform(folder: Path, *, members: list[dict], links: list[dict], tool_jwks: dict | None = None,
                   tool_login_url: str, tool_launch_url: str, faults: bool = True, client_id: str = "adlm-hub",
                   deployment_id: str = "1", course_id: str = "adlm",
                   course_title: str = "Applied Deep Learning in Medicine", tool_jwks_url: str | None = None,
                   page_size: int | None = None) -> Platform:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tool = {"client_id": client_id, "deployment_id": deployment_id, "login_url": tool_login_url,
            "launch_url": tool_launch_url, **({"public_jwks": tool_jwks} if tool_jwks else {"jwks_url": tool_jwks_url})}
    log = folder / "platform.log"
    last_error = ""
    for attempt in range(5):  # another worker may take the free port between the check and uvicorn's bind
        port = free_ports(1, start=PORTS_FROM + 50 * attempt + os.getpid() % 50)
        config = {"url": f"http://127.0.0.1:{port}", "state": str(folder / "state"), "faults": faults, "tool": tool,
                  "page_size": page_size,
                  "course": {"id": course_id, "title": course_title, "links": links, "members": members}}
        (folder / "platform.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", str(REPO / "deploy/lms"), "--factory",
                 "platform_app:create_app", "--host", "127.0.0.1", "--port", str(port),
                 "--timeout-graceful-shutdown", "1", "--no-access-log"],
                env={**os.environ, "LMS_PLATFORM_CONFIG": str(folder / "platform.json")},
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        platform = Platform(config["url"], config, process, log)
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(platform.jwks_url, timeout=2):
                    return platform
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        platform.stop()
        last_error = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        if "address already in use" not in last_error:
            break
    raise RuntimeError(f"the test LMS did not start; its log ({log}):\n{last_error}")
