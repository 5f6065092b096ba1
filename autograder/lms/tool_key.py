"""The tool's RSA key pair: the private half signs its token requests to the LMS, the public half is
what the LMS admin registers (as a keyset) to check them.

The private key is read from c.LMS.private_key_file, which only its owner may read: whoever reads it
can post any grade as the course. It is never printed or logged, and no error message quotes it.
"""

from __future__ import annotations

import errno
import os
import pwd
import stat
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from ..course.coursedir import Course
from ..course.errors import CourseError

_WRITE_ONE = "`course lms key` writes one and prints the public keyset to register in the LMS"


def key_path(course: Course) -> Path:
    """c.LMS.private_key_file, a relative one read from the course folder."""
    if not course.lms.private_key_file:
        raise CourseError("c.LMS.private_key_file is not set: the tool has no key to sign its requests to the LMS",
                          hint=f"set it in course_config.py (a file only you can read); {_WRITE_ONE}")
    return course.root / Path(course.lms.private_key_file).expanduser()


def read_key(course: Course) -> rsa.RSAPrivateKey:
    """The tool's private key; refused where it is missing, a symbolic link, not an RSA key in PEM,
    readable by anyone but its owner, or owned by anyone but the caller or root."""
    path = key_path(course)
    try:
        # One open file for the checks and the read: a path checked and then read again could be swapped
        # in between, and a link could lead the check to a file the key's folder does not hold.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NOCTTY)
    except FileNotFoundError:
        raise CourseError(f"the tool's private key {path} does not exist", hint=_WRITE_ONE) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CourseError(f"the tool's private key {path} is a symbolic link",
                              hint="point c.LMS.private_key_file at the key file itself") from None
        raise CourseError(f"cannot read the tool's private key {path}: {exc.strerror}",
                          hint="run the command as the key's owner (the course's admin)") from None
    with os.fdopen(fd, "rb") as handle:
        found = os.fstat(handle.fileno())
        _check_owner(path, found)
        data = handle.read()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):  # the key's bytes stay out of the message: they are the secret
        key = None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CourseError(f"the tool's private key {path} is not an unencrypted RSA private key in PEM",
                          hint="`course lms key --force` replaces it with a new one (register its keyset again)")
    return key


def _check_owner(path: Path, found: os.stat_result) -> None:
    """Whoever owns the key or can read it can post any grade as the course: its owner must be the
    caller (or root, who can read it anyway), and no one else may read it."""
    if not stat.S_ISREG(found.st_mode):
        raise CourseError(f"the tool's private key {path} is not a file", hint=_WRITE_ONE)
    if found.st_uid not in (os.geteuid(), 0):
        raise CourseError(f"the tool's private key {path} belongs to {_user(found.st_uid)}, not to whoever runs this "
                          f"({_user(os.geteuid())})", hint="run the command as the key's owner, or have them write "
                          "one with `course lms key` and register its keyset; whoever owns the file can read or "
                          "replace it")
    if found.st_mode & 0o077:
        mode = stat.S_IMODE(found.st_mode)
        raise CourseError(f"the tool's private key {path} can be read by others (mode {mode:03o})",
                          hint=f"chmod 600 {path}; whoever could read it may have copied it: if so, write a new "
                               "one with `course lms key --force` and register its keyset again")


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def write_key(path: Path, *, force: bool = False) -> rsa.RSAPrivateKey:
    """A new 2048-bit key in a new file of mode 600; an existing file is kept unless `force`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # mkstemp makes the file 600 before a byte is in it, and the rename (or link) puts it whole in place
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise CourseError(f"cannot write the tool's private key into {path.parent}: {exc.strerror}",
                          hint="run it as the user who is to own the key (the course's admin), or point "
                               "c.LMS.private_key_file at a folder of theirs") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails where the file exists, even one made a moment ago
    except FileExistsError:
        raise CourseError(f"{path} exists: the LMS may hold its public key already",
                          hint="`course lms jwks` prints the keyset of the key there; `course lms key --force` "
                               "replaces it (then register the new keyset in the LMS)") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return key


def public_jwks(key: rsa.RSAPrivateKey, kid: str) -> dict:
    """The keyset to register in the LMS (or serve at the tool's JWKS URL): the public key alone."""
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {"keys": [{**jwk, "kid": kid, "alg": "RS256", "use": "sig"}]}


def public_pem(key: rsa.RSAPrivateKey) -> str:
    """The public key as PEM, for an LMS that takes a key rather than a keyset (Moodle's 'RSA key')."""
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()
