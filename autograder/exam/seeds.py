"""Per-student and per-form seeds: HMAC-SHA256 of the exam secret over exam, student and question.

Never Python's hash() (salted per process): a seed must be the same in every process, so the
grader can rebuild any student's variant, and unguessable without the secret, so a student
cannot rebuild a classmate's.
"""

from __future__ import annotations

import hashlib
import hmac

from ..course.identity import student


def form_student(letter: str) -> str:
    """Forms are seeded like a student named after the form."""
    return f"form:{letter.upper()}"


def variant_seed(secret: bytes, exam_id: str, student_id: str, question_id: str, draw: int = 0) -> int:
    """`draw` counts re-draws (`course exam reroll`); the first draw is the plain HMAC of the three ids."""
    parts = (exam_id, student(student_id).seed_key, question_id) + ((str(draw),) if draw else ())
    message = "\x1f".join(parts).encode()
    return int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:8], "big")


def forms_key(seed: int) -> bytes:
    """Forms are printed for everyone to see: seeded by the instructor's --seed, not the secret."""
    return f"forms:{seed}".encode()
