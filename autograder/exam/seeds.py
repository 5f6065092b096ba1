"""Per-student and per-form seeds: HMAC-SHA256 of the exam secret over exam, student and question.

Never Python's hash() (salted per process): a seed must be the same in every process, so the
grader can rebuild any student's variant, and unguessable without the secret, so a student
cannot rebuild a classmate's.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

import numpy as np


def normalise_student(student_id: str) -> str:
    """The id as seeds see it: the same student however a roster spells it."""
    return unicodedata.normalize("NFKC", student_id).strip().casefold()


def form_student(letter: str) -> str:
    """Forms are seeded like a student named after the form."""
    return f"form:{letter.upper()}"


def variant_seed(secret: bytes, exam_id: str, student_id: str, question_id: str) -> int:
    message = "\x1f".join((exam_id, normalise_student(student_id), question_id)).encode()
    return int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:8], "big")


def rng_for(secret: bytes, exam_id: str, student_id: str, question_id: str) -> np.random.Generator:
    return np.random.default_rng(variant_seed(secret, exam_id, student_id, question_id))
