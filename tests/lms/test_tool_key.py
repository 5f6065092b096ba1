"""The tool's key pair: `course lms key` writes a private key only its owner can read and prints the
public keyset to register; a key anyone else can read, a symbolic link, a key another user owns, a missing
one or a file that is no RSA key is refused in two lines, and no output ever holds the private key."""

import json
import os
import pwd

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from autograder.course.coursedir import Course
from autograder.lms.tool_key import read_key
from tests.conftest import course_main, make_course_copy

KEY = "private/tool_key.pem"


def _refused(course, *args) -> str:
    """What `course ARGS` said when it refused: an error and a hint, no traceback."""
    code, printed = course_main(course, *args)
    assert code == 2 and printed.startswith("error: ") and printed.count("hint: ") == 1, printed
    assert "Traceback" not in printed
    return " ".join(printed.split())


def _course(tmp_path, key_file: str = KEY) -> Course:
    return make_course_copy(tmp_path, f'\nc.LMS.private_key_file = "{key_file}"\nc.LMS.key_id = "test-kid"\n')


def test_key_writes_a_private_key_of_mode_600_and_prints_the_keyset_that_checks_its_signatures(tmp_path):
    course = _course(tmp_path)
    code, printed = course_main(course, "lms", "key")
    path = course.root / KEY
    assert code == 0 and path.stat().st_mode & 0o777 == 0o600
    pem = path.read_text()
    assert "PRIVATE KEY" in pem and pem.splitlines()[1] not in printed  # never shown
    keyset = json.loads(printed[printed.index("{"):])
    (public,) = keyset["keys"]
    assert (public["kty"], public["alg"], public["use"], public["kid"]) == ("RSA", "RS256", "sig", "test-kid")
    assert "d" not in public and "p" not in public  # the public half only

    key = read_key(course)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    token = jwt.encode({"sub": "adlm-hub"}, key, algorithm="RS256", headers={"kid": "test-kid"})
    verifier = jwt.PyJWKSet.from_dict(keyset)["test-kid"]
    assert jwt.decode(token, verifier.key, algorithms=["RS256"]) == {"sub": "adlm-hub"}

    code, again = course_main(course, "lms", "jwks")
    assert code == 0 and json.loads(again) == keyset  # the same key, read back
    # Canvas takes one key, Moodle a PEM: each checks the same signatures.
    code, one = course_main(course, "lms", "jwks", "--as", "jwk")
    assert code == 0 and json.loads(one) == public
    code, pem_public = course_main(course, "lms", "jwks", "--as", "pem")
    assert code == 0 and pem_public.startswith("-----BEGIN PUBLIC KEY-----") and "PRIVATE" not in pem_public
    assert jwt.decode(token, pem_public, algorithms=["RS256"]) == {"sub": "adlm-hub"}

    refused = _refused(course, "lms", "key")
    assert "exists: the LMS may hold its public key already" in refused and "--force" in refused
    assert path.read_text() == pem  # kept
    code, replaced = course_main(course, "lms", "key", "--force")
    assert code == 0 and path.read_text() != pem and path.stat().st_mode & 0o777 == 0o600
    assert json.loads(replaced[replaced.index("{"):]) != keyset


def test_a_key_others_can_read_a_missing_one_or_no_rsa_key_is_refused_in_two_lines(tmp_path):
    course = _course(tmp_path)
    path = course.root / KEY
    printed = _refused(course, "lms", "jwks")
    assert f"the tool's private key {path} does not exist" in printed and "course lms key" in printed

    course_main(course, "lms", "key")
    secret = path.read_text().splitlines()[1]
    path.chmod(0o640)
    printed = _refused(course, "lms", "jwks")
    assert "can be read by others (mode 640)" in printed and f"chmod 600 {path}" in printed
    assert secret not in printed

    path.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    path.chmod(0o600)
    printed = _refused(course, "lms", "jwks")
    assert "is not an unencrypted RSA private key in PEM" in printed and "not a key" not in printed

    assert "c.LMS.private_key_file is not set" in _refused(make_course_copy(tmp_path / "unset"), "lms", "jwks")
    unwritable = _course(tmp_path / "unwritable", "/proc/tool_key.pem")
    assert "cannot write the tool's private key into /proc" in _refused(unwritable, "lms", "key")


def test_a_key_behind_a_symbolic_link_or_owned_by_another_user_is_refused(tmp_path):
    course = _course(tmp_path)
    course_main(course, "lms", "key")
    path = course.root / KEY
    moved = path.with_name("elsewhere.pem")
    path.rename(moved)
    path.symlink_to(moved)  # whoever can write the key's folder could point it at a file of their choosing
    printed = _refused(course, "lms", "jwks")
    assert f"the tool's private key {path} is a symbolic link" in printed

    path.unlink()
    moved.rename(path)
    if os.geteuid() != 0:
        pytest.skip("giving the key to another user takes root (CI runs as root)")
    os.chown(path, 65534, -1)  # nobody's: whoever owns it can replace it with a key of their own
    printed = _refused(course, "lms", "jwks")
    nobody = pwd.getpwuid(65534).pw_name
    assert f"the tool's private key {path} belongs to {nobody}, not to whoever runs this" in printed
